/**
 * The spread strategy's scores (spread.ts): how much of a window's traffic waits under a layout
 * (a node over capacity delays all its records), the traffic in partitions that alone exceed a
 * node, the waiting no layout can avoid, and the forgetting sums the comparison is made on.
 */
import { nodeLoads, partitionLoads, type PartitionMap } from '../model/partition-map.ts';

/**
 * Under `map` for per-bucket `rates` (`moving` nodes lose `load` of their capacity to transfers):
 * records/s above node capacity, records/s on nodes over capacity, and the total. A node a little
 * over capacity delays all its records, not only the excess, so `waiting` is the score that
 * follows the SLO.
 */
export function overloadOf(
  map: PartitionMap,
  rates: Float64Array,
  nodeCount: number,
  cap: number,
  moving?: { readonly nodes: ReadonlySet<number>; readonly load: number },
): { over: number; waiting: number; total: number } {
  const nl = nodeLoads(map, partitionLoads(map, rates), nodeCount);
  let over = 0;
  let waiting = 0;
  let total = 0;
  for (let n = 0; n < nl.length; n++) {
    total += nl[n];
    const c = moving?.nodes.has(n) ? cap * (1 - moving.load) : cap;
    if (nl[n] > c) {
      over += nl[n] - c;
      waiting += nl[n];
    }
  }
  return { over, waiting, total };
}

/** Records/s in partitions of `map` that alone exceed a node's capacity `cap` (only a finer cut serves them). */
export function hotOf(map: PartitionMap, rates: Float64Array, cap: number): number {
  let hot = 0;
  for (const x of partitionLoads(map, rates)) if (x > cap) hot += x;
  return hot;
}

/**
 * Copies `rates` into `out` without the buckets that alone exceed a node's capacity `cap`, and
 * returns their records/s. Such a bucket's node is over capacity under every layout, so its own
 * traffic waits whatever the strategy does: it is left out of both sides of the comparison
 * (the records on its node that a layout could have placed elsewhere still count), and out of
 * the hot share that sends a held layout back to chasing (no finer cut serves it either).
 */
export function splitAvoidable(rates: Float64Array, cap: number, out: Float64Array): number {
  let u = 0;
  for (let k = 0; k < rates.length; k++) {
    const r = rates[k];
    if (r > cap) {
      u += r;
      out[k] = 0;
    } else out[k] = r;
  }
  return u;
}

/** Scores with forgetting: decayed Σ waiting·Δt per layout and decayed Σ total·Δt. */
export class Scores {
  actual = 0;
  readonly cand: Float64Array;
  /** Decayed Σ of the traffic in partitions of the cluster's layout that alone exceed a node's capacity. */
  hot = 0;
  total = 0;
  evidenceMs = 0;
  constructor(n: number) {
    this.cand = new Float64Array(n);
  }
  reset(): void {
    this.actual = this.hot = this.total = this.evidenceMs = 0;
    this.cand.fill(0);
  }
  share(x: number): number {
    return this.total > 0 ? x / this.total : 0;
  }
}

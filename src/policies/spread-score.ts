/**
 * The spread strategy's scores (spread.ts): how much of a window's traffic waits under a layout
 * (a node over capacity delays all its records, a partition over `partitionCapacity` its own),
 * the traffic in partitions that alone exceed what one partition can serve, the waiting no
 * layout can avoid, and the forgetting sums the comparison is made on; and a layout's impact.
 */
import { nodeLoads, partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { Impact } from '../model/plan.ts';
import { waiting } from './stripe-placement.ts';

/** Node `n`'s capacity, less `moving.load` of it while it sends or receives state. */
function capacityLeft(n: number, cap: number, moving?: { readonly nodes: ReadonlySet<number>; readonly load: number }): number {
  return moving?.nodes.has(n) ? cap * (1 - moving.load) : cap;
}

/**
 * Under `map` for per-bucket `rates` (`moving` nodes lose `load` of their capacity to transfers):
 * records/s above capacity (a node's, a partition's `partitionCap`), records/s that wait, and the
 * total. A node a little over capacity delays all its records, not only the excess, and a
 * partition over its own capacity all of its records wherever it is, so `waiting` is the score
 * that follows the SLO.
 */
export function overloadOf(
  map: PartitionMap,
  rates: Float64Array,
  nodeCount: number,
  cap: number,
  moving?: { readonly nodes: ReadonlySet<number>; readonly load: number },
  partitionCap = Infinity,
): { over: number; waiting: number; total: number } {
  const pl = partitionLoads(map, rates);
  const nl = nodeLoads(map, pl, nodeCount);
  let over = 0;
  let waiting = 0;
  let total = 0;
  const limit = (n: number) => capacityLeft(n, cap, moving);
  for (let n = 0; n < nl.length; n++) {
    total += nl[n];
    const c = limit(n);
    if (nl[n] > c) {
      over += nl[n] - c;
      waiting += nl[n];
    }
  }
  // A partition over its own capacity waits where its node does not already (counted once).
  for (let i = 0; partitionCap < Infinity && i < pl.length; i++) {
    if (pl[i] <= partitionCap) continue;
    over += pl[i] - partitionCap;
    if (!(nl[map.nodes[i]] > limit(map.nodes[i]))) waiting += pl[i];
  }
  return { over, waiting, total };
}

/**
 * Avoidable records/s expected to wait under `map`: each partition's share of `avoidable` (the
 * rates without the buckets that wait under any layout, `splitAvoidable`) times the chance that a
 * tick's load is over its node's capacity (less `moving.load` on a transferring node) or over its
 * own `partitionCap`, a load being normal around the window's mean with spread `rel` × the mean
 * (at least `MIN_SPREAD`), as stripe placement and a migration's cost read it
 * (stripe-placement.ts `waiting`, migration-cost.ts). Node and partition loads rise and fall
 * together with the stream's noise, so a record waits with the larger of the two chances, not
 * their sum. A layout whose node sits just under capacity in the mean is not free: the ticks over
 * it wait (with `rel` → 0 this is `overloadOf`'s waiting less the unavoidable traffic).
 */
export function expectedWaiting(
  map: PartitionMap,
  rates: Float64Array,
  avoidable: Float64Array,
  nodeCount: number,
  cap: number,
  rel: number,
  moving?: { readonly nodes: ReadonlySet<number>; readonly load: number },
  partitionCap = Infinity,
): number {
  const pl = partitionLoads(map, rates);
  const pa = partitionLoads(map, avoidable);
  const nl = nodeLoads(map, pl, nodeCount);
  const pn = new Float64Array(nl.length);
  for (let n = 0; n < nl.length; n++) if (nl[n] > 0) pn[n] = waiting(nl[n], rel, capacityLeft(n, cap, moving)) / nl[n];
  let w = 0;
  for (let i = 0; i < pl.length; i++) {
    if (!(pa[i] > 0)) continue;
    const p = partitionCap < Infinity ? Math.max(pn[map.nodes[i]], waiting(pl[i], rel, partitionCap) / pl[i]) : pn[map.nodes[i]];
    w += pa[i] * p;
  }
  return w;
}

/** What one partition can serve: the node's capacity, or the partition's own where it is lower. */
export const servable = (cap: number, partitionCap = Infinity): number => Math.min(cap, partitionCap);

/** Records/s in partitions of `map` that alone exceed `cap`, what one partition can serve (only a finer cut serves them). */
export function hotOf(map: PartitionMap, rates: Float64Array, cap: number): number {
  let hot = 0;
  for (const x of partitionLoads(map, rates)) if (x > cap) hot += x;
  return hot;
}

/**
 * Copies `rates` into `out` without the buckets that alone exceed `cap` (what one partition can
 * serve, `servable`), and returns their records/s. Such a bucket's partition, or its node, is over
 * capacity under every layout, so its own traffic waits whatever the strategy does: it is left out
 * of both sides of the comparison (the records on its node that a layout could have placed
 * elsewhere still count), and out of the hot share that sends a held layout back to chasing (no
 * finer cut serves it either).
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

/** A layout's impact on per-bucket rates (moved bytes are the APM's to count). */
export function impactOf(map: PartitionMap, rates: Float64Array, N: number): Impact {
  const pl = partitionLoads(map, rates);
  const nl = nodeLoads(map, pl, N);
  const maxP = Math.max(0, ...pl);
  const sum = pl.reduce((a, x) => a + x, 0);
  return { maxPartitionLoad: maxP, maxNodeLoad: Math.max(...nl), movedBytes: 0, imbalance: sum > 0 ? maxP / (sum / pl.length) : 1 };
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

/**
 * The lowest-scoring candidate for which `fits` holds, ties to the lowest index (candidates come
 * finest first), or null: `fits` (deriving a migration, not cheap) is asked in score order and
 * only until one holds.
 */
export function bestFitting(scores: Float64Array, fits: (i: number) => boolean): number | null {
  const order = Array.from(scores.keys()).sort((i, j) => scores[i] - scores[j] || i - j);
  return order.find(fits) ?? null;
}

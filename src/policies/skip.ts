/**
 * Incremental decisions for the planning policies (planning-policy.ts): what a decision that
 * found nothing planned from (`skipSnapshot`), and whether the next decision's inputs have moved
 * since beyond the tolerance (`unmoved`).
 *
 * With `skipTolerance` (default SKIP_TOLERANCE) a decision is skipped, without
 * calling the PRE, when the last decision that planned found nothing to do and nothing it planned
 * from has moved since: the same planning base (map and active nodes), at least as little churn
 * budget left, total state within the tolerance, and a picture of the same shape whose load, in
 * every window and its tail, is within `skipTolerance` × a node's capacity of the earlier one's
 * on every node and every partition of the base and on every one of up to 1,024 equal slices of
 * the key space (finer than any partition the PRE would cut, coarse enough that arrival noise of
 * a window stays far below the tolerance), and with no node over capacity in any window where it
 * was not, or less, before. The PRE would then face the same problem to within that tolerance,
 * which it just found no plan for; a node running into overload always gets a decision. A
 * decision triggered between regular ones (the predictive policy's surprise check) is never
 * skipped (`PlanningPolicy.mayskip`).
 */
import type { PartitionMap } from '../model/partition-map.ts';

/**
 * Default `skipTolerance`: 3% of a node's capacity. Arrival noise of a window is far below it on
 * every load compared (a 1-minute window of a slice carrying 40 records/s is within ±0.8/s of its
 * rate, 0.03% of a 2,500/s node), so real change, not noise, ends a run of skips; and it stays
 * under the 5% saving a plan must clear (`threshold`) for the layouts the PRE compares. A node
 * newly over capacity, or further over, in any window of the picture always gets a decision.
 * How many decisions it skips, and its effect on outcomes: docs/bench-log.md (issue 21).
 */
export const SKIP_TOLERANCE = 0.03;

/** Most equal slices of the key space a skip compares loads on. */
const SKIP_SLICES = 1024;

/** Whether two maps have the same partitions (ids, boundaries) on the same nodes. */
function sameLayout(a: PartitionMap, b: PartitionMap): boolean {
  if (a === b) return true;
  if (a.ids.length !== b.ids.length) return false;
  for (let i = 0; i < a.ids.length; i++) if (a.ids[i] !== b.ids[i] || a.nodes[i] !== b.nodes[i] || a.boundaries[i + 1] !== b.boundaries[i + 1]) return false;
  return true;
}

/** What a decision that found nothing planned from, for `unmoved`. */
export interface SkipSnapshot {
  readonly base: PartitionMap;
  readonly nodes: string;
  readonly windowMs: number | undefined;
  /** Per window (then per tail window): loads per node, per partition and per slice, concatenated. */
  readonly loads: Float64Array[];
  readonly state: number;
  readonly churnLeft: number | null;
}

/** The inputs `unmoved` compares: loads per node, partition and slice of each window and tail window. */
export function skipSnapshot(pic: { readonly windows: Float64Array[]; readonly upper?: Float64Array[]; readonly windowMs?: number }, base: PartitionMap, nodes: readonly number[], stateBytes: Float64Array, churnLeft: number | null, buckets: number): SkipSnapshot {
  const B = buckets;
  const S = Math.min(B, SKIP_SLICES);
  const P = base.ids.length;
  const N = base.nodes.reduce((a, n) => Math.max(a, n + 1), 0);
  const cuts = Int32Array.from(base.boundaries);
  const slices = Int32Array.from({ length: S + 1 }, (_, k) => Math.floor((k * B) / S));
  const sums = (w: Float64Array) => {
    const out = new Float64Array(N + P + S);
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let b = cuts[p], hi = cuts[p + 1]; b < hi; b++) s += w[b];
      out[N + p] = s;
      out[base.nodes[p]] += s;
    }
    for (let k = 0; k < S; k++) {
      let s = 0;
      for (let b = slices[k], hi = slices[k + 1]; b < hi; b++) s += w[b];
      out[N + P + k] = s;
    }
    return out;
  };
  let state = 0;
  for (let b = 0; b < stateBytes.length; b++) state += stateBytes[b];
  return { base, nodes: nodes.join(','), windowMs: pic.windowMs, loads: [...pic.windows, ...(pic.upper ?? [])].map(sums), state, churnLeft };
}

/** Whether nothing the PRE plans from moved beyond `tol` × `nodeCapacity` between the snapshots `a` (earlier) and `b` (see the file comment). */
export function unmoved(a: SkipSnapshot, b: SkipSnapshot, tol: number, nodeCapacity: number): boolean {
  if (!sameLayout(a.base, b.base) || a.nodes !== b.nodes || a.windowMs !== b.windowMs || a.loads.length !== b.loads.length) return false;
  if (a.churnLeft !== null && (b.churnLeft === null || b.churnLeft < a.churnLeft)) return false;
  if (Math.abs(b.state - a.state) > tol * Math.max(a.state, 1)) return false;
  const lim = tol * nodeCapacity;
  const cap = nodeCapacity;
  const N = b.base.nodes.reduce((m, n) => Math.max(m, n + 1), 0);
  for (let w = 0; w < a.loads.length; w++) {
    const x = a.loads[w];
    const y = b.loads[w];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i] - y[i]) > lim) return false;
    // a node over capacity now, and more than at the decision that found nothing: decide
    for (let n = 0; n < N; n++) if (y[n] > cap && y[n] > x[n]) return false;
  }
  return true;
}

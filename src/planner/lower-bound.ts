/**
 * A cheap lower bound on the cost of every feasible layout, so that a decision that cannot
 * possibly clear the savings threshold ends before any search. Per search window and partition
 * count k it bounds the default terms from below:
 * - `imbalance` ≥ k · opt_k / total, where opt_k is the exact min-max cut of the window into k
 *   parts (the largest partition of any k-layout is at least that), blended with the tail like
 *   the term itself; with the count free only the cheap bound max(1, k · largest bucket / total);
 * - `node-balance` ≥ max(1, N · max(opt_k, largest bucket) / total): a node holds at least the
 *   largest partition;
 * - `overload` ≥ (max(0, total − N · nodeCapacity) + max over the two bounds of the partitions'
 *   excess: total − k · partitionCapacity, and Σ over buckets of the excess of one bucket) / total;
 * - every other term (movement, latency, extra soft terms) ≥ 0, hard terms = 0 when feasible.
 * The bound is the minimum over the counts a plan may end with. It never overestimates, so
 * skipping the search when `(current − bound) / current ≤ threshold` never hides a plan that
 * would have been proposed for its savings.
 */
import type { PlanContext } from './context.ts';
import type { CostModel } from './cost.ts';
import { exactBottleneck } from './exact.ts';

/** Largest single-bucket value of each window (from its prefix sums). */
function largestBuckets(prefixes: readonly Float64Array[]): Float64Array {
  return Float64Array.from(prefixes, (p) => {
    let m = 0;
    for (let j = 1; j < p.length; j++) {
      const v = p[j] - p[j - 1];
      if (v > m) m = v;
    }
    return m;
  });
}

/** Σ over buckets of max(0, value − cap), per window. */
function bucketExcess(prefixes: readonly Float64Array[], cap: number): Float64Array {
  return Float64Array.from(prefixes, (p) => {
    if (cap === Infinity) return 0;
    let s = 0;
    for (let j = 1; j < p.length; j++) s += Math.max(0, p[j] - p[j - 1] - cap);
    return s;
  });
}

/**
 * A lower bound on `totalCost` over every feasible layout for `ctx` (−Infinity when the model
 * has a negative weight, so nothing can be bounded). Costs O(windows · B) plus, with a fixed
 * partition count, one exact cut per window.
 */
export function costLowerBound(ctx: PlanContext, model: CostModel): number {
  let wImb = 0;
  let wNode = 0;
  let wOver = 0;
  for (let t = 0; t < model.terms.length; t++) {
    const term = model.terms[t];
    const w = model.weights[t];
    if (term.kind === 'hard') continue;
    if (w < 0) return -Infinity;
    if (term.name === 'imbalance') wImb += w;
    else if (term.name === 'node-balance') wNode += w;
    else if (term.name === 'overload') wOver += w;
  }
  const W = ctx.windowCount;
  const N = ctx.usableCount;
  const tw = ctx.tailWeight;
  const upper = ctx.upperPrefix;
  const maxB = largestBuckets(ctx.prefix);
  const maxBU = upper ? largestBuckets(upper) : maxB;
  const exU = bucketExcess(upper ?? ctx.prefix, ctx.partitionCapacity);
  const kMin = ctx.fixedK ?? 1;
  const kMax = ctx.fixedK ?? ctx.maxPartitions;
  // With a fixed count, the exact cut per window; else the largest bucket stands in for it.
  const opt = new Float64Array(W);
  const optU = new Float64Array(W);
  for (let w = 0; w < W; w++) {
    const fixed = ctx.fixedK !== undefined && ctx.fixedK <= ctx.buckets;
    opt[w] = fixed ? exactBottleneck(ctx.prefix[w], ctx.fixedK!) : maxB[w];
    optU[w] = fixed ? (upper ? exactBottleneck(upper[w], ctx.fixedK!) : opt[w]) : maxBU[w];
  }
  let best = Infinity;
  for (let k = kMin; k <= kMax; k++) {
    let s = 0;
    for (let w = 0; w < W; w++) {
      const t = ctx.totals[w];
      const partLb = Math.max(opt[w], t / k);
      if (wImb !== 0) {
        let r = t > 0 ? (k * partLb) / t : 1;
        if (tw > 0) {
          const tu = ctx.upperTotals![w];
          const ru = tu > 0 ? (k * Math.max(optU[w], tu / k)) / tu : 1;
          r = (1 - tw) * r + tw * ru;
        }
        s += wImb * r;
      }
      if (wNode !== 0) s += wNode * (t > 0 ? Math.max(1, (N * partLb) / t) : 1);
      if (wOver !== 0) {
        const tu = upper ? ctx.upperTotals![w] : t;
        if (tu > 0) {
          const nodeOver = Math.max(0, tu - N * ctx.nodeCapacity);
          const partOver = Math.max(exU[w], ctx.partitionCapacity === Infinity ? 0 : tu - k * ctx.partitionCapacity);
          s += (wOver * (nodeOver + partOver)) / tu;
        }
      }
    }
    s /= W;
    if (s < best) best = s;
  }
  return best;
}

/**
 * Soft term `imbalance` (weight `goals.imbalance`): time-mean over the horizon windows of the
 * largest partition load divided by the mean partition load (total ÷ the layout's own count).
 * With a tail forecast it blends the expected and the tail (p90) ratios by `tailWeight`. 1 is
 * perfect balance; this is the summary's `meanImbalance` as a forecast.
 *
 * Measuring against the layout's own count (not the current one) keeps the count from
 * ratcheting up plan after plan: splitting a cold partition makes this worse, merging two cold
 * ones makes it better, and splitting the hottest pays only if it really lowers the maximum.
 * `node-balance` pulls the other way (finer partitions pack nodes better), so the count settles
 * where partitions are about as hot as the hottest unsplittable bucket allows.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const imbalanceTerm: CostTerm = {
  name: 'imbalance',
  kind: 'soft',
  timed: true,
  weight: (g) => g.imbalance,
  value(v: LayoutView): number {
    const ctx = v.ctx;
    const tw = ctx.tailWeight;
    let s = 0;
    for (let w = 0; w < ctx.windowCount; w++) {
      const t = ctx.totals[w];
      let r = t > 0 ? v.maxPartitionLoad(w) / (t / v.k) : 1;
      if (tw > 0) {
        const tu = ctx.upperTotals![w];
        const ru = tu > 0 ? v.maxPartitionUpper(w) / (tu / v.k) : 1;
        r = (1 - tw) * r + tw * ru;
      }
      s += r;
    }
    return s / ctx.windowCount;
  },
};

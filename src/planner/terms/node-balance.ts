/**
 * Soft term `node-balance` (weight 0.25 × `goals.imbalance`): time-mean of the largest node load
 * divided by the mean node load (expected load). It places partitions evenly before any node is
 * overloaded; it weighs less than `imbalance` so that the partition cut, which the node placement
 * cannot fix, comes first.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const NODE_BALANCE_WEIGHT_FACTOR = 0.25;

export const nodeBalanceTerm: CostTerm = {
  name: 'node-balance',
  kind: 'soft',
  timed: true,
  weight: (g) => NODE_BALANCE_WEIGHT_FACTOR * g.imbalance,
  value(v: LayoutView): number {
    const ctx = v.ctx;
    const N = ctx.usableCount;
    let s = 0;
    for (let w = 0; w < ctx.windowCount; w++) {
      const t = ctx.totals[w];
      if (!(t > 0)) {
        s += 1;
        continue;
      }
      s += v.maxNodeLoad(w) / (t / N);
    }
    return s / ctx.windowCount;
  },
};

/**
 * Soft term `partition-growth` (weight 0.1 × `goals.imbalance`): partitions beyond the reference
 * count, as a fraction of it. Every split must pay for itself, so the count does not ratchet up
 * from plan to plan. (With `goals.partitionCount` the count is fixed and this is 0.)
 */
import type { CostTerm } from '../cost.ts';
import type { LayoutView } from '../layout-state.ts';

export const GROWTH_WEIGHT_FACTOR = 0.1;

export const partitionGrowthTerm: CostTerm = {
  name: 'partition-growth',
  kind: 'soft',
  weight: (g) => GROWTH_WEIGHT_FACTOR * g.imbalance,
  value(v: LayoutView): number {
    return Math.max(0, v.k - v.ctx.kRef) / v.ctx.kRef;
  },
};

/**
 * Hard term `partition-count`: at most `maxPartitions` partitions, and exactly
 * `goals.partitionCount` when the goals ask for it. The value is how many partitions too many or
 * too few.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const partitionCountTerm: CostTerm = {
  name: 'partition-count',
  kind: 'hard',
  weight: () => 1,
  value(v: LayoutView): number {
    const ctx = v.ctx;
    if (ctx.fixedK !== undefined) return Math.abs(v.k - ctx.fixedK);
    return Math.max(0, v.k - ctx.maxPartitions);
  },
  describe(v: LayoutView): string[] {
    const ctx = v.ctx;
    if (ctx.fixedK !== undefined && v.k !== ctx.fixedK) return [`${v.k} partitions, the goals ask for ${ctx.fixedK}`];
    if (v.k > ctx.maxPartitions) return [`${v.k} partitions, more than maxPartitions ${ctx.maxPartitions}`];
    return [];
  },
};

/**
 * Hard term `valid-nodes`: every partition on an existing node (`0 … nodes − 1`). A map that
 * still uses a removed node makes the planner move those partitions off it.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const validNodesTerm: CostTerm = {
  name: 'valid-nodes',
  kind: 'hard',
  weight: () => 1,
  value: (v: LayoutView) => v.invalidNodes,
  describe: (v: LayoutView) => (v.invalidNodes > 0 ? [`${v.invalidNodes} partitions on nodes ≥ ${v.ctx.nodeCount}`] : []),
};

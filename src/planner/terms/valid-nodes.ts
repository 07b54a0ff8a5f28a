/**
 * Hard term `valid-nodes`: every partition on a node that may hold partitions (`0 … nodes − 1`,
 * not listed `inactive`). A map that still uses a removed node makes the planner move those
 * partitions off it, and no plan puts one on such a node.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const validNodesTerm: CostTerm = {
  name: 'valid-nodes',
  kind: 'hard',
  weight: () => 1,
  value: (v: LayoutView) => v.invalidNodes,
  describe: (v: LayoutView) => (v.invalidNodes > 0 ? [`${v.invalidNodes} partitions on nodes that are removed or inactive`] : []),
};

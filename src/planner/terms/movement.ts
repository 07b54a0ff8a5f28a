/**
 * Soft term `movement` (weight `goals.movement`): the share of all state bytes that change node
 * (moves, and the halves that creates send). 0 for no movement, 1 when everything moves.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const movementTerm: CostTerm = {
  name: 'movement',
  kind: 'soft',
  weight: (g) => g.movement,
  value(v: LayoutView): number {
    const total = v.ctx.totalState;
    return total > 0 ? Math.max(0, v.movedBytes) / total : 0;
  },
};

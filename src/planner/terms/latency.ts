/**
 * Soft term `latency` (weight `goals.latency`): records that wait out operation pauses, in
 * stall-seconds (records waiting ÷ mean total records/s). A split or merge pauses the partitions
 * it touches for the split/merge pause; a move pauses the moved records for the move pause. The
 * estimate works on the layout (each new boundary is a split, each dropped one a merge), so it
 * is exact for the actions `deriveActions` emits up to their order.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const latencyTerm: CostTerm = {
  name: 'latency',
  kind: 'soft',
  weight: (g) => g.latency,
  value(v: LayoutView): number {
    return Math.max(0, v.boundaryPenalty + v.ctx.movePenaltyPerLoad * Math.max(0, v.movedLoad));
  },
};

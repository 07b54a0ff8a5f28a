/**
 * What one term of the cost model is (`CostTerm`), apart from the model that sums the terms
 * (`cost.ts`): the terms in `terms/` implement it and the model imports them, so the contract
 * lives here, where both can import it without an import cycle.
 */
import type { LayoutView } from './layout-state.ts';
import type { Goals } from './types.ts';

/** One term of the cost. Implementations live in `terms/`, one per file. */
export interface CostTerm {
  /** Stable name (`imbalance`, `movement`, …), used for weight overrides and reports. */
  readonly name: string;
  readonly kind: 'hard' | 'soft';
  /**
   * True for a soft term read from the load picture (imbalance, overload, node balance): while a
   * plan runs, the old layout's value holds (see `CostModel.lag`).
   */
  readonly timed?: boolean;
  /** Weight from the goals (soft terms); hard terms ignore it. */
  weight(goals: Goals): number;
  /** Soft: score ≥ 0. Hard: 0 when satisfied, else the size of the violation. */
  value(view: LayoutView): number;
  /** Hard terms: what is violated, for messages. */
  describe?(view: LayoutView): string[];
}

/**
 * Hard term `churn-budget`: a plan may send at most `budgetBytes` of state between nodes — what is
 * left of a policy's churn budget in the current rolling hour (planning-policy.ts). Production
 * balancers live under such budgets (Slicer moves at most a fixed share of keys per round; Cruise
 * Control caps concurrent moves and throttles bandwidth; TiKV PD has store limits). The value is
 * the excess as a share of all state, so the searches are guided back under the budget.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export function churnBudgetTerm(budgetBytes: number): CostTerm {
  return {
    name: 'churn-budget',
    kind: 'hard',
    weight: () => 1,
    value(v: LayoutView): number {
      const over = v.movedBytes - budgetBytes;
      if (!(over > 1e-6 * Math.max(1, budgetBytes))) return 0;
      return over / Math.max(1, v.ctx.totalState);
    },
    describe(v: LayoutView): string[] {
      return v.movedBytes > budgetBytes ? [`moves ${Math.round(v.movedBytes)} bytes, the churn budget has ${Math.round(budgetBytes)} left this hour`] : [];
    },
  };
}

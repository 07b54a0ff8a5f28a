/**
 * The `exact` optimizer: the exact min-max cut of the (horizon-mean) expected load into the
 * target count, placed on nodes by LPT preferring home nodes. Optimal for pure partition balance
 * with one window; it ignores movement, so it is the yardstick, not a sensible plan when moving
 * state costs. It still never returns anything worse than the current map.
 */
import { totalCost } from '../cost.ts';
import { LayoutState } from '../layout-state.ts';
import type { Optimizer, SearchProblem, SearchResult } from '../optimizer.ts';
import type { Budget, Rng } from '../types.ts';

export function exact(): Optimizer {
  return {
    name: 'exact',
    optimize(problem: SearchProblem, _budget: Budget, _rng: Rng): SearchResult {
      const { ctx, model } = problem;
      // seeds[1] is the exact cut with home-preferring placement, seeds[0] the repaired current map.
      const cands = problem.seeds.length > 1 ? [problem.seeds[1], problem.seeds[0]] : [problem.seeds[0]];
      let best = cands[0];
      let bestCost = totalCost(model, new LayoutState(ctx, best));
      for (const l of cands.slice(1)) {
        const c = totalCost(model, new LayoutState(ctx, l));
        if (c < bestCost) {
          best = l;
          bestCost = c;
        }
      }
      return { layout: best, cost: bestCost, iterations: cands.length, ended: 'converged' };
    },
  };
}

/**
 * The optimizer interface: every search takes the same problem (context, cost model, seed
 * layouts), a budget and a random source, and returns the best layout it found. Implementations
 * live in `optimizers/`, one per file, and are picked by name through `makeOptimizer`.
 */
import type { PlanContext } from './context.ts';
import { totalCost, type CostModel } from './cost.ts';
import { LayoutState } from './layout-state.ts';
import type { Layout } from './layout.ts';
import type { Budget, Rng } from './types.ts';

/** What a search works on. */
export interface SearchProblem {
  readonly ctx: PlanContext;
  readonly model: CostModel;
  /** Starting layouts (see `seedLayouts`); a search returns nothing worse than the best of them. */
  readonly seeds: readonly Layout[];
}

/** What a search returns. */
export interface SearchResult {
  readonly layout: Layout;
  /** Its total cost under the problem's model. */
  readonly cost: number;
  /** Cost evaluations spent. */
  readonly iterations: number;
  readonly ended: 'budget' | 'converged' | 'stopped';
}

/** A search strategy. Must be deterministic for a given problem, budget and random sequence. */
export interface Optimizer {
  readonly name: string;
  optimize(problem: SearchProblem, budget: Budget, rng: Rng): SearchResult;
}

/** Evaluates every seed and returns the cheapest as a live state (ties: the earliest seed). */
export function bestSeed(problem: SearchProblem): { state: LayoutState; cost: number; index: number } {
  let best: LayoutState | undefined;
  let bestCost = Infinity;
  let index = -1;
  problem.seeds.forEach((l, i) => {
    const s = new LayoutState(problem.ctx, l);
    const c = totalCost(problem.model, s);
    if (c < bestCost) {
      best = s;
      bestCost = c;
      index = i;
    }
  });
  if (!best) throw new RangeError('a search needs at least one seed layout');
  return { state: best, cost: bestCost, index };
}

/** Polls `shouldStop` every 256 iterations (cheap; keeps a wall-clock budget responsive). */
export function stopper(budget: Budget): (it: number) => boolean {
  const f = budget.shouldStop;
  return f ? (it) => (it & 255) === 0 && f() : () => false;
}

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
  /**
   * The seeds already evaluated (fresh states, in seed order), when the caller needed their costs
   * first (the warm-start check): `seedStates` hands them out instead of building them again.
   * The search may change them; give a problem's starts to one search only.
   */
  readonly starts?: readonly { state: LayoutState; cost: number }[];
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

/** Every seed as a live state with its cost, in seed order (`problem.starts` when given). */
export function seedStates(problem: SearchProblem): { state: LayoutState; cost: number }[] {
  if (problem.starts) return [...problem.starts];
  return problem.seeds.map((l) => {
    const state = new LayoutState(problem.ctx, l);
    return { state, cost: totalCost(problem.model, state) };
  });
}

/** The cheapest of `seedStates` (ties: the earliest seed). */
export function cheapestSeed(states: readonly { state: LayoutState; cost: number }[]): { state: LayoutState; cost: number; index: number } {
  let index = -1;
  let bestCost = Infinity;
  states.forEach((s, i) => {
    if (s.cost < bestCost) {
      bestCost = s.cost;
      index = i;
    }
  });
  if (index < 0) throw new RangeError('a search needs at least one seed layout');
  return { state: states[index].state, cost: bestCost, index };
}

/** Evaluates every seed and returns the cheapest as a live state (ties: the earliest seed). */
export function bestSeed(problem: SearchProblem): { state: LayoutState; cost: number; index: number } {
  return cheapestSeed(seedStates(problem));
}

/** Polls `shouldStop` every 256 iterations (cheap; keeps a wall-clock budget responsive). */
export function stopper(budget: Budget): (it: number) => boolean {
  const f = budget.shouldStop;
  return f ? (it) => (it & 255) === 0 && f() : () => false;
}

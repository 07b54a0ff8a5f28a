/**
 * The `fast` optimizer: the `staged` search (exact structure first: capped cuts by a DP over
 * boundary shifts, then a node descent, then a short cold annealing run) at the settings that
 * keep a decision a few milliseconds: the target count and the count with the best pure-balance
 * bound only, three caps and one bisection step per count, 1% of the budget for the refinement.
 * On the captured decisions of `bench/plan-decisions.ts` it ends with a lower mean cost than
 * annealing and a much lower highest cost, at a fraction of its time (docs/bench-log.md).
 */
import type { Optimizer } from '../optimizer.ts';
import { staged, type StagedOptions } from './staged.ts';

/** The settings `fast` runs `staged` with. */
export const FAST_SETTINGS: StagedOptions = { maxCounts: 2, shares: [0.1, 0.4, 0.8], bisections: 1, refineShare: 0.01 };

export function fast(opts: StagedOptions = {}): Optimizer {
  const inner = staged({ ...FAST_SETTINGS, ...opts });
  return { name: 'fast', optimize: (problem, budget, rng) => inner.optimize(problem, budget, rng) };
}

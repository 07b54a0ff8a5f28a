/** The optimizers by name. */
import type { Optimizer } from '../optimizer.ts';
import type { OptimizerName } from '../types.ts';
import { annealing } from './annealing.ts';
import { genetic } from './genetic.ts';
import { greedy } from './greedy.ts';
import { exact } from './exact.ts';
import { staged } from './staged.ts';

export { annealing, genetic, greedy, exact, staged };

export const OPTIMIZERS: Readonly<Record<OptimizerName, () => Optimizer>> = {
  annealing: () => annealing(),
  genetic: () => genetic(),
  greedy: () => greedy(),
  exact: () => exact(),
  staged: () => staged(),
};

export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

/** The optimizer called `name`; throws RangeError for an unknown name. */
export function makeOptimizer(name: string): Optimizer {
  const f = (OPTIMIZERS as Record<string, () => Optimizer>)[name];
  if (!f) throw new RangeError(`unknown optimizer ${name} (known: ${OPTIMIZER_NAMES.join(', ')})`);
  return f();
}

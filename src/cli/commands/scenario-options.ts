/** Options shared by the commands that load a scenario: --seed, --policies, --set. */
import type { Argv } from 'yargs';
import { InputError } from '../../model/errors.ts';
import type { LoadOptions } from '../../scenario/load.ts';

export function scenarioOptions(y: Argv): Argv {
  return y
    .option('seed', { type: 'number', describe: "replace the scenario's seed" })
    .option('policies', { type: 'string', describe: 'comma-separated policy names to run (from the scenario)' })
    .option('set', { type: 'string', array: true, describe: 'override any field: path=value (repeatable)' });
}

/** Load options from parsed argv; bad values are input errors. */
export function scenarioLoadOptions(argv: Record<string, unknown>): LoadOptions {
  const seed = argv.seed as number | undefined;
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) {
    throw new InputError([{ file: '<cli>', path: '--seed', message: seedMessage(seed) }]);
  }
  const pol = argv.policies as string | undefined;
  const policies = pol === undefined ? undefined : pol.split(',').map((s) => s.trim()).filter(Boolean);
  // An empty --policies (an unset shell variable) would run every policy without a word: refuse.
  if (policies !== undefined && policies.length === 0) {
    throw new InputError([{ file: '<cli>', path: '--policies', message: `names no policy ('${pol}'): give comma-separated policy names of the scenario, or leave the flag out to run them all` }]);
  }
  return {
    seed,
    policies,
    sets: (argv.set as string[] | undefined) ?? [],
  };
}

/** `--seeds N` (how many seeds a run or check covers), or undefined; not 1–1000 is an input error. */
export function seedsOption(argv: Record<string, unknown>): number | undefined {
  if (argv.seeds === undefined) return undefined;
  const seeds = Number(argv.seeds);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 1000) {
    throw new InputError([{ file: '<cli>', path: '--seeds', message: `must be a whole number from 1 to 1000${Number.isNaN(seeds) ? '' : `, got '${String(argv.seeds)}'`}` }]);
  }
  return seeds;
}

/** `--workers N` (threads), or undefined; not a whole number ≥ 1 is an input error. */
export function workersOption(argv: Record<string, unknown>): number | undefined {
  if (argv.workers === undefined) return undefined;
  const workers = Number(argv.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new InputError([{ file: '<cli>', path: 'workers', message: `must be a whole number ≥ 1, got '${String(argv.workers)}'` }]);
  }
  return workers;
}

/** The problem with a `--seed` that is not a whole number ≥ 0 (yargs hands a word over as NaN: not named). */
export function seedMessage(seed: number): string {
  return `should be a whole number ≥ 0${Number.isNaN(seed) ? '' : `, not ${String(seed)}`}`;
}

/**
 * `keycast plan --input SNAPSHOT.json [--json] [--optimizer NAME]`: the PRE on a user's own
 * numbers. Reads a load snapshot (DESIGN.md, "keycast plan"), plans, and prints the plan as a
 * table or, with `--json`, as the contract's JSON document (also when nothing is proposed).
 * Bad input exits 2 with every problem as `FILE:LINE:COL field.path: message`.
 */
import type { KeycastCommand } from '../main.ts';

export const planCommand: KeycastCommand = {
  command: 'plan',
  describe: 'plan a repartitioning for a load snapshot (the PRE on your own numbers)',
  builder: (y) =>
    y
      .usage(
        'keycast plan --input SNAPSHOT.json [--json] [--optimizer NAME]\n\n' +
          'Plans splits, merges, creates and moves for the snapshot\'s load and prints the plan with its\n' +
          'predicted impact. Nothing is proposed unless the savings exceed the snapshot\'s threshold.',
      )
      .option('input', { type: 'string', demandOption: true, describe: 'snapshot JSON (see docs/planner.md)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON on stdout' })
      .option('optimizer', { type: 'string', choices: ['annealing', 'genetic', 'greedy', 'exact'], default: 'annealing', describe: 'search strategy' })
      .option('iterations', { type: 'number', default: 20000, describe: 'search budget (cost evaluations)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the search\'s random stream' })
      .option('time-budget', { type: 'string', describe: 'also stop the search after this wall-clock time (e.g. 2s)' })
      .option('threshold', { type: 'number', describe: 'override the snapshot\'s savings threshold (fraction)' }),
  run: async (argv) => runPlan(argv),
};

/** The command's work, callable from tests without yargs. Returns the exit code. */
export async function runPlan(argv: Record<string, unknown>): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const { inputError } = await import('../../model/errors.ts');
  const { parseSnapshot, planRepartition, planResultJson, formatPlanTable } = await import('../../planner/index.ts');
  const { RandomStream } = await import('../../engine/random.ts');
  const { parseDuration } = await import('../../scenario/units.ts');
  const file = String(argv.input);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(file, '', `cannot read the snapshot: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let input = parseSnapshot(text, file);
  if (argv.threshold !== undefined) {
    const t = Number(argv.threshold);
    if (!(t >= 0 && t <= 1)) throw inputError('<cli>', 'threshold', 'must be a fraction in [0, 1]');
    input = { ...input, threshold: t };
  }
  const iterations = Number(argv.iterations);
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw inputError('<cli>', 'iterations', 'must be a positive integer');
  let shouldStop: (() => boolean) | undefined;
  const tb = argv['time-budget'] ?? argv.timeBudget;
  if (tb !== undefined) {
    const ms = parseDuration(String(tb));
    if (ms === undefined || ms <= 0) throw inputError('<cli>', 'time-budget', `not a duration: ${String(tb)} (e.g. 500ms, 2s)`);
    const deadline = Date.now() + ms; // clock-ok: the CLI's optional wall-clock budget
    shouldStop = () => Date.now() >= deadline; // clock-ok
  }
  const result = planRepartition(input, {
    optimizer: argv.optimizer as 'annealing' | 'genetic' | 'greedy' | 'exact',
    iterations,
    rng: new RandomStream('plan', `plan/${Number(argv.seed)}`),
    shouldStop,
    basis: file,
    id: 'plan',
  });
  process.stdout.write(argv.json ? JSON.stringify(planResultJson(result), null, 2) + '\n' : formatPlanTable(result));
  return 0;
}

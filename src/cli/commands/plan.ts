/**
 * `keycast plan --input SNAPSHOT.json [--json] [--optimizer NAME] [--schedule]`: the PRE on a
 * user's own numbers. Reads a load snapshot (DESIGN.md, "keycast plan"), plans, and prints the
 * plan as a table or, with `--json`, as the contract's JSON document (also when nothing is
 * proposed). `--schedule` adds the APM's execution schedule estimate (`estimateSchedule`), from
 * the snapshot's `stateBytes` and cluster fields. Bad input exits 2 with every problem as
 * `FILE:LINE:COL field.path: message`.
 */
import type { KeycastCommand } from '../command.ts';
import type { OptimizerName, PlanInput } from '../../planner/index.ts';
import type { Schedule } from '../../manager/schedule.ts';
import { seedMessage } from './scenario-options.ts';

export const planCommand: KeycastCommand = {
  command: 'plan',
  describe: 'plan a repartitioning for a load snapshot (the PRE on your own numbers)',
  builder: (y) =>
    y
      .usage(
        'keycast plan --input SNAPSHOT.json [--json] [--optimizer NAME] [--schedule]\n\n' +
          'Plans splits, merges, creates and moves for the snapshot\'s load and prints the plan with its\n' +
          'predicted impact. Nothing is proposed unless the savings exceed the snapshot\'s threshold.',
      )
      .option('input', { type: 'string', demandOption: true, describe: 'snapshot JSON (see docs/planner.md)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON on stdout' })
      .option('optimizer', { type: 'string', choices: ['annealing', 'genetic', 'greedy', 'exact', 'staged'], default: 'annealing', describe: 'search strategy' })
      .option('iterations', { type: 'number', default: 20000, describe: 'search budget (cost evaluations)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the search\'s random stream' })
      .option('time-budget', { type: 'string', describe: 'also stop the search after this wall-clock time (e.g. 2s)' })
      .option('threshold', { type: 'number', describe: 'override the snapshot\'s savings threshold (fraction)' })
      .option('schedule', { type: 'boolean', default: false, describe: 'add the APM\'s execution schedule (batches, start and duration of each action)' }),
  run: async (argv) => runPlan(argv),
};

/** The command's work, callable from tests without yargs. Returns the exit code. */
export async function runPlan(argv: Record<string, unknown>): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const { inputError } = await import('../../model/errors.ts');
  const { parseSnapshot, planRepartition, planResultJson, formatPlanTable } = await import('../../planner/index.ts');
  const { estimateSchedule } = await import('../../manager/schedule.ts');
  const { RandomStream } = await import('../../engine/random.ts');
  const { parseDuration } = await import('../../model/units.ts');
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
  const seed = Number(argv.seed);
  if (!Number.isInteger(seed) || seed < 0) throw inputError('<cli>', '--seed', seedMessage(seed));
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
    optimizer: argv.optimizer as OptimizerName,
    iterations,
    rng: new RandomStream('plan', `plan/${seed}`),
    shouldStop,
    basis: file,
    id: 'plan',
    // One-shot: always search, so that a plan below the threshold is still shown as `candidate`.
    earlyExit: false,
  });
  const json = planResultJson(result);
  let out = argv.json ? '' : formatPlanTable(result);
  if (argv.schedule) {
    const { stateBytes, cluster } = await scheduleInputs(input);
    const shown = result.proposed ? result.plan : { ...result.plan, actions: [], dependsOn: [] };
    const schedule = estimateSchedule(shown, stateBytes, cluster);
    json.schedule = scheduleJson(schedule);
    if (!result.proposed && result.plan.actions.length > 0 && json.candidate) {
      (json.candidate as Record<string, unknown>).schedule = scheduleJson(estimateSchedule(result.plan, stateBytes, cluster));
    }
    if (!argv.json) {
      out += '\n' + formatSchedule(result.proposed ? schedule : estimateSchedule(result.plan, stateBytes, cluster), result.proposed ? 'schedule' : 'schedule of the best plan (not proposed)');
    }
  }
  process.stdout.write(argv.json ? JSON.stringify(json, null, 2) + '\n' : out);
  return 0;
}

/** The schedule's inputs: the snapshot's state bytes (else the planner's estimate) and cluster fields with the planner's defaults. */
async function scheduleInputs(input: PlanInput) {
  const { defaultStateBytes, DEFAULT_MOVE_BANDWIDTH, DEFAULT_PAUSES_MS, DEFAULT_MAX_CONCURRENT_OPS } = await import('../../planner/index.ts');
  let stateBytes: ArrayLike<number> | undefined = input.stateBytes;
  if (!stateBytes) {
    const B = input.map.buckets;
    const mean = new Float64Array(B);
    for (const w of input.windows) for (let j = 0; j < B; j++) mean[j] += w[j] / input.windows.length;
    stateBytes = defaultStateBytes(mean);
  }
  const c = input.cluster;
  return {
    stateBytes,
    cluster: {
      moveBandwidth: c.moveBandwidth ?? DEFAULT_MOVE_BANDWIDTH,
      pauses: { ...DEFAULT_PAUSES_MS, ...(c.pauses ?? {}) },
      maxConcurrentOps: c.maxConcurrentOps ?? DEFAULT_MAX_CONCURRENT_OPS,
    },
  };
}

/** The `schedule` JSON field. */
export function scheduleJson(s: Schedule): Record<string, unknown> {
  return {
    batches: s.batches,
    makespanMs: s.makespanMs,
    actions: s.actions.map((a) => ({
      index: a.index,
      kind: a.action.kind,
      partition: a.action.partition,
      batch: a.batch,
      startMs: a.startMs,
      durationMs: a.durationMs,
      bytes: a.bytes,
    })),
  };
}

/** The readable schedule table: one row per action in start order. */
export function formatSchedule(s: Schedule, title: string): string {
  const lines = [`${title}: ${s.actions.length} actions in ${s.batches} batches, makespan ${(s.makespanMs / 1000).toFixed(3)} s`];
  if (s.actions.length === 0) return lines.join('\n') + '\n';
  const rows = [['#', 'batch', 'start (s)', 'duration (s)', 'bytes', 'action']];
  const order = [...s.actions].sort((a, b) => a.startMs - b.startMs || a.index - b.index);
  for (const a of order) {
    const x = a.action;
    const what = x.kind === 'merge' ? `merge ${x.partition} + ${x.with}` : x.kind === 'move' ? `move ${x.partition} → node ${x.node}` : x.kind === 'create' ? `create ${x.partition} at ${x.at} → ${x.newId} on node ${x.node}` : `split ${x.partition} at ${x.at} → ${x.newId}`;
    rows.push([String(a.index + 1), String(a.batch + 1), (a.startMs / 1000).toFixed(3), (a.durationMs / 1000).toFixed(3), String(a.bytes), what]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) lines.push('  ' + r.map((v, c) => (c === r.length - 1 ? v : v.padStart(widths[c]))).join('  '));
  return lines.join('\n') + '\n';
}

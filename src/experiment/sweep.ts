/**
 * Sweeps: the scenario's `sweep.grid` × seeds, expanded in a fixed order (grid-major — the first
 * grid field outermost — then seed), optionally sharded (`--shard i/n`: run j goes to shard
 * (j mod n) + 1), each run summarised into rows of `results.csv`, and means with 95% confidence
 * intervals per grid point and policy in `aggregate.csv`. Merging shards reproduces the unsharded
 * `results.csv` byte for byte (except `wallMs`), because every row carries its run index. The
 * sweep id covers everything that makes the runs' rows, the policies run (`--policies`) included,
 * so shards of different sweeps are told apart. Before anything runs, `gridProblems` loads every
 * grid point as its runs will be, so that `sweep` and `validate` report every bad grid value at once.
 */
import { createHash } from 'node:crypto';
import type { LoadedScenario, LoadOptions, ScenarioLoader } from '../scenario/load.ts';
import { dedupe, withoutSeedSets } from '../scenario/yaml-doc.ts';
import { gather, InputError, type Problem } from '../model/errors.ts';
import type { PolicySummary, Summary } from './summary.ts';
import { splitCsv } from '../model/csv-line.ts';
import { parseDuration } from '../model/units.ts';

/** One run of a sweep. */
export interface SweepRun {
  /** Index in the unsharded order. */
  readonly index: number;
  /** Grid values of this run, in grid-field order. */
  readonly point: readonly (number | string | boolean)[];
  readonly seed: number;
  /** `--set` overrides that make this run. */
  readonly sets: readonly string[];
}

/** A sweep's plan: its fields, its runs (all, or one shard's), and an id that names the whole sweep. */
export interface SweepPlan {
  readonly fields: readonly string[];
  readonly runs: readonly SweepRun[];
  readonly total: number;
  readonly shard?: { readonly index: number; readonly count: number };
  /** Policies each run runs (the scenario's, or those `--policies` kept), in order: one row each. */
  readonly policies: readonly string[];
  /** Same for every shard of one sweep; differs between sweeps (scenario, grid, seeds, `--set`, policies). */
  readonly sweepId: string;
}

/** Parses `i/n` (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) {
    throw new InputError([{ file: '<cli>', path: '--shard', message: `'${text}' should be i/n with 1 ≤ i ≤ n (e.g. 2/8; a Kubernetes index is JOB_COMPLETION_INDEX+1)` }]);
  }
  return { index: i, count: n };
}

/** `field=value`: the setting of one grid value (a string quoted, so that YAML keeps it a string). */
const gridSet = (field: string, v: number | string | boolean): string => `${field}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;

/** Every combination of one index into each list (of the lengths given), the first list outermost. */
function indexPoints(lengths: readonly number[]): number[][] {
  let points: number[][] = [[]];
  for (const n of lengths) points = points.flatMap((p) => Array.from({ length: n }, (_, k) => [...p, k]));
  return points;
}

/** Expands the grid × seeds of a loaded scenario. */
export function planSweep(loaded: LoadedScenario, opts: { seeds?: number; shard?: { index: number; count: number }; extraSets?: readonly string[] } = {}): SweepPlan {
  const sc = loaded.scenario;
  const fields = Object.keys(sc.sweep.grid);
  const values = fields.map((f) => sc.sweep.grid[f]);
  const seeds = opts.seeds ?? sc.sweep.seeds;
  const points = indexPoints(values.map((vs) => vs.length)).map((ix) => ix.map((k, i) => values[i][k]));
  const all: SweepRun[] = [];
  for (const point of points) {
    for (let s = 0; s < seeds; s++) {
      const sets = fields.map((f, i) => gridSet(f, point[i]));
      all.push({ index: all.length, point, seed: sc.seed + s, sets });
    }
  }
  const runs = opts.shard ? all.filter((r) => r.index % opts.shard!.count === opts.shard!.index - 1) : all;
  // The scenario hash covers every policy defined, not which of them run: the names are hashed too.
  const policies = loaded.policies.map(([name]) => name);
  const sweepId = createHash('sha256')
    .update(JSON.stringify({ hash: loaded.hash, fields, values, seeds, base: sc.seed, extra: opts.extraSets ?? [], policies }))
    .digest('hex')
    .slice(0, 16);
  return { fields, runs, total: all.length, shard: opts.shard, policies, sweepId };
}

/**
 * Every problem of the scenario's grid values, all at once and deduplicated: each grid point of the
 * whole sweep (not one shard's: every shard then refuses a bad grid alike) is loaded as its runs
 * will be, the grid's settings applied after the command line's. A file's value is reported at its
 * grid field's line; a value that a `--set` gave (`--set 'sweep.grid={…}'`) as that flag's problem.
 * `file` is the scenario as `loaded` was loaded from; `opts` are the options it was loaded with.
 */
export function gridProblems(file: string, loaded: LoadedScenario, load: ScenarioLoader, opts: LoadOptions = {}): Problem[] {
  const grid = loaded.scenario.sweep.grid;
  const fields = Object.keys(grid);
  if (fields.length === 0) return [];
  // Each run has its own seed (from the scenario's): a `--set seed=…` chose the first and goes.
  const sets = withoutSeedSets(opts.sets ?? []);
  const problems: Problem[] = [];
  for (const ix of indexPoints(fields.map((f) => grid[f].length))) {
    const gridSets = fields.map((f, i) => gridSet(f, grid[f][ix[i]]));
    const found: Problem[] = [];
    gather(found, () => load(file, { ...opts, sets, gridSets, seed: loaded.scenario.seed }));
    problems.push(...found.map((p) => asFlagProblem(p, loaded.file, fields, ix, sets)));
  }
  return dedupe(problems);
}

/** `a.b[1].c` as `a.b.1.c`, the form grid fields and `--set` paths may take. */
const dotted = (path: string): string => path.replace(/\[(\d+)\]/g, '.$1');

/**
 * A grid value's problem (`sweep.grid.FIELD`) as the problem of the last `--set` that wrote the
 * value (the whole `sweep` or `sweep.grid`, the field, or its entry), or unchanged.
 */
function asFlagProblem(p: Problem, file: string, fields: readonly string[], ix: readonly number[], sets: readonly string[]): Problem {
  const at = p.file === file ? fields.findIndex((f) => dotted(p.path) === `sweep.grid.${f}`) : -1;
  if (at < 0) return p;
  const field = fields[at];
  // A dotted field is a key no `--set` path can name (it would nest): only a whole sweep or grid gives it.
  const writes = (target: string) => target === 'sweep' || target === 'sweep.grid' || (!field.includes('.') && (target === `sweep.grid.${field}` || target === `sweep.grid.${field}.${ix[at]}`));
  for (let k = sets.length - 1; k >= 0; k--) {
    const eq = sets[k].indexOf('=');
    if (eq > 0 && writes(dotted(sets[k].slice(0, eq).trim()))) return { file: '<cli>', path: `--set ${sets[k]}`, message: `${p.path}: ${p.message}` };
  }
  return p;
}

/** The metric columns of `results.csv`, in order (object metrics flattened as `operations.split`…). */
export const RESULT_METRICS: readonly string[] = [
  'records', 'servedRecords', 'backlogRecords', 'droppedRecords', 'p50LatencyMs', 'p95LatencyMs', 'p99LatencyMs', 'maxLatencyMs',
  'sloViolationRate', 'meanImbalance', 'maxUtilization', 'movedBytes',
  'operations.split', 'operations.merge', 'operations.move', 'operations.create', 'operations.failed', 'operations.rolledBack',
  'plans.proposed', 'plans.completed', 'plans.rolledBack', 'plans.superseded', 'plans.aborted',
  'disruptionMs', 'reconfigurationsPerDay', 'keyChurn', 'thrashing', 'invariantViolations', 'forecast.smape', 'forecast.mase', 'forecast.coverage80', 'regret.forecastCost', 'regret.optimizerCost', 'regret.executionLagMs', 'wallMs',
];

/** A metric of a policy summary by dotted name (NaN when absent, e.g. forecast of a non-forecasting policy). */
export function metricOf(p: PolicySummary, name: string): number {
  let v: unknown = p;
  for (const seg of name.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return typeof v === 'number' ? v : NaN;
}

const cell = (v: unknown): string => {
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Suffix of the column that follows a duration-valued grid field with its value in ms (`horizon` `15m`, `horizon.ms` 900000). */
export const MS_SUFFIX = '.ms';

/** Which grid fields hold durations (`15m`), judged by a run's values: those get a `<field>.ms` column beside them. */
export function durationFields(point: readonly (number | string | boolean)[]): boolean[] {
  return point.map((v) => typeof v === 'string' && parseDuration(v) !== undefined);
}

/** Header of `results.csv` (a duration field's label is followed by its value in ms, for notebooks). */
export function resultsHeader(fields: readonly string[], durations: readonly boolean[] = []): string {
  return ['run', ...fields.flatMap((f, i) => (durations[i] ? [f, f + MS_SUFFIX] : [f])), 'seed', 'policy', ...RESULT_METRICS].map(cell).join(',');
}

/** Rows of `results.csv` for one run (one per policy, in the scenario's policy order). */
export function resultRows(run: SweepRun, summary: Summary, durations: readonly boolean[] = []): string[] {
  const point = run.point.flatMap((v, i) => (durations[i] ? [v, parseDuration(String(v)) ?? ''] : [v]));
  return Object.entries(summary.policies).map(([name, p]) => [run.index, ...point, run.seed, name, ...RESULT_METRICS.map((m) => metricOf(p, m))].map(cell).join(','));
}

/** Two-sided 97.5% quantile of Student's t with `df` degrees of freedom (table, then 1.96). */
export function tQuantile975(df: number): number {
  const T = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df < 1) return NaN;
  if (df < T.length) return T[df];
  if (df <= 60) return 2.042 - ((df - 30) / 30) * (2.042 - 2.0);
  if (df <= 120) return 2.0 - ((df - 60) / 60) * (2.0 - 1.98);
  return 1.96;
}

/** Mean and 95% CI half-width (t-based) of values (NaN ignored). */
export function meanCi(xs: readonly number[]): { mean: number; ci95: number; n: number } {
  const v = xs.filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, ci95: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: NaN, n };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, ci95: (tQuantile975(n - 1) * sd) / Math.sqrt(n), n };
}

/** Metrics aggregated in `aggregate.csv` (wallMs left out: not a result). */
export const AGGREGATE_METRICS = RESULT_METRICS.filter((m) => m !== 'wallMs');

/** A parsed row of results.csv. */
export interface ResultRow {
  run: number;
  point: string[];
  seed: number;
  policy: string;
  values: Record<string, number>;
}

/** Parses results.csv text (as written by resultRows) back into rows. */
export function parseResults(text: string, file: string): { fields: string[]; rows: ResultRow[] } {
  const lines = text.trim().split('\n');
  const header = splitCsv(lines[0]);
  const seedAt = header.indexOf('seed');
  if (header[0] !== 'run' || seedAt < 1 || header[seedAt + 1] !== 'policy') throw new InputError([{ file, line: 1, path: '', message: 'not a keycast results.csv (header should be run, grid fields…, seed, policy, metrics…)' }]);
  // grid columns, less the `<field>.ms` companions of duration fields
  const at = header
    .slice(1, seedAt)
    .map((h, k) => ({ h, k: k + 1 }))
    .filter(({ h, k }) => !(h.endsWith(MS_SUFFIX) && header[k - 1] === h.slice(0, -MS_SUFFIX.length)));
  const fields = at.map((x) => x.h);
  const metrics = header.slice(seedAt + 2);
  const rows = lines.slice(1).map((l, i) => {
    const c = splitCsv(l);
    if (c.length !== header.length) throw new InputError([{ file, line: i + 2, path: '', message: `${c.length} fields, header has ${header.length}` }]);
    const values: Record<string, number> = {};
    metrics.forEach((m, k) => (values[m] = c[seedAt + 2 + k] === '' ? NaN : Number(c[seedAt + 2 + k])));
    return { run: Number(c[0]), point: at.map((x) => c[x.k]), seed: Number(c[seedAt]), policy: c[seedAt + 1], values };
  });
  return { fields, rows };
}

/** `aggregate.csv`: per grid point and policy, mean and 95% CI of each metric, in run order of first appearance. */
export function aggregateCsv(fields: readonly string[], rows: readonly ResultRow[]): string {
  const groups = new Map<string, ResultRow[]>();
  for (const r of [...rows].sort((a, b) => a.run - b.run)) {
    const key = JSON.stringify([r.point, r.policy]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const header = [...fields, 'policy', 'runs', ...AGGREGATE_METRICS.flatMap((m) => [`${m}.mean`, `${m}.ci95`])];
  const out = [header.map(cell).join(',')];
  for (const [key, rs] of groups) {
    const [point, policy] = JSON.parse(key) as [string[], string];
    const cells: (string | number)[] = [...point, policy, rs.length];
    for (const m of AGGREGATE_METRICS) {
      const { mean, ci95 } = meanCi(rs.map((r) => r.values[m]));
      cells.push(round(mean), round(ci95));
    }
    out.push(cells.map(cell).join(','));
  }
  return out.join('\n') + '\n';
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : NaN);

/**
 * The study's runner, part of the programmatic API (`npm run study`, bench/study.ts). Per
 * scenario of a study folder: the main multi-seed run (its first seed's report under
 * `runs/<name>/`) and the sweep, whose lanes are copies of the swept policies at each
 * aggressiveness setting — each threshold, and each churn budget at the policy's own threshold.
 * Since every random stream is keyed by a policy's spec and role, not its name, a copy decides
 * exactly as the policy would with that setting in a run of its own (tested).
 *
 * Every scenario's seed runs go into one queue for the worker threads
 * (experiment/study-task.ts): a seed's main and sweep lanes in one run (one workload for all),
 * except the first seed's main run, which streams the report's files. No scenario waits for
 * another, and no thread sits idle between a scenario's main run and its sweep; each
 * scenario's entry and report are made as soon as its seeds are in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadScenario, version } from './api.ts';
import { specKey } from './experiment/spec-key.ts';
import type { PolicySpec } from './scenario/schema.ts';
import type { LoadedScenario } from './scenario/load.ts';
import { studyEntry, type FrontPoint, type StudyEntry } from './experiment/study.ts';
import { combineSeeds, seedList, type SeedStats } from './experiment/seeds.ts';
import type { Summary } from './experiment/summary.ts';
import { resultFromWire, runStudyTask, type StudyTask, type StudyTaskResult } from './experiment/study-task.ts';
import { openDirAtomic, type StagedDir } from './io/atomic-dir.ts';
import { folderSpool } from './io/spool-files.ts';
import { studyPool } from './io/task-threads.ts';
import { KeycastError } from './model/errors.ts';
import { writeReportFiles } from './report/write-report.ts';

/** Policies whose aggressiveness the study sweeps: the fair reactive baseline and predictive. */
export const SWEPT = ['reactive_fair', 'predictive'] as const;
export const DEFAULT_THRESHOLDS = [0.02, 0.05, 0.1, 0.2];
/** Churn budgets swept, as shares of all state sent between nodes per rolling hour. */
export const DEFAULT_BUDGETS = [0.03, 0.1];
/**
 * Default cap on each study thread's heap, MB (`workerHeapMb`). A thread keeps about 100–250 MB
 * alive (a seed's 17 lanes); uncapped, V8 grows its heap lazily to several times that. The cap
 * makes it collect sooner, for a few percent more time (docs/bench-log.md).
 */
export const DEFAULT_WORKER_HEAP_MB = 1024;

export interface StudyOptions {
  /** Folder of the study's scenarios. */
  readonly dir: string;
  /** Output folder (results.json and index.html are written by the caller; runs/<name>/ here). */
  readonly out: string;
  /** Scenario names to run (empty: all). */
  readonly only?: readonly string[];
  /** `path=value` overrides for every run (those on a swept policy apply to its copies too). */
  readonly sets?: readonly string[];
  readonly seeds?: number;
  readonly thresholds?: readonly number[];
  readonly budgets?: readonly number[];
  readonly workers?: number;
  /** Cap on each worker thread's heap, MB (default DEFAULT_WORKER_HEAP_MB; 0: V8's own limit). */
  readonly workerHeapMb?: number;
  readonly log?: (line: string) => void;
}

/** One lane of the sweep run: a copy of `policy` at one setting. */
export interface SweepVariant {
  readonly lane: string;
  readonly policy: string;
  /** The threshold the copy runs at; undefined: the policy's own. */
  readonly threshold?: number;
  /** Churn budget (share of all state per hour); undefined: the policy's own. */
  readonly churnBudget?: number;
}

const tag = (x: number) => String(x).replace('.', '_');

/** The sweep's lanes for the swept policies present: every threshold, then every budget. */
export function sweepVariants(present: readonly string[], thresholds: readonly number[], budgets: readonly number[]): SweepVariant[] {
  const out: SweepVariant[] = [];
  for (const policy of SWEPT.filter((p) => present.includes(p))) {
    for (const t of thresholds) out.push({ lane: `${policy}_threshold_${tag(t)}`, policy, threshold: t });
    for (const b of budgets) out.push({ lane: `${policy}_budget_${tag(b)}`, policy, churnBudget: b });
  }
  return out;
}

/**
 * `--set` lines adding the variants as lanes: each a copy of its policy as written in the file,
 * with the setting changed, plus the run's own sets on that policy retargeted to the copy.
 */
export function variantSets(file: string, variants: readonly SweepVariant[], sets: readonly string[] = []): string[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { policies?: Record<string, Record<string, unknown>> };
  const out: string[] = [];
  for (const v of variants) {
    const spec = { ...(doc.policies?.[v.policy] ?? {}) };
    if (v.threshold !== undefined) spec.threshold = v.threshold;
    if (v.churnBudget !== undefined) spec.churnBudget = { stateSharePerHour: v.churnBudget };
    out.push(`policies.${v.lane}=${JSON.stringify(spec)}`);
    const prefix = `policies.${v.policy}.`;
    for (const s of sets) {
      if (!s.startsWith(prefix)) continue;
      const field = s.slice(prefix.length);
      // the copy's own setting wins over a set of the same field on the original
      if ((v.threshold !== undefined && field.startsWith('threshold=')) || (v.churnBudget !== undefined && field.startsWith('churnBudget'))) continue;
      out.push(`policies.${v.lane}.${field}`);
    }
  }
  return out;
}

const statsOf = (s: Summary, lane: string, metric: 'sloViolationRate' | 'movedBytes'): SeedStats => {
  const st = s.seeds?.policies[lane]?.[metric];
  if (st) return st;
  const v = s.policies[lane][metric];
  return { mean: v, lo: v, hi: v, values: [v] };
};

/** The study's scenario files in `dir` (sorted; restricted to `only` when given). */
export function studyFiles(dir: string, only: readonly string[] = []): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && (only.length === 0 || only.includes(f.replace(/\.yaml$/, ''))))
    .sort()
    .map((f) => path.join(dir, f));
}

/** One scenario of the study, loaded and its runs laid out. */
interface Planned {
  readonly file: string;
  readonly entryFile: string;
  readonly loaded: LoadedScenario;
  readonly seeds: readonly number[];
  readonly variants: readonly SweepVariant[];
  /** The sweep's lanes that run (a setting equal to the policy's own is the main lane's). */
  readonly fresh: readonly SweepVariant[];
  /** Sets of the sweep's lanes (the main sets first). */
  readonly vsets: readonly string[];
  /** Each sweep lane's spec as loaded. */
  readonly resolved: Record<string, PolicySpec>;
  /** The report's temporary folder (`runs/<name>/`). */
  readonly staged: StagedDir;
}

/**
 * Loads a scenario of the study and lays out its sweep. A sweep setting that resolves to the
 * policy's own spec (its own threshold, say: the same `specKey`, the key of its random streams)
 * is not run again: the copy would decide exactly as the main lane does, so its point is that
 * lane's figures.
 */
function plan(file: string, o: StudyOptions, entryFile: string): Omit<Planned, 'staged'> {
  const sets = o.sets ?? [];
  const loaded = loadScenario(file, { sets });
  const seeds = seedList(loaded, o.seeds ?? loaded.scenario.seeds);
  const variants = sweepVariants(
    loaded.policies.map(([n]) => n),
    o.thresholds ?? DEFAULT_THRESHOLDS,
    o.budgets ?? DEFAULT_BUDGETS,
  );
  const vsets = [...sets, ...variantSets(file, variants, sets)];
  if (variants.length === 0) return { file, entryFile, loaded, seeds, variants, fresh: [], vsets, resolved: {} };
  const resolved = Object.fromEntries(loadScenario(file, { sets: vsets, policies: variants.map((v) => v.lane) }).policies);
  const own = Object.fromEntries(loaded.policies);
  const fresh = variants.filter((v) => specKey(resolved[v.lane]) !== specKey(own[v.policy]));
  o.log?.(`study: ${loaded.scenario.name}: sweep, ${fresh.length} lanes (${variants.length - fresh.length} the same as the main run's)`);
  return { file, entryFile, loaded, seeds, variants, fresh, vsets, resolved };
}

/**
 * A scenario's seed runs: each seed but the first with its main and sweep lanes together, then
 * the first seed's report run and its sweep (the report's result is held only until the
 * scenario is assembled; the queue ends on a short task).
 */
function tasksOf(p: Planned, sets: readonly string[], v: string): StudyTask[] {
  const file = path.resolve(p.file);
  const sweep = p.fresh.length ? { sets: p.vsets, policies: p.fresh.map((x) => x.lane) } : undefined;
  const [first, ...others] = p.seeds;
  return [
    ...others.map((seed) => ({ file, seed, version: v, main: sets, ...(sweep ? { sweep } : {}) })),
    { file, seed: first, version: v, main: sets, spoolDir: p.staged.dir },
    ...(sweep ? [{ file, seed: first, version: v, sweep }] : []),
  ];
}

/** A scenario's entry from its tasks' results (`tasksOf`'s order); writes and commits its report. */
function finish(p: Planned, results: readonly StudyTaskResult[]): StudyEntry {
  const report = results.find((r) => r.result)!;
  const bySeed = (pick: (r: StudyTaskResult) => Summary | undefined) =>
    results
      .map(pick)
      .filter((s): s is Summary => s !== undefined)
      .sort((a, b) => a.seed - b.seed);
  const mains = bySeed((r) => r.main);
  const main = mains.length > 1 ? combineSeeds(p.loaded, mains) : mains[0];
  writeReportFiles(p.staged.dir, resultFromWire(report.result!, p.loaded), main);
  p.staged.commit();
  const sweeps = bySeed((r) => r.sweep);
  const sweepLoaded = sweeps.length ? loadScenario(p.file, { sets: p.vsets, policies: p.fresh.map((x) => x.lane) }) : undefined;
  const r = sweepLoaded ? (sweeps.length > 1 ? combineSeeds(sweepLoaded, sweeps) : sweeps[0]) : null;
  const front: Omit<FrontPoint, 'pareto'>[] = [];
  for (const v of p.variants) {
    const spec = p.resolved[v.lane] as PolicySpec & { threshold: number; churnBudget?: { stateSharePerHour?: number } };
    const [summary, lane] = r && p.fresh.includes(v) ? [r, v.lane] : [main, v.policy];
    front.push({
      policy: v.policy,
      threshold: spec.threshold,
      ...(spec.churnBudget?.stateSharePerHour !== undefined ? { churnBudget: spec.churnBudget.stateSharePerHour } : {}),
      sloViolationRate: statsOf(summary, lane, 'sloViolationRate'),
      movedBytes: statsOf(summary, lane, 'movedBytes'),
    });
  }
  return studyEntry(p.entryFile, main, front);
}

/**
 * Runs the study of `files` (entries in their order; `entryFile` names each in its entry): every
 * seed run of every scenario queued at once on `o.workers` threads (default: the cores; 1 runs
 * them in this thread). Each report is written under `<out>/runs/<name>/` atomically once its
 * scenario's seeds are in; on failure nothing more is written and the threads end.
 */
export async function runStudy(files: readonly string[], o: StudyOptions, entryFile: (file: string) => string = (f) => f): Promise<StudyEntry[]> {
  const sets = o.sets ?? [];
  const v = version();
  const layouts = files.map((f) => plan(f, o, entryFile(f))); // bad input throws before anything is written
  const planned: Planned[] = [];
  try {
    for (const l of layouts) planned.push({ ...l, staged: openDirAtomic(path.join(o.out, 'runs', l.loaded.scenario.name)) });
  } catch (err) {
    for (const p of planned) p.staged.abort();
    throw err;
  }
  const tasks = planned.map((p) => tasksOf(p, sets, v));
  const total = tasks.reduce((a, t) => a + t.length, 0);
  const threads = Math.max(1, Math.min(o.workers ?? os.availableParallelism(), total));
  const heapMb = o.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  const pool = threads > 1 ? await studyPool(threads, heapMb || undefined).catch(() => null) : null; // no threads: the same results in this one
  const run = (t: StudyTask) => (pool ? pool.run(t) : Promise.resolve().then(() => runStudyTask(t, loadScenario, folderSpool)));
  const entries: StudyEntry[] = [];
  try {
    // Every task is posted at once, so the threads never wait for a scenario to be assembled.
    const pending = pool ? tasks.map((ts) => ts.map(run)) : null;
    for (const promise of pending?.flat() ?? []) promise.catch(() => {}); // awaited below, in order
    for (const [i, p] of planned.entries()) {
      const results: StudyTaskResult[] = [];
      for (const [j, t] of tasks[i].entries()) results.push(await (pending ? pending[i][j] : run(t)));
      entries.push(finish(p, results));
      o.log?.(`study: ${p.loaded.scenario.name}: done (${p.seeds.length} seed(s))`);
    }
  } catch (err) {
    for (const p of planned.slice(entries.length)) p.staged.abort();
    if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      throw new KeycastError('OUT_OF_MEMORY', `a study thread ran out of its ${heapMb} MB heap: raise it (--worker-heap MB, or 0 for V8's own limit)`, { cause: err });
    }
    throw err;
  } finally {
    await pool?.stop();
  }
  return entries;
}

/** Runs one scenario of the study: `runStudy` of that file alone. */
export async function runStudyScenario(file: string, o: StudyOptions, entryFile: string): Promise<StudyEntry> {
  return (await runStudy([file], o, () => entryFile))[0];
}

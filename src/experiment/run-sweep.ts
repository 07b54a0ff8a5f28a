/**
 * Runs a sweep (or one shard of it) in parallel threads (through the `TaskRunner` it is given,
 * io/task-threads.ts; in this thread when `workers` is 1 or there is none) and returns its
 * results (`results.csv`'s text) and manifest; merges the shards of a sweep. Writing and reading
 * sweep folders is io/sweep-dir.ts.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadOptions, ScenarioLoader } from '../scenario/load.ts';
import { InputError } from '../model/errors.ts';
import { runTask, type SweepTask, type TaskRunner } from './sweep-task.ts';
import { withoutSeedSets } from '../scenario/yaml-doc.ts';
import { durationFields, planSweep, resultRows, resultsHeader, type SweepPlan } from './sweep.ts';
import type { Summary } from './summary.ts';

export interface SweepOptions extends LoadOptions {
  /** Checks the output folder once the scenario is known good (before any run); throws to stop. */
  readonly checkOut?: () => void;
  readonly workers?: number;
  readonly shard?: { index: number; count: number };
  readonly seeds?: number;
  readonly version: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Loads the scenario and each grid point (io/load-scenario.ts). */
  readonly load: ScenarioLoader;
  /** Runs the points in other threads; without it they run in this thread. */
  readonly runner?: TaskRunner;
}

/** The manifest of a sweep output folder (`sweep.json`). */
export interface SweepManifest {
  readonly sweepId: string;
  readonly scenario: string;
  readonly scenarioHash: string;
  readonly fields: readonly string[];
  readonly total: number;
  readonly shard?: { index: number; count: number };
  readonly runs: readonly number[];
  /** Policy name → kind, so every page colours a kind alike. */
  readonly kinds?: Record<string, string>;
}

/** Runs the sweep; returns its plan and manifest. Bad input throws InputError before anything runs. */
export async function runSweep(file: string, opts: SweepOptions): Promise<{ plan: SweepPlan; manifest: SweepManifest; resultsText: string }> {
  const load = opts.load;
  const loaded = load(file, opts);
  opts.checkOut?.();
  const plan = planSweep(loaded, { seeds: opts.seeds, shard: opts.shard, extraSets: opts.sets });
  // Validate every grid point up front: a bad value is exit 2 before any run.
  // Once per grid point (its first run in this shard, whatever its seed).
  const firstOfPoint = new Map<string, (typeof plan.runs)[number]>();
  for (const r of plan.runs) {
    const key = JSON.stringify(r.point);
    if (!firstOfPoint.has(key)) firstOfPoint.set(key, r);
  }
  // Each run has its own seed (from the scenario's): a `--set seed=…` chose the first and goes.
  const sets = withoutSeedSets(opts.sets ?? []);
  for (const run of firstOfPoint.values()) load(file, { ...opts, sets, gridSets: run.sets, seed: run.seed });
  const tasks: SweepTask[] = plan.runs.map((r) => ({ file: path.resolve(loaded.file), sets: [...sets, ...r.sets], seed: r.seed, policies: opts.policies, version: opts.version }));
  const workers = Math.max(1, Math.min(opts.workers ?? Math.max(1, os.availableParallelism() - 0), tasks.length));
  const summaries: Summary[] = new Array(tasks.length);
  let done = 0;
  opts.onProgress?.(0, tasks.length);
  if (workers === 1 || !opts.runner) {
    tasks.forEach((t, i) => {
      summaries[i] = runTask(t, load);
      opts.onProgress?.(++done, tasks.length);
    });
  } else {
    const running = await opts.runner(tasks, workers, () => opts.onProgress?.(++done, tasks.length));
    try {
      (await running.results()).forEach((s, i) => (summaries[i] = s));
    } finally {
      await running.stop();
    }
  }
  const durations = durationFields(plan.runs[0]?.point ?? []);
  const lines = [resultsHeader(plan.fields, durations)];
  plan.runs.forEach((r, i) => lines.push(...resultRows(r, summaries[i], durations)));
  const resultsText = lines.join('\n') + '\n';
  const manifest: SweepManifest = {
    sweepId: plan.sweepId,
    scenario: loaded.scenario.name,
    scenarioHash: loaded.hash,
    fields: plan.fields,
    total: plan.total,
    ...(plan.shard ? { shard: plan.shard } : {}),
    runs: plan.runs.map((r) => r.index),
    kinds: Object.fromEntries(Object.entries(loaded.scenario.policies ?? {}).map(([n, p]) => [n, p.kind])),
  };
  return { plan, manifest, resultsText };
}

/** One shard folder as read (io/sweep-dir.ts): its folder, manifest and results.csv text. */
export interface SweepShard {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly text: string;
}

/**
 * Merges the shards of one sweep into the unsharded result: every run exactly once, rows in run
 * order (each run's policies in their order). Shards of different sweeps, a run in two shards or
 * missing runs are bad input (every problem at once).
 */
export function mergeShards(ok: readonly SweepShard[]): { manifest: SweepManifest; text: string } {
  const problems: { file: string; path: string; message: string }[] = [];
  const first = ok[0].manifest;
  const seen = new Set<number>();
  for (const p of ok) {
    if (p.manifest.sweepId !== first.sweepId) problems.push({ file: path.join(p.dir, 'sweep.json'), path: 'sweepId', message: `shard of another sweep (${p.manifest.sweepId}, not ${first.sweepId})` });
    for (const r of p.manifest.runs) {
      if (seen.has(r)) problems.push({ file: path.join(p.dir, 'sweep.json'), path: 'runs', message: `run ${r} appears in more than one shard` });
      seen.add(r);
    }
  }
  if (problems.length === 0 && seen.size !== first.total) {
    const missing = Array.from({ length: first.total }, (_, i) => i).filter((i) => !seen.has(i));
    problems.push({ file: '<cli>', path: 'shards', message: `runs missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''} (${missing.length} of ${first.total}); pass every shard` });
  }
  if (problems.length) throw new InputError(problems);
  const header = ok[0].text.split('\n')[0];
  const rows = ok.flatMap((p) => p.text.trim().split('\n').slice(1)).map((l) => ({ l, run: Number(l.slice(0, l.indexOf(','))) }));
  rows.sort((a, b) => a.run - b.run);
  // Within one run, rows keep their policy order (stable sort).
  const text = [header, ...rows.map((r) => r.l)].join('\n') + '\n';
  const manifest: SweepManifest = { ...first, shard: undefined, runs: Array.from({ length: first.total }, (_, i) => i) };
  delete (manifest as { shard?: unknown }).shard;
  return { manifest, text };
}

/**
 * Runs a sweep (or one shard of it) in parallel threads (through the `TaskRunner` it is given,
 * io/task-threads.ts; in this thread when `workers` is 1 or there is none) and returns its
 * results (`results.csv`'s text) and manifest; merges the shards of a sweep, refusing shards of
 * different sweeps (scenario, grid, seeds or policies differ) and shards whose `results.csv` does
 * not hold exactly the rows their `sweep.json` declares. Writing and reading sweep folders is
 * io/sweep-dir.ts.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadOptions, ScenarioLoader } from '../scenario/load.ts';
import { allProblems, InputError, type Problem } from '../model/errors.ts';
import { runTask, type SweepTask, type TaskRunner } from './sweep-task.ts';
import { withoutSeedSets } from '../scenario/yaml-doc.ts';
import { splitCsv } from '../model/csv-line.ts';
import { durationFields, gridProblems, planSweep, resultRows, resultsHeader, type SweepPlan } from './sweep.ts';
import type { Summary } from './summary.ts';

export interface SweepOptions extends LoadOptions {
  /** Checks the output folder once the scenario file is known good (before any run, beside the grid's values); throws to stop. */
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
  /** Policies each run ran, in row order (absent in folders of older keycast versions). */
  readonly policies?: readonly string[];
  /** Policy name → kind of the policies run, so every page colours a kind alike. */
  readonly kinds?: Record<string, string>;
}

/** Runs the sweep; returns its plan and manifest. Bad input throws InputError before anything runs. */
export async function runSweep(file: string, opts: SweepOptions): Promise<{ plan: SweepPlan; manifest: SweepManifest; resultsText: string }> {
  const load = opts.load;
  const loaded = load(file, opts);
  const plan = planSweep(loaded, { seeds: opts.seeds, shard: opts.shard, extraSets: opts.sets });
  // A bad output folder and every bad grid value are exit 2 together, before any run.
  allProblems(
    () => opts.checkOut?.(),
    () => {
      const problems = gridProblems(file, loaded, load, opts);
      if (problems.length) throw new InputError(problems);
    },
  );
  // Each run has its own seed (from the scenario's): a `--set seed=…` chose the first and goes.
  const sets = withoutSeedSets(opts.sets ?? []);
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
    policies: plan.policies,
    kinds: Object.fromEntries(Object.entries(loaded.scenario.policies ?? {}).filter(([n]) => plan.policies.includes(n)).map(([n, p]) => [n, p.kind])),
  };
  return { plan, manifest, resultsText };
}

/** One shard folder as read (io/sweep-dir.ts): its folder, manifest and results.csv text. */
export interface SweepShard {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly text: string;
}

/** A row of a shard's results.csv as merging reads it: its run, policy, 1-based line and text. */
interface ShardRow {
  readonly run: number;
  readonly policy: string;
  readonly line: number;
  readonly text: string;
}

/** The header and rows of a shard's results.csv (run: NaN where the first cell is no run number). */
function shardRows(p: SweepShard): { header: string; rows: ShardRow[] } {
  const lines = p.text.trim().split('\n');
  const at = splitCsv(lines[0]).indexOf('policy');
  const rows = lines.slice(1).map((text, i) => {
    const c = splitCsv(text);
    return { run: /^\d+$/.test(c[0]) ? Number(c[0]) : NaN, policy: c[at] ?? '', line: i + 2, text };
  });
  return { header: lines[0], rows };
}

/** The policies a shard ran: its sweep.json's, or (older folders) those of its rows, in order. */
const policiesOf = (p: SweepShard, rows: readonly ShardRow[]): string[] => [...(p.manifest.policies ?? new Set(rows.map((r) => r.policy)))];

/** What makes shard `b` part of another sweep than shard `a` (empty when they are of one sweep). */
function sweepDifferences(a: SweepShard, aPolicies: readonly string[], b: SweepShard, bPolicies: readonly string[]): string[] {
  const ma = a.manifest;
  const mb = b.manifest;
  const out: string[] = [];
  const differ = (what: string, here: string, there: string, hint: string) => here !== there && out.push(`${what} ${here} here, ${there} there (${hint})`);
  // A hand-made sweep.json may lack any field but those io/sweep-dir.ts checks.
  const list = (xs: unknown) => (Array.isArray(xs) && xs.length ? xs.join(', ') : 'none');
  differ('scenario', String(mb.scenario), String(ma.scenario), 'another scenario file');
  if (mb.scenario === ma.scenario) differ('scenario hash', String(mb.scenarioHash), String(ma.scenarioHash), 'another version of the file, or another --set');
  differ('grid fields', list(mb.fields), list(ma.fields), 'another sweep.grid');
  differ('runs in all', String(mb.total), String(ma.total), 'another grid or --seeds');
  differ('policies', list(bPolicies), list(aPolicies), 'another --policies: give every shard the same');
  if (out.length === 0 && mb.sweepId !== ma.sweepId) out.push(`sweep id ${mb.sweepId} here, ${ma.sweepId} there (another --seed or --set, or another keycast version)`);
  return out;
}

/** Each shard's rows against its sweep.json: every declared run × policy once, nothing else. */
function rowProblems(p: SweepShard, { header, rows }: { header: string; rows: readonly ShardRow[] }, policies: readonly string[], firstHeader: string): Problem[] {
  const file = path.join(p.dir, 'results.csv');
  const problems: Problem[] = [];
  if (header !== firstHeader) problems.push({ file, line: 1, path: '', message: 'header differs from the first shard’s (written by another keycast version, or of another sweep)' });
  const declared = new Set(p.manifest.runs);
  const ran = new Set(policies);
  const seen = new Map<string, number>();
  const bad: Problem[] = [];
  for (const r of rows) {
    const key = `${r.run}/${r.policy}`;
    let message: string | undefined;
    if (Number.isNaN(r.run)) message = `'${splitCsv(r.text)[0]}' is not a run number`;
    else if (!declared.has(r.run)) message = `run ${r.run} is not one of this shard’s runs in sweep.json`;
    else if (!ran.has(r.policy)) message = `policy '${r.policy}' is not one this shard ran (sweep.json policies: ${policies.join(', ')})`;
    else if (seen.has(key)) message = `a second row for run ${r.run} policy ${r.policy} (the first is line ${seen.get(key)})`;
    else seen.set(key, r.line);
    if (message) bad.push({ file, line: r.line, path: '', message });
  }
  problems.push(...bad.slice(0, 10));
  if (bad.length > 10) problems.push({ file, path: '', message: `and ${bad.length - 10} more rows like these` });
  if (policies.length === 0 && p.manifest.runs.length) {
    problems.push({ file, path: '', message: `holds no rows; sweep.json declares runs ${p.manifest.runs.slice(0, 10).join(', ')}${p.manifest.runs.length > 10 ? '…' : ''}` });
  }
  const missing = p.manifest.runs.flatMap((run) => policies.filter((pol) => !seen.has(`${run}/${pol}`)).map((pol) => `run ${run} ${pol}`));
  if (missing.length) {
    const list = missing.slice(0, 10).join(', ') + (missing.length > 10 ? '…' : '');
    problems.push({ file, path: '', message: `${missing.length} row(s) that sweep.json declares are missing (${p.manifest.runs.length} runs × policies ${policies.join(', ') || 'none'}): ${list}` });
  }
  return problems;
}

/**
 * Merges the shards of one sweep into the unsharded result: every run exactly once, rows in run
 * order (each run's policies in their order). Shards of different sweeps (what differs is named),
 * a run in two shards, missing runs and a results.csv without exactly the rows its sweep.json
 * declares are bad input (every problem at once).
 */
export function mergeShards(ok: readonly SweepShard[]): { manifest: SweepManifest; text: string } {
  const problems: Problem[] = [];
  const first = ok[0].manifest;
  const read = ok.map(shardRows);
  const policies = ok.map((p, k) => policiesOf(p, read[k].rows));
  const seen = new Set<number>();
  ok.forEach((p, k) => {
    const differences = sweepDifferences(ok[0], policies[0], p, policies[k]);
    if (differences.length) problems.push({ file: path.join(p.dir, 'sweep.json'), path: '', message: `shard of another sweep than ${ok[0].dir}: ${differences.join('; ')}` });
    for (const r of p.manifest.runs) {
      if (seen.has(r)) problems.push({ file: path.join(p.dir, 'sweep.json'), path: 'runs', message: `run ${r} appears in more than one shard` });
      seen.add(r);
    }
  });
  if (problems.length === 0 && seen.size !== first.total) {
    const missing = Array.from({ length: first.total }, (_, i) => i).filter((i) => !seen.has(i));
    problems.push({ file: '<cli>', path: 'shards', message: `runs missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''} (${missing.length} of ${first.total}); pass every shard` });
  }
  ok.forEach((p, k) => problems.push(...rowProblems(p, read[k], policies[k], read[0].header)));
  if (problems.length) throw new InputError(problems);
  const rows = read.flatMap((r) => r.rows);
  rows.sort((a, b) => a.run - b.run);
  // Within one run, rows keep their policy order (stable sort).
  const text = [read[0].header, ...rows.map((r) => r.text)].join('\n') + '\n';
  const manifest: SweepManifest = { ...first, shard: undefined, runs: Array.from({ length: first.total }, (_, i) => i) };
  delete (manifest as { shard?: unknown }).shard;
  return { manifest, text };
}

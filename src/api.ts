/**
 * The library API: everything the CLI does, callable from code. A researcher can load a scenario,
 * run it, read the summary and write a report without the CLI:
 *
 * ```ts
 * import { loadScenario, runLoaded, writeReport } from 'keycast';
 * const loaded = loadScenario('scenarios/follow-the-sun.yaml', { seed: 7, sets: ['cluster.nodes=6'] });
 * const { summary, result } = runLoaded(loaded);
 * writeReport('reports/mine', result, summary);
 * ```
 */
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { LoadOptions, LoadedScenario } from './scenario/load.ts';
import { runScenario, type RunOptions, type RunResult } from './experiment/run.ts';
import { buildSummary } from './experiment/build-summary.ts';
import type { Summary } from './experiment/summary.ts';
import { writeReportFiles } from './report/write-report.ts';
import { openDirAtomic, writeDirAtomic, type OutDirOptions } from './io/atomic-dir.ts';
import { loadScenario } from './io/load-scenario.ts';
import { startLaneThread } from './io/lane-threads.ts';
import { folderSpool } from './io/spool-files.ts';
import { threadRunner } from './io/task-threads.ts';
import { combineSeeds, seedList, withOtherSeeds } from './experiment/seeds.ts';
export { loadScenario } from './io/load-scenario.ts';
export { startLaneThread } from './io/lane-threads.ts';
export { combineSeeds, seedsBlock, seedStats, ratioStats, type SeedsBlock, type SeedStats, type RatioStats, type SeedOutcome } from './experiment/seeds.ts';
export type { LowerBounds } from './experiment/bounds.ts';

/** keycast's version (package.json). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Runs a loaded scenario and summarises it (expectations evaluated; throws InputError for unknown
 * policies in them). Its lanes spread over worker threads (`opts.workers`) unless
 * `opts.startLanes` says otherwise.
 */
export function runLoaded(loaded: LoadedScenario, opts: RunOptions = {}): { result: RunResult; summary: Summary } {
  const result = runScenario(loaded, { startLanes: startLaneThread, ...opts });
  return { result, summary: buildSummary(result, version()) };
}

/** Exit code of a finished run: 3 invariant violated or a policy below a lower bound (keycast bugs), 1 an expectation failed, else 0. */
export function exitCodeOf(summary: Summary): number {
  if (summary.invariantViolations > 0 || summary.boundChecks?.some((e) => !e.pass)) return 3;
  if (summary.expectations.some((e) => !e.pass)) return 1;
  return 0;
}

/**
 * Writes the report into `outDir` atomically: everything goes to a temporary sibling folder that
 * replaces `outDir` at the end, so a failed run never leaves half a report.
 */
export function writeReport(outDir: string, result: RunResult, summary: Summary, opts: OutDirOptions = {}): void {
  writeDirAtomic(outDir, (tmp) => writeReportFiles(tmp, result, summary), opts);
}

/**
 * Runs `run` with the report's temporary folder (the lanes stream their per-window files into
 * it: experiment/spool.ts), writes the rest of the report there and renames it over `outDir`;
 * on failure the temporary folder goes and `outDir` is untouched.
 */
function withStagedReport(outDir: string, force: boolean | undefined, run: (spool: RunOptions['spool']) => { result: RunResult; summary: Summary }): { result: RunResult; summary: Summary } {
  const staged = openDirAtomic(outDir, { force });
  try {
    const out = run(folderSpool(staged.dir));
    writeReportFiles(staged.dir, out.result, out.summary);
    staged.commit();
    return out;
  } catch (err) {
    staged.abort();
    throw err;
  }
}

/**
 * Loads, runs and (unless `out` is null) writes a report: the whole of `keycast run`. The output
 * folder is checked before anything runs: a folder that is not a keycast output is refused
 * (InputError) unless `force` (see io/atomic-dir.ts).
 */
export function runScenarioFile(
  file: string,
  opts: LoadOptions & RunOptions & { out?: string | null; force?: boolean } = {},
): { summary: Summary; result: RunResult; outDir: string | null; exitCode: number } {
  const loaded = loadScenario(file, opts);
  const outDir = opts.out === null ? null : (opts.out ?? path.join('reports', loaded.scenario.name));
  if (!outDir) {
    const { result, summary } = runLoaded(loaded, opts);
    return { summary, result, outDir, exitCode: exitCodeOf(summary) };
  }
  const { result, summary } = withStagedReport(outDir, opts.force, (spool) => runLoaded(loaded, { ...opts, spool }));
  return { summary, result, outDir, exitCode: exitCodeOf(summary) };
}

/**
 * `keycast run` with seeds: `seeds` (default: the scenario's `seeds:`, else 1) runs seed,
 * seed+1, …; the first in this thread (its full result makes the report), the others in
 * `seedWorkers` worker threads (seeds.ts; the first seed's lanes then stay in this thread). The
 * summary is the first seed's with expectations evaluated over seeds and, with more than one seed,
 * the `seeds` block.
 */
export async function runScenarioFileSeeds(
  file: string,
  opts: LoadOptions & RunOptions & { out?: string | null; force?: boolean; seeds?: number; seedWorkers?: number } = {},
): Promise<{ summary: Summary; result: RunResult; outDir: string | null; exitCode: number }> {
  const loaded = loadScenario(file, opts);
  const outDir = opts.out === null ? null : (opts.out ?? path.join('reports', loaded.scenario.name));
  const seeds = seedList(loaded, opts.seeds ?? loaded.scenario.seeds);
  const runAll = async (spool?: RunOptions['spool']) => {
    const others = { file: loaded.file, opts, seeds: seeds.slice(1), version: version(), workers: opts.seedWorkers, load: loadScenario, runner: threadRunner };
    const { first, others: summaries } = await withOtherSeeds(others, (threaded) => runLoaded(loaded, { ...opts, spool, ...(threaded ? { workers: 1 } : {}) }));
    return { result: first.result, summary: seeds.length > 1 ? combineSeeds(loaded, [first.summary, ...summaries]) : first.summary };
  };
  if (!outDir) {
    const { result, summary } = await runAll();
    return { summary, result, outDir, exitCode: exitCodeOf(summary) };
  }
  const staged = openDirAtomic(outDir, { force: opts.force });
  try {
    const { result, summary } = await runAll(folderSpool(staged.dir));
    writeReportFiles(staged.dir, result, summary);
    staged.commit();
    return { summary, result, outDir, exitCode: exitCodeOf(summary) };
  } catch (err) {
    staged.abort();
    throw err;
  }
}

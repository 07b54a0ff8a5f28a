/**
 * One seed's share of a study scenario (src/study.ts), as a task a worker thread runs: the main
 * run's lanes, the sweep's lanes, or both in one run. Both in one run generate the seed's
 * workload once for all of them; since every lane sees the same batches and keys its random
 * streams by its policy's spec and role, each half's summary is the one its own run would give
 * (tested). The first seed's main run is the full one, its lanes streaming the report's files into
 * `spoolDir`; its result comes back (as plain data) for the report, which needs every seed's
 * summary first.
 */
import type { ScenarioLoader, LoadedScenario } from '../scenario/load.ts';
import { buildSummary } from './build-summary.ts';
import { fromWire, toWire, type WireLane } from './lane-wire.ts';
import { runScenario } from './run.ts';
import type { RunResult } from './run-types.ts';
import type { SpoolSink } from './spool.ts';
import type { Summary } from './summary.ts';

export interface StudyTask {
  /** The scenario file (absolute, so any thread finds it). */
  readonly file: string;
  readonly seed: number;
  readonly version: string;
  /** The main run's sets: every policy of the scenario; absent: the main lanes do not run. */
  readonly main?: readonly string[];
  /** The sweep's sets (the main sets and its lanes') and the lanes it runs; absent: none. */
  readonly sweep?: { readonly sets: readonly string[]; readonly policies: readonly string[] };
  /** The main run streams its report files into this folder and returns its result (no sweep then). */
  readonly spoolDir?: string;
}

/** A run's result as it crosses a thread boundary (the scenario is loaded again on the other side). */
export type WireResult = Omit<RunResult, 'loaded' | 'lanes'> & { readonly lanes: readonly WireLane[] };

export interface StudyTaskResult {
  readonly main?: Summary;
  readonly sweep?: Summary;
  /** The main run's result, when it spooled a report. */
  readonly result?: WireResult;
}

/** The result of the report's run back from the wire, with its loaded scenario. */
export function resultFromWire(w: WireResult, loaded: LoadedScenario): RunResult {
  // A trace without `duration` runs its span, which building the workload wrote into the
  // scenario (make-workload.ts): on this side the run's own length says it.
  if (loaded.durationFromTrace) (loaded.scenario as { duration: number }).duration = w.simulatedMs;
  return { ...w, loaded, lanes: w.lanes.map(fromWire) };
}

/** The lanes of `result` named in `names`, summarised as a run of `loaded` (the scenario those lanes come from). */
function part(result: RunResult, loaded: LoadedScenario, version: string): Summary {
  const names = new Set(loaded.policies.map(([n]) => n));
  return buildSummary({ ...result, loaded, lanes: result.lanes.filter((l) => names.has(l.name)) }, version);
}

/** Runs one study task in this thread (`spool` opens the report's folder for the lanes' files). */
export function runStudyTask(task: StudyTask, load: ScenarioLoader, spool: (dir: string) => SpoolSink): StudyTaskResult {
  const { file, seed, version } = task;
  const main = task.main ? load(file, { sets: [...task.main], seed }) : undefined;
  const sweep = task.sweep ? load(file, { sets: [...task.sweep.sets], seed, policies: [...task.sweep.policies] }) : undefined;
  if (task.spoolDir !== undefined) {
    if (!main || sweep) throw new Error('a study task that writes a report runs the main lanes only');
    const result = runScenario(main, { workers: 1, spool: spool(task.spoolDir) });
    const { loaded: _l, lanes, ...rest } = result;
    return { main: buildSummary(result, version), result: { ...rest, lanes: lanes.map(toWire) } };
  }
  if (!main && !sweep) return {};
  const policies = [...(main?.policies.map(([n]) => n) ?? []), ...(task.sweep?.policies ?? [])];
  const both = main && sweep ? load(file, { sets: [...task.sweep!.sets], seed, policies }) : (main ?? sweep)!;
  // Tasks fill the cores: the lanes stay in this thread, and keep no rows (memory flat with run length).
  const result = runScenario(both, { workers: 1, summaryOnly: true });
  return { ...(main ? { main: part(result, main, version) } : {}), ...(sweep ? { sweep: part(result, sweep, version) } : {}) };
}

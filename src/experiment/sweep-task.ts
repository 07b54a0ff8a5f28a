/**
 * A scenario run given by path (a sweep point, one of a run's other seeds) and its summary, and
 * how a batch of them is run: `runTask` in this thread, or a `TaskRunner` that spreads them over
 * threads (io/task-threads.ts). A task names its file rather than carrying the loaded scenario,
 * so that a thread loads it itself, with the `ScenarioLoader` it is given.
 */
import type { ScenarioLoader } from '../scenario/load.ts';
import { runScenario } from './run.ts';
import { buildSummary } from './build-summary.ts';
import type { Summary } from './summary.ts';

export interface SweepTask {
  /** The scenario file (absolute, so any thread finds it). */
  readonly file: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly policies?: readonly string[];
  readonly version: string;
  /** A no-op task that only makes sure a worker thread is up (task-threads.ts). */
  readonly ping?: boolean;
}

/** Tasks under way in other threads. */
export interface RunningTasks {
  /** Their summaries, in task order. */
  results(): Promise<Summary[]>;
  /** Ends the threads (tasks not yet done are dropped); call it once the results are in, or on failure. */
  stop(): Promise<void>;
}

/**
 * Runs tasks on `threads` threads: resolves once they are under way (so the caller may keep its
 * own thread busy meanwhile); `onDone` is called as each one finishes.
 */
export type TaskRunner = (tasks: readonly SweepTask[], threads: number, onDone?: () => void) => Promise<RunningTasks>;

/** Runs one task in this thread, loading its scenario with `load`. */
export function runTask(task: SweepTask, load: ScenarioLoader): Summary {
  if (task.ping) return null as unknown as Summary;
  const loaded = load(task.file, { sets: [...task.sets], seed: task.seed, policies: task.policies });
  // Tasks already fill the cores: the lanes of one run stay in its thread. Only the summary is
  // returned: the lanes keep no rows, plans or layouts (memory flat with run length).
  return buildSummary(runScenario(loaded, { workers: 1, summaryOnly: true }), task.version);
}

/** A sweep worker (piscina): runs one scenario run and returns its summary. */
import { loadScenario } from '../scenario/load.ts';
import { runScenario } from './run.ts';
import { buildSummary } from './build-summary.ts';
import type { Summary } from './summary.ts';

export interface SweepTask {
  readonly file: string;
  readonly sets: readonly string[];
  readonly seed: number;
  readonly policies?: readonly string[];
  readonly version: string;
  /** A no-op task that only makes sure the worker is up (seeds.ts). */
  readonly ping?: boolean;
}

/** Runs one task (also called in-process when there is one worker). */
export default function runTask(task: SweepTask): Summary {
  if (task.ping) return null as unknown as Summary;
  const loaded = loadScenario(task.file, { sets: [...task.sets], seed: task.seed, policies: task.policies });
  // Sweep workers already fill the cores: the lanes of one run stay in this thread. Only the
  // summary is returned: the lanes keep no rows, plans or layouts (memory flat with run length).
  return buildSummary(runScenario(loaded, { workers: 1, summaryOnly: true }), task.version);
}

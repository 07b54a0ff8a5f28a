/** A task thread's entry (piscina, task-threads.ts): loads one task's scenario from disk, runs it and returns its summary. */
import { runTask, type SweepTask } from '../experiment/sweep-task.ts';
import type { Summary } from '../experiment/summary.ts';
import { loadScenario } from './load-scenario.ts';

export default function run(task: SweepTask): Summary {
  return runTask(task, loadScenario);
}

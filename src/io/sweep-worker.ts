/**
 * A task thread's entry (piscina, task-threads.ts): loads one task's scenario from disk, runs it
 * and returns its summary. Bad input comes back as its problems (an error crossing threads keeps
 * only its message), so the caller reports it as bad input (exit 2), not as an internal error.
 */
import { runTask, type SweepTask } from '../experiment/sweep-task.ts';
import type { Summary } from '../experiment/summary.ts';
import { InputError, type Problem } from '../model/errors.ts';
import { loadScenario } from './load-scenario.ts';

export default function run(task: SweepTask): Summary | { readonly inputProblems: readonly Problem[] } {
  try {
    return runTask(task, loadScenario);
  } catch (err) {
    if (err instanceof InputError) return { inputProblems: err.problems };
    throw err;
  }
}

/**
 * Scenario runs given by path (sweep points, a run's other seeds, a study's seed runs) in worker
 * threads: a piscina pool of `threads` workers, each loading and running one task at a time
 * (sweep-worker.ts, study-worker.ts). `threadRunner` is the `TaskRunner` the CLI and the API give
 * experiment/run-sweep.ts and seeds.ts. Results are the same for any number of threads: each run
 * is deterministic and results come back in task order.
 */
import type { Summary } from '../experiment/summary.ts';
import { InputError, type Problem } from '../model/errors.ts';
import type { TaskRunner } from '../experiment/sweep-task.ts';
import type { StudyTask, StudyTaskResult } from '../experiment/study-task.ts';

/** Task workers' modules built by bin/keycast, by entry name (`sweep-worker`: other seeds, sweeps). */
let built: Readonly<Record<string, string>> = {};

/** Makes these built modules the task workers' (else a worker loads the sources through tsx). */
export function useTaskWorkerScripts(scripts: Readonly<Record<string, string>>): void {
  built = scripts;
}

/** A pool of worker threads running one kind of task. */
export interface TaskPool<T, R> {
  run(task: T): Promise<R>;
  /** Ends the threads (tasks not yet done are dropped). */
  stop(): Promise<void>;
}

/**
 * Starts `threads` workers of `worker` (a module next to this one whose default export runs a
 * task) and resolves once every one is up, having run `ping`; `heapMb` caps each one's old
 * generation (V8 otherwise grows a heap lazily far beyond what it keeps alive).
 */
async function startPool<T, R>(worker: string, threads: number, ping: T, heapMb?: number): Promise<TaskPool<T, R>> {
  const { Piscina } = await import('piscina');
  const script = built[worker.replace(/^\.\/|\.ts$/g, '')];
  const pool = new Piscina({
    filename: script ?? new URL(worker, import.meta.url).href,
    maxThreads: threads,
    minThreads: threads,
    // Tasks start in the order they were posted. Without it piscina sends a task it could not
    // place at once to the back of its queue, which turns a long queue around and around: a
    // study's scenarios would all be half done until the end, each holding its report's result.
    stricterFIFO: true,
    ...(heapMb ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
    // Without a built module, workers run the TypeScript sources too: load tsx's loader by
    // absolute URL (cwd may be anywhere).
    execArgv: script ? [] : ['--import', import.meta.resolve('tsx')],
  });
  try {
    // Wait until every worker is up, so the tasks reach them while the caller's thread is busy.
    await Promise.all(Array.from({ length: threads }, () => pool.run(ping)));
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  return { run: (t) => pool.run(t) as Promise<R>, stop: () => pool.destroy() };
}

export const threadRunner: TaskRunner = async (tasks, threads, onDone) => {
  const pool = await startPool<(typeof tasks)[number], Summary | { inputProblems: Problem[] }>('./sweep-worker.ts', threads, { ...tasks[0], ping: true });
  const pending = Promise.all(
    tasks.map(async (t) => {
      const s = await pool.run(t);
      if (s && 'inputProblems' in s) throw new InputError(s.inputProblems);
      onDone?.();
      return s;
    }),
  );
  pending.catch(() => {}); // the caller awaits it, possibly after a long run of its own
  return { results: () => pending, stop: () => pool.stop() };
};

/** A pool of `threads` workers running a study's seed runs (study-worker.ts), each heap capped at `heapMb` when given. */
export function studyPool(threads: number, heapMb?: number): Promise<TaskPool<StudyTask, StudyTaskResult>> {
  return startPool('./study-worker.ts', threads, { file: '', seed: 0, version: '' }, heapMb);
}

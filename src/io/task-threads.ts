/**
 * Scenario runs given by path (sweep points, a run's other seeds) in worker threads: a piscina
 * pool of `threads` workers, each loading and running one task at a time (sweep-worker.ts), the
 * `TaskRunner` the CLI and the API give experiment/run-sweep.ts and seeds.ts. Results are the
 * same for any number of threads: each run is deterministic and results come back in task order.
 */
import type { Summary } from '../experiment/summary.ts';
import type { TaskRunner } from '../experiment/sweep-task.ts';

export const threadRunner: TaskRunner = async (tasks, threads, onDone) => {
  const { Piscina } = await import('piscina');
  const pool = new Piscina({
    filename: new URL('./sweep-worker.ts', import.meta.url).href,
    maxThreads: threads,
    minThreads: threads,
    // Workers run the TypeScript sources too: load tsx's loader by absolute URL (cwd may be anywhere).
    execArgv: ['--import', import.meta.resolve('tsx')],
  });
  try {
    // Wait until every worker is up, so the tasks reach them while the caller's thread is busy.
    await Promise.all(Array.from({ length: threads }, () => pool.run({ ...tasks[0], ping: true })));
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  const pending = Promise.all(
    tasks.map(async (t) => {
      const s = (await pool.run(t)) as Summary;
      onDone?.();
      return s;
    }),
  );
  pending.catch(() => {}); // the caller awaits it, possibly after a long run of its own
  return { results: () => pending, stop: () => pool.destroy() };
};

/**
 * Scenario runs by path in worker threads (io/task-threads.ts, io/sweep-worker.ts): the same
 * summaries as in this thread, in task order, one `onDone` per task.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { threadRunner, useTaskWorkerScripts } from '../../src/io/task-threads.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { runTask, type SweepTask } from '../../src/experiment/sweep-task.ts';
import { InputError } from '../../src/model/errors.ts';

const TINY = path.resolve(import.meta.dirname, '../fixtures/tiny.yaml');

describe('task threads', () => {
  it('run tasks in threads with the summaries of this thread, in task order', async () => {
    const tasks: SweepTask[] = [5, 6, 7].map((seed) => ({ file: TINY, sets: ['duration=15m', 'warmup=5m'], seed, version: 't' }));
    let done = 0;
    const running = await threadRunner(tasks, 2, () => done++);
    let got;
    try {
      got = await running.results();
    } finally {
      await running.stop();
    }
    const here = tasks.map((t) => runTask(t, loadScenario));
    const strip = (s: (typeof here)[number]) => JSON.stringify(Object.values(s.policies).map((p) => ({ ...p, wallMs: 0 })));
    expect(got.map((s) => s.seed)).toEqual([5, 6, 7]);
    expect(got.map(strip)).toEqual(here.map(strip));
    expect(done).toBe(3);
  }, 120_000);

  it('bad input met in a thread comes back as bad input, naming the file and field', async () => {
    const running = await threadRunner([{ file: TINY, sets: ['duration=15m', 'warmup=5m'], seed: 1, version: 't' }, { file: TINY, sets: ['duration=15m', 'cluster.nodes=-3'], seed: 2, version: 't' }], 1);
    try {
      const err = await running.results().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).problems.some((p) => p.path.includes('cluster.nodes'))).toBe(true);
    } finally {
      await running.stop();
    }
  }, 120_000);

  it('run a built worker module given by its entry name, without tsx', async () => {
    // bin/keycast hands over its build's modules; a stand-in answers with what it was given.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-task-'));
    const file = path.join(dir, 'sweep-worker.mjs');
    fs.writeFileSync(file, "export default (t) => ({ seed: t.seed, tsx: process.execArgv.join(' ').includes('tsx') });\n");
    useTaskWorkerScripts({ 'sweep-worker': pathToFileURL(file).href });
    try {
      const running = await threadRunner([8, 9].map((seed) => ({ file: TINY, sets: [], seed, version: 't' })), 2);
      try {
        expect(await running.results()).toEqual([
          { seed: 8, tsx: false },
          { seed: 9, tsx: false },
        ]);
      } finally {
        await running.stop();
      }
    } finally {
      useTaskWorkerScripts({});
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * Runs by path (sweep-task.ts) and the two callers that spread them over threads through a
 * `TaskRunner`: seeds.ts `withOtherSeeds` and run-sweep.ts `runSweep`. A fake runner shows what
 * they ask of it; io/task-threads.ts has the real one's test.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTask, type SweepTask, type TaskRunner } from '../../src/experiment/sweep-task.ts';
import { withOtherSeeds } from '../../src/experiment/seeds.ts';
import { runSweep } from '../../src/experiment/run-sweep.ts';
import type { LoadOptions, ScenarioLoader } from '../../src/scenario/load.ts';
import type { Summary } from '../../src/experiment/summary.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';

const TINY = path.resolve(import.meta.dirname, '../fixtures/tiny.yaml');
const SHORT = ['duration=10m', 'warmup=2m'];

/** The loader, recording what it was asked. */
function recording(): { load: ScenarioLoader; asked: [string, LoadOptions | undefined][] } {
  const asked: [string, LoadOptions | undefined][] = [];
  return { asked, load: (f, o) => (asked.push([f, o]), loadScenario(f, o)) };
}

/** A runner that runs the tasks in this thread when their results are asked for, recording the calls. */
function fakeRunner(log: string[], load: ScenarioLoader): TaskRunner {
  return async (tasks, threads, onDone) => {
    log.push(`start ${tasks.length} on ${threads}`);
    return {
      results: async () => tasks.map((t) => (log.push(`task ${t.seed}`), onDone?.(), runTask(t, load))),
      stop: async () => void log.push('stop'),
    };
  };
}

describe('runs by path', () => {
  it('a task loads its file with its sets, seed and policies, and runs its lanes in one thread', () => {
    const r = recording();
    const task: SweepTask = { file: TINY, sets: SHORT, seed: 8, policies: ['static'], version: 'v' };
    const s = runTask(task, r.load);
    expect(r.asked).toEqual([[TINY, { sets: SHORT, seed: 8, policies: ['static'] }]]);
    expect([s.seed, Object.keys(s.policies), s.keycastVersion]).toEqual([8, ['static'], 'v']);
    expect(runTask({ ...task, ping: true }, r.load)).toBeNull();
    expect(r.asked).toHaveLength(1);
  });

  it('other seeds: in this thread one after the other without a runner; with one, started before the first seed runs and stopped after', async () => {
    const r = recording();
    const o = { file: TINY, opts: { sets: SHORT }, seeds: [6, 7], version: 'v', load: r.load };
    const here = await withOtherSeeds(o, (threaded) => (threaded ? 'threaded' : 'first'));
    expect(here.first).toBe('first');
    expect(here.others.map((s) => s.seed)).toEqual([6, 7]);
    const log: string[] = [];
    const threaded = await withOtherSeeds({ ...o, workers: 4, runner: fakeRunner(log, r.load) }, (inThreads) => (log.push('first'), inThreads ? 'threaded' : 'first'));
    expect(log).toEqual(['start 2 on 2', 'first', 'task 6', 'task 7', 'stop']);
    expect(threaded.first).toBe('threaded'); // told the others run in threads meanwhile
    const strip = (s: Summary) => JSON.stringify(Object.values(s.policies).map((p) => ({ ...p, wallMs: 0 })));
    expect(threaded.others.map(strip)).toEqual(here.others.map(strip));
    // the threads stop when the first seed fails too
    const failed: string[] = [];
    await expect(withOtherSeeds({ ...o, workers: 2, runner: fakeRunner(failed, r.load) }, () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(failed).toEqual(['start 2 on 2', 'stop']);
  }, 60_000);

  it('a sweep gives the same results with or without the runner, and reports progress once per run', async () => {
    const sets = [...SHORT, 'sweep={grid: {cluster.nodes: [2, 3]}}'];
    const plain: number[] = [];
    const a = await runSweep(TINY, { sets, policies: ['static'], version: 'v', workers: 1, load: loadScenario, onProgress: (d) => plain.push(d) });
    const log: string[] = [];
    const threaded: number[] = [];
    const b = await runSweep(TINY, { sets, policies: ['static'], version: 'v', workers: 2, load: loadScenario, runner: fakeRunner(log, loadScenario), onProgress: (d) => threaded.push(d) });
    expect(b.resultsText.replace(/,[\d.]+\n/g, '\n')).toBe(a.resultsText.replace(/,[\d.]+\n/g, '\n'));
    expect(b.manifest).toEqual(a.manifest);
    expect(plain).toEqual([0, 1, 2]);
    expect(threaded).toEqual([0, 1, 2]);
    expect(log[0]).toBe('start 2 on 2');
    expect(log.at(-1)).toBe('stop');
  }, 60_000);
});

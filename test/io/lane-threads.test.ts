/**
 * Lanes in worker threads (io/lane-threads.ts): a run spread over threads gives the lanes the
 * single-threaded run gives, and bad input found in a thread is bad input for the caller.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { absolutePackages, pinMetaUrls, startLaneScript, startLaneThread } from '../../src/io/lane-threads.ts';
import { runScenario } from '../../src/experiment/run.ts';
import { buildSummary } from '../../src/experiment/build-summary.ts';
import { InputError } from '../../src/model/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
const SETS = ['duration=40m', 'warmup=10m', 'policies.reactive={kind: reactive, every: 2m, iterations: 800}', 'policies.predictive={kind: predictive, every: 5m, iterations: 800, models: [seasonal-naive]}', 'policies.oracle={kind: oracle, every: 5m, iterations: 800}'];

/** The summary without the wall-clock field, as JSON. */
function comparable(workers: number): { json: string; lanes: string[]; threads: number } {
  const result = runScenario(loadScenario(TINY, { sets: SETS }), { workers, startLanes: startLaneThread });
  const s = buildSummary(result, 'test');
  for (const p of Object.values(s.policies)) (p as { wallMs: number }).wallMs = 0;
  const lanes = result.lanes.map((l) => `${l.name}:${l.latencyQuantile(0.99)}:${l.rows.length}:${l.operations.length}:${l.finalMap.boundaries.join(',')}`);
  return { json: JSON.stringify(s), lanes, threads: result.threads };
}

describe('policies in worker threads', () => {
  it('give results identical to the single-threaded run (all but wallMs), in policy order', () => {
    const one = comparable(1);
    const three = comparable(3);
    // The lanes really ran in three threads (a thread that cannot start falls back to this one).
    expect([one.threads, three.threads]).toEqual([1, 3]);
    expect(three.json).toBe(one.json);
    expect(three.lanes).toEqual(one.lanes);
    expect(three.lanes.map((l) => l.split(':')[0])).toEqual(['static', 'threshold', 'reactive', 'predictive', 'oracle']);
  }, 120_000);

  it('one thread starts nothing', () => {
    let started = 0;
    runScenario(loadScenario(TINY, { sets: ['duration=20m', 'warmup=5m'] }), { workers: 1, startLanes: (t) => (started++, startLaneThread(t)) });
    expect(started).toBe(0);
  }, 60_000);

  it('a thread that cannot be started leaves the run to this thread, with the same results', () => {
    const loaded = loadScenario(TINY, { sets: SETS });
    const one = runScenario(loaded, { workers: 1 });
    const failing = runScenario(loaded, { workers: 3, startLanes: () => { throw new Error('no threads here'); } });
    expect(failing.threads).toBe(1);
    expect(failing.lanes.map((l) => [l.name, l.summary.records, l.latencyQuantile(0.99)])).toEqual(one.lanes.map((l) => [l.name, l.summary.records, l.latencyQuantile(0.99)]));
  }, 60_000);

  it('bad input fails a parallel run with InputError (workers stopped)', () => {
    const loaded = loadScenario(TINY, { sets: SETS });
    // A trace that does not exist: every group fails the same way; the caller sees an InputError.
    const bad = { ...loaded, scenario: { ...loaded.scenario, workload: { ...loaded.scenario.workload, trace: { file: 'no/such/trace.csv', time: 'ts', key: 'key', speed: 1, scale: 1 } } } } as typeof loaded;
    expect(() => runScenario(bad, { workers: 2, startLanes: startLaneThread })).toThrow(InputError);
  }, 60_000);
});

describe('the worker script', () => {
  it('a gzip trace replays in lane threads too (its reader finds its own worker file), with the same lanes', () => {
    const file = path.join(ROOT, 'scenarios/flights-origins.yaml');
    const sets = ['duration=2h', 'warmup=30m'];
    const one = runScenario(loadScenario(file, { sets }), { workers: 1, startLanes: startLaneThread });
    const two = runScenario(loadScenario(file, { sets }), { workers: 2, startLanes: startLaneThread });
    expect(two.threads).toBe(2);
    const brief = (r: typeof one) => r.lanes.map((l) => [l.name, l.summary.records, l.latencyQuantile(0.99)]);
    expect(brief(two)).toEqual(brief(one));
  }, 120_000);

  it("pins each bundled module's import.meta.url to its own file", () => {
    const code = ['// src/a/x.ts', 'const u = new URL("./w.ts", import.meta.url);', '', '// src/b/y.ts', 'f(import.meta.url, import.meta.url);', 'g();'].join('\n');
    const out = pinMetaUrls(code, '/repo').split('\n');
    expect(out[1]).toBe('const u = new URL("./w.ts", "file:///repo/src/a/x.ts");');
    expect(out[4]).toBe('f("file:///repo/src/b/y.ts", "file:///repo/src/b/y.ts");');
    expect(out[5]).toBe('g();');
  });

  it('a worker whose script fails to load fails the run instead of leaving it waiting', () => {
    const loaded = loadScenario(TINY, { sets: SETS });
    const broken = 'data:text/javascript,throw new Error("no lanes here")';
    expect(() => runScenario(loaded, { workers: 2, startLanes: (g) => startLaneScript(g, broken) })).toThrow(/no lanes here/);
  }, 60_000);

  it('points bare package imports at absolute URLs and leaves builtins, paths and strings alone', () => {
    const code = [
      'import { of } from "rxjs";',
      'import {\n  a,\n  b\n} from "@faker-js/faker";',
      'import * as fs from "node:fs";',
      'import "side-effect";',
      'export { x } from "yaml";',
      'const m = await import("seedrandom");',
      'const s = "import, from \\"not-a-package\\"";',
      'import y from "./local.js";',
    ].join('\n');
    const out = absolutePackages(code, (n) => `file:///nm/${n}/index.js`);
    expect(out).toContain('from "file:///nm/rxjs/index.js"');
    expect(out).toContain('} from "file:///nm/@faker-js/faker/index.js"');
    expect(out).toContain('from "node:fs"');
    expect(out).toContain('import "file:///nm/side-effect/index.js"');
    expect(out).toContain('export { x } from "file:///nm/yaml/index.js"');
    expect(out).toContain('import("file:///nm/seedrandom/index.js")');
    expect(out).toContain('not-a-package');
    expect(out).not.toContain('nm/not-a-package');
    expect(out).toContain('from "./local.js"');
  });
});

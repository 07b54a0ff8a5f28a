import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/experiment/run.ts';
import { buildSummary } from '../../src/experiment/build-summary.ts';
import { laneGroups } from '../../src/experiment/lane-workers.ts';
import { InputError } from '../../src/model/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
const SETS = ['duration=40m', 'warmup=10m', 'policies.reactive={kind: reactive, every: 2m, iterations: 800}', 'policies.predictive={kind: predictive, every: 5m, iterations: 800, models: [seasonal-naive]}', 'policies.oracle={kind: oracle, every: 5m, iterations: 800}'];

/** The summary without the wall-clock field, as JSON. */
function comparable(workers: number): { json: string; lanes: string[] } {
  const result = runScenario(loadScenario(TINY, { sets: SETS }), { workers });
  const s = buildSummary(result, 'test');
  for (const p of Object.values(s.policies)) (p as { wallMs: number }).wallMs = 0;
  const lanes = result.lanes.map((l) => `${l.name}:${l.latencyQuantile(0.99)}:${l.rows.length}:${l.operations.length}:${l.finalMap.boundaries.join(',')}`);
  return { json: JSON.stringify(s), lanes };
}

describe('policies in worker threads', () => {
  it('give results identical to the single-threaded run (all but wallMs), in policy order', () => {
    const one = comparable(1);
    const three = comparable(3);
    expect(three.json).toBe(one.json);
    expect(three.lanes).toEqual(one.lanes);
    expect(three.lanes.map((l) => l.split(':')[0])).toEqual(['static', 'threshold', 'reactive', 'predictive', 'oracle']);
  }, 120_000);

  it('balances lanes over groups by estimated cost, every group non-empty', () => {
    const loaded = loadScenario(TINY, { sets: SETS });
    const groups = laneGroups(loaded, 2);
    expect(groups).toHaveLength(2);
    expect(groups.flat().sort()).toEqual(['oracle', 'predictive', 'reactive', 'static', 'threshold']);
    expect(groups.every((g) => g.length > 0)).toBe(true);
    expect(laneGroups(loaded, 9)).toHaveLength(5);
    expect(laneGroups(loaded, 1)).toEqual([['static', 'threshold', 'reactive', 'predictive', 'oracle']]);
  });

  it('bad input fails a parallel run with InputError (workers stopped)', () => {
    const loaded = loadScenario(TINY, { sets: SETS });
    // A trace that does not exist: every group fails the same way; the caller sees an InputError.
    const bad = { ...loaded, scenario: { ...loaded.scenario, workload: { ...loaded.scenario.workload, trace: { file: 'no/such/trace.csv', time: 'ts', key: 'key', speed: 1, scale: 1 } } } } as typeof loaded;
    expect(() => runScenario(bad, { workers: 2 })).toThrow(InputError);
  }, 60_000);
});

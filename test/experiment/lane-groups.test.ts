/** How a run's policies are spread over threads: balanced groups, every group non-empty, policy order kept. */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { autoLaneWorkers, laneCost, laneGroups, withPolicies } from '../../src/experiment/lane-groups.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
const SETS = ['duration=40m', 'warmup=10m', 'policies.reactive={kind: reactive, every: 2m, iterations: 800}', 'policies.predictive={kind: predictive, every: 5m, iterations: 800, models: [seasonal-naive]}', 'policies.oracle={kind: oracle, every: 5m, iterations: 800}'];

describe('lane groups', () => {
  const loaded = loadScenario(TINY, { sets: SETS });

  it('balances lanes over groups by estimated cost, every group non-empty, each in the scenario order', () => {
    const groups = laneGroups(loaded, 2);
    expect(groups).toHaveLength(2);
    expect(groups.flat().sort()).toEqual(['oracle', 'predictive', 'reactive', 'static', 'threshold']);
    expect(groups.every((g) => g.length > 0)).toBe(true);
    const order = loaded.policies.map(([n]) => n);
    for (const g of groups) expect(g).toEqual([...g].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(laneGroups(loaded, 9)).toHaveLength(5);
    expect(laneGroups(loaded, 1)).toEqual([['static', 'threshold', 'reactive', 'predictive', 'oracle']]);
  });

  it('the planning lanes, costlier than the static ones, are not all in one group', () => {
    const groups = laneGroups(loaded, 3);
    const planners = ['reactive', 'predictive', 'oracle'];
    expect(groups.filter((g) => g.some((n) => planners.includes(n))).length).toBeGreaterThan(1);
  });

  it("counts the predictive lane's forecasts and KDP windows on top of the oracle's same search", () => {
    const spec = loaded.policies.find(([n]) => n === 'predictive')![1];
    const day = 86_400_000;
    const cost = (kind: string) => laneCost({ ...spec, kind, window: 60_000 } as typeof spec, 17_280, 256, day);
    // 288 forecasts at ~2.5 ms and 1,440 KDP windows at ~1.4 ms: about 2.7 s
    expect((cost('predictive') - cost('oracle')) / 1e8).toBeCloseTo(2.74, 1);
  });

  it('splits the default scenario as measured: the predictive lane (its KDP included) against the other planners', () => {
    const fts = loadScenario(path.join(ROOT, 'scenarios/follow-the-sun.yaml'));
    const groups = laneGroups(fts, 2);
    const withPredictive = groups.find((g) => g.includes('predictive'))!;
    expect(withPredictive).not.toContain('reactive');
    expect(withPredictive).not.toContain('oracle');
    const sc = fts.scenario;
    const ticks = Math.ceil(sc.duration / sc.tick);
    const cost = (n: string) => laneCost(fts.policies.find(([m]) => m === n)![1], ticks, sc.keyspace.buckets, sc.duration);
    // single-thread lane times measured (docs/bench-log.md): predictive 11.9 s, oracle 5.3 s, reactive 5.1 s
    expect(cost('predictive') / cost('oracle')).toBeGreaterThan(1.6);
    expect(cost('predictive') / cost('reactive')).toBeGreaterThan(1.6);
  });

  it('keeps only the named policies, in the scenario order', () => {
    expect(withPolicies(loaded, ['oracle', 'static']).policies.map(([n]) => n)).toEqual(['static', 'oracle']);
  });

  it('a small run stays in one thread; a single policy always does', () => {
    expect(autoLaneWorkers(loaded)).toBe(1);
    const long = { ...loaded, scenario: { ...loaded.scenario, duration: 400 * 86_400_000 } };
    expect(autoLaneWorkers(long)).toBeGreaterThanOrEqual(1);
    expect(autoLaneWorkers(withPolicies(long, ['static']))).toBe(1);
  });
});

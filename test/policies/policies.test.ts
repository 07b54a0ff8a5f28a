import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';

const base = (policies: string, extra = '') => `name: pol
seed: 3
duration: 3h
warmup: 30m
tick: 2s
keyspace: { kind: user-id, keys: 20000, buckets: 256 }
workload:
  rate: 8000
  recordBytes: 128
  shape: { diurnal: { amplitude: 0.3, peak: 2h } }
  keys:
    - { share: 0.4, zipf: { s: 0.9, shuffle: true } }
    - { share: 0.6, band: { center: 0.1, width: 0.1, speed: 3 } }
cluster: { nodes: 4, nodeCapacity: 3000, partitions: 8, maxPartitions: 64, moveBandwidth: 20MB/s }
slo: { latency: 100ms }
policies:
${policies}
${extra}`;

const REACTIVE = '  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 3000, goals: { movement: 0.5 } }';
const ORACLE = '  oracle: { kind: oracle, every: 5m, horizon: 20m, iterations: 3000, goals: { movement: 0.5 } }';

describe('policies on identical workloads', () => {
  const loaded = parseScenario(
    base(`  static: { kind: static }
  threshold: { kind: reactive-threshold, cooldown: 2m }
${REACTIVE}
${ORACLE}
  predictive: { kind: predictive, every: 5m, horizon: 20m, iterations: 3000, minHistory: 1h, regret: true, goals: { movement: 0.5 } }`),
    'pol.yaml',
    path.join(__dirname),
  );
  const { summary, result } = runLoaded(loaded);
  const p = summary.policies;

  it('every policy sees the same records (common random numbers)', () => {
    const records = Object.values(p).map((x) => x.records);
    expect(new Set(records).size).toBe(1);
  });

  it('repartitioning policies beat static on a skewed moving workload', () => {
    for (const name of ['threshold', 'reactive', 'oracle', 'predictive']) {
      expect(p[name].sloViolationRate, name).toBeLessThan(p.static.sloViolationRate);
      expect(p[name].invariantViolations, name).toBe(0);
    }
    expect(p.static.movedBytes).toBe(0);
    expect(p.static.operations).toEqual({ split: 0, merge: 0, move: 0, create: 0, failed: 0, rolledBack: 0, retried: 0, timedOut: 0 });
  });

  it('planning policies report plans and the predictive one its forecast accuracy', () => {
    for (const name of ['reactive', 'oracle', 'predictive']) {
      expect(p[name].plans.proposed, name).toBeGreaterThan(0);
      expect(p[name].plans.completed, name).toBeGreaterThan(0);
    }
    expect(p.predictive.forecast).toBeDefined();
    // an 80 % band: at this seed it covers 73 % of windows; half or less would be miscalibrated
    expect(p.predictive.forecast!.coverage80).toBeGreaterThan(0.5);
    expect(p.predictive.forecast!.coverage80).toBeLessThanOrEqual(1);
    expect(p.predictive.forecast!.smape).toBeLessThan(5); // percent; 0.32 at this seed
    expect(p.reactive.forecast).toBeUndefined();
    const r = p.predictive.regret!;
    expect(r.decisions).toBeGreaterThan(0);
    // both parts are clamped at 0 per decision; over 21 decisions an imperfect forecast and a
    // 3000-iteration search each cost something (1.78 and 0.49 at this seed)
    expect(r.forecastCost).toBeGreaterThan(0);
    expect(r.optimizerCost).toBeGreaterThan(0);
    expect(r.executionLagMs).toBeGreaterThan(0);
    expect(p.reactive.regret).toBeUndefined();
    const lane = result.lanes.find((l) => l.name === 'predictive')!;
    expect((lane.report?.extra as { fallbacks: Record<string, number> }).fallbacks.warmup).toBeGreaterThan(0);
  });
});

// This scenario runs near saturation, where one seed's p99 is either milliseconds or tens of
// seconds: the oracle lost to reactive at 2 of 8 seeds when checked. Compare means over five seeds.
describe('the oracle, knowing the future, against reactive over seeds 1–5', () => {
  const runs = [1, 2, 3, 4, 5].map((seed) => {
    const text = base(`${REACTIVE}
${ORACLE}`).replace('seed: 3', `seed: ${seed}`);
    return runLoaded(parseScenario(text, 'pol.yaml', path.join(__dirname))).summary.policies;
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('does at least as well on latency: SLO violations and p99, averaged over the seeds', () => {
    expect(mean(runs.map((p) => p.oracle.sloViolationRate))).toBeLessThanOrEqual(mean(runs.map((p) => p.reactive.sloViolationRate)));
    expect(mean(runs.map((p) => p.oracle.p99LatencyMs))).toBeLessThanOrEqual(mean(runs.map((p) => p.reactive.p99LatencyMs)) * 1.1 + 1);
  });
});

/** The `hindsight` policy: the realised arrivals of a run known ahead, and the layouts planned from them. */
import { describe, expect, it } from 'vitest';
import { RealisedLoadBuilder } from '../../src/model/realised.ts';
import { realisedFor, realisedLoad } from '../../src/experiment/realised.ts';
import { HindsightPolicy } from '../../src/policies/hindsight.ts';
import { createPolicy } from '../../src/experiment/policy-factory.ts';
import { bandScenario } from '../fixtures/band-scenario.ts';
import { runLoaded } from '../../src/api.ts';
import type { PolicyContext } from '../../src/policies/policy.ts';

describe('RealisedLoadBuilder', () => {
  it('folds ticks into windows: mean records/s per bucket and the p90 excess of a node-sized group', () => {
    // 4 buckets, 2 groups ({0,1}, {2,3}), 10 ticks of 1 s per 10 s window
    const r = new RealisedLoadBuilder(10_000, 4, 2);
    for (let i = 0; i < 10; i++) r.add(i * 1000, 1000, Float64Array.from([1, 2, i === 9 ? 30 : 3, 0]));
    for (let i = 10; i < 20; i++) r.add(i * 1000, 1000, Float64Array.from([5, 5, 5, 5]));
    r.close();
    expect(r.count).toBe(2);
    [1, 2, 5.7, 0].forEach((v, b) => expect(r.mean(0)[b]).toBeCloseTo(v, 5)); // Float32
    expect([...r.mean(1)]).toEqual([5, 5, 5, 5]);
    // group 0: constant 3/s → excess 0; group 1: nine ticks at 3/s and one at 30/s, mean 5.7/s,
    // p90 (the 9th of 10 sorted) 3/s → excess max(0, 3/5.7 − 1) = 0; averaged: 0
    expect(r.excess(0)).toBeCloseTo(0, 12);
    expect(r.excess(1)).toBeCloseTo(0, 12);
  });

  it('the excess is the p90 tick over the window mean, averaged over the groups', () => {
    const r = new RealisedLoadBuilder(10_000, 2, 2);
    // group 0 (bucket 0): ticks 1..10 records/s, mean 5.5, p90 (9th of 10) 9 → 9/5.5 − 1
    // group 1 (bucket 1): constant 4/s → 0
    for (let i = 0; i < 10; i++) r.add(i * 1000, 1000, Float64Array.from([i + 1, 4]));
    r.close();
    expect(r.excess(0)).toBeCloseTo((9 / 5.5 - 1) / 2, 12);
  });

  it('a window without ticks is empty, and windows stay aligned to the window length', () => {
    const r = new RealisedLoadBuilder(1000, 1, 1);
    r.add(0, 500, Float64Array.from([5]));
    r.add(2500, 500, Float64Array.from([7]));
    r.close();
    expect(r.count).toBe(3);
    expect([...r.mean(0)]).toEqual([10]);
    expect([...r.mean(1)]).toEqual([0]);
    expect([...r.mean(2)]).toEqual([14]);
  });
});

const scenario = (policies: string) => bandScenario('hs', policies);

describe('the realised load of a run', () => {
  it('is the run\'s own arrivals, window by window (the workload replayed with the run\'s seed)', () => {
    const loaded = scenario('  static: { kind: static }\n  hindsight: { kind: hindsight, every: 1h, window: 1m, iterations: 200 }');
    const { result } = runLoaded(loaded, { workers: 1 });
    const realised = realisedFor(loaded, loaded.scenario.duration).get(60_000)!;
    const rows = result.lanes.find((l) => l.name === 'static')!.rows;
    expect(realised.count).toBe(240);
    expect(rows.length).toBe(240);
    for (const row of rows) {
      const k = row.timeMs / 60_000;
      let sum = 0;
      for (const v of realised.mean(k)) sum += v * 60;
      expect(sum).toBeCloseTo(row.records, 0);
    }
  });

  it('is only built for hindsight lanes, one per window length', () => {
    expect(realisedFor(scenario('  static: { kind: static }'), 3_600_000).size).toBe(0);
    const two = realisedFor(scenario('  a: { kind: hindsight, window: 1m }\n  b: { kind: hindsight, window: 5m }\n  c: { kind: hindsight, window: 5m }'), 3_600_000);
    expect([...two.keys()].sort((a, b) => a - b)).toEqual([60_000, 300_000]);
  });
});

describe('HindsightPolicy', () => {
  it('pictures the realised windows of the phase ahead, with the realised tail', () => {
    const loaded = scenario('  h: { kind: hindsight, every: 30m, window: 5m }');
    const realised = realisedLoad(loaded, 300_000, loaded.scenario.duration);
    const spec = loaded.policies[0][1];
    const p = createPolicy(spec) as HindsightPolicy;
    expect(p).toBeInstanceOf(HindsightPolicy);
    const ctx = { endMs: loaded.scenario.duration, realised: new Map([[300_000, realised]]) } as unknown as PolicyContext;
    Object.assign(p, { ctx, realised });
    const pic = (p as unknown as { picture(t: number): { windows: Float64Array[]; upper: Float64Array[]; windowMs: number; basis: string } }).picture(3_600_000);
    expect(pic.windows.length).toBe(6); // 30 min of 5-minute windows
    expect(pic.windowMs).toBe(300_000);
    expect(pic.basis).toBe('realised@3600000');
    for (let i = 0; i < 6; i++) {
      const m = realised.mean(12 + i);
      expect([...pic.windows[i]]).toEqual([...m]);
      const e = realised.excess(12 + i);
      expect(e).toBeGreaterThan(0); // Poisson and tick noise: a node's ticks do swing
      for (let b = 0; b < m.length; b++) expect(pic.upper[i][b]).toBeCloseTo(m[b] * (1 + e), 3);
    }
    // the last phase is cut at the end of the run
    expect((p as unknown as { picture(t: number): { windows: unknown[] } }).picture(loaded.scenario.duration - 600_000).windows.length).toBe(2);
  });

  it('plans at t = 0 and at every phase start, from the realised future, and stays above the lower bounds', () => {
    const loaded = scenario(
      '  static: { kind: static }\n  hindsight: { kind: hindsight, every: 1h, window: 5m, iterations: 2000, goals: { movement: 0.5 } }',
    );
    const { result, summary } = runLoaded(loaded, { workers: 1 });
    const lane = result.lanes.find((l) => l.name === 'hindsight')!;
    const records = (lane.report!.planRecords ?? []) as { basis: string; createdAtMs: number }[];
    expect(records.length).toBeGreaterThan(0);
    expect(records[0].createdAtMs).toBe(0);
    for (const r of records) {
      expect(r.basis).toBe(`realised@${r.createdAtMs}`);
      expect(r.createdAtMs % 3_600_000).toBe(0);
    }
    expect((lane.report as { decisions: number }).decisions).toBe(4); // 0, 1 h, 2 h, 3 h
    for (const c of summary.boundChecks!) expect(c.pass, c.expr).toBe(true);
    // knowing the band's path, it ends with fewer records over the SLO than never moving
    expect(summary.policies.hindsight.recordSecondsOverSlo).toBeLessThan(summary.policies.static.recordSecondsOverSlo);
  });
});

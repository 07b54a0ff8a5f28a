/** The oracle (predictive's code path fed the truth), its truth source, and the fair reactive baseline. */
import { describe, expect, it } from 'vitest';
import { TruthSource } from '../../src/policies/truth-source.ts';
import { PersistenceSource, HeadroomReactivePolicy } from '../../src/policies/reactive.ts';
import { PerfectForecastPolicy } from '../../src/policies/perfect-forecast.ts';
import { PredictivePolicy } from '../../src/policies/predictive.ts';
import { createPolicy } from '../../src/experiment/policy-factory.ts';
import type { PolicyContext } from '../../src/policies/policy.ts';
import { bandScenario } from '../fixtures/band-scenario.ts';
import { runLoaded } from '../../src/api.ts';

/** A context whose truth is `rate(t, b)` records/s, with `nodes` active nodes. */
function ctxOf(rate: (tMs: number, b: number) => number, buckets: number, nodes: number, noise?: { cv: number; poisson: boolean; tickMs: number }): PolicyContext {
  return {
    buckets,
    control: { activeNodes: () => Array.from({ length: nodes }, (_, i) => i) },
    expectedRate: (tMs: number, out: Float64Array) => {
      for (let b = 0; b < buckets; b++) out[b] = rate(tMs, b);
      return out;
    },
    observedRate: (_span: number, out: Float64Array) => out.fill(7),
    arrivalNoise: noise,
  } as unknown as PolicyContext;
}

describe('TruthSource', () => {
  it('gives the expected rates and a per-tick p90 from the noise and Poisson a node sees', () => {
    // 4 buckets at 250/s each, 2 nodes: a node expects 500 records per 1 s tick
    const src = new TruthSource(ctxOf(() => 250, 4, 2, { cv: 0.1, poisson: true, tickMs: 1000 }), 60_000, 2);
    const f = src.forecast(90_000, 3);
    expect(f.windows.map((w) => w.startMs)).toEqual([60_000, 120_000, 180_000]); // aligned like the KDP's
    const rel = 1.2815515655446004 * Math.sqrt(0.01 + 1 / 500);
    for (const w of f.windows) {
      expect([...w.expectedLoad]).toEqual([250, 250, 250, 250]);
      for (const u of w.upperLoad!) expect(u).toBeCloseTo(250 * (1 + rel), 9);
      expect(w.ranges.map((r) => r.probability)).toEqual([0.5, 0.5]);
    }
    expect(src.tickExcess).toBeCloseTo(rel, 12);
    expect(f.anomalies).toEqual([]);
  });

  it('a trace (no noise) keeps only the swing within the window', () => {
    // rate rising linearly over the window: the mean is its middle, the tail reaches the top sample
    const src = new TruthSource(ctxOf((t) => t / 1000, 1, 1), 60_000, 1);
    const w = src.forecast(0, 1).windows[0];
    expect(w.expectedLoad[0]).toBeCloseTo(30, 9);
    expect(w.upperLoad![0]).toBeCloseTo(60 * (15 / 16), 9); // the last of 8 samples, at 15/16 of the window
    expect(src.tickExcess).toBe(0);
  });

  it('forecasts from its kept windows exactly as a fresh source does, and samples each window once', () => {
    // a rate that moves with time and bucket; the node count changes between forecasts (the tail follows it)
    let calls = 0;
    let nodes = 3;
    const rate = (t: number, b: number) => 100 + 50 * Math.sin(t / 7e5 + b) + (b === 2 && t > 400_000 ? 80 : 0);
    const ctx = (counted: boolean) => ({
      ...ctxOf(rate, 5, 1, { cv: 0.07, poisson: true, tickMs: 1000 }),
      control: { activeNodes: () => Array.from({ length: nodes }, (_, i) => i) },
      expectedRate: (tMs: number, out: Float64Array) => {
        if (counted) calls++;
        for (let b = 0; b < 5; b++) out[b] = rate(tMs, b);
        return out;
      },
    }) as unknown as PolicyContext;
    const kept = new TruthSource(ctx(true), 60_000, 2);
    for (const [now, n] of [[30_000, 3], [330_000, 3], [630_000, 5], [650_000, 5], [2_000_000, 2]] as const) {
      nodes = n;
      const a = kept.forecast(now, 10);
      const b = new TruthSource(ctx(false), 60_000, 2).forecast(now, 10);
      expect(a).toEqual(b);
      expect(kept.tickExcess).toBeCloseTo(b.windows[0].totalRate.p90 / b.windows[0].totalRate.mean - 1, 12);
    }
    // 10 windows at 0, 5 new at 300 s, 5 new at 600 s, none new at 650 s, 10 new at 2,000 s; 8 samples each
    expect(calls).toBe(8 * (10 + 5 + 5 + 0 + 10));
  });

  it("keeps a window's tail while the noise it was computed for holds, and recomputes it when the node count changes", () => {
    let nodes = 3;
    const ctx = { ...ctxOf((t, b) => 100 + b + t / 1e5, 4, 1, { cv: 0.05, poisson: true, tickMs: 1000 }), control: { activeNodes: () => Array.from({ length: nodes }, (_, i) => i) } } as unknown as PolicyContext;
    const src = new TruthSource(ctx, 60_000, 2);
    const a = src.forecast(60_000, 4);
    const b = src.forecast(90_000, 4); // same windows, same nodes: the same tail arrays
    expect(b.windows.map((w) => w.upperLoad)).toEqual(a.windows.map((w) => w.upperLoad));
    b.windows.forEach((w, k) => expect(w.upperLoad).toBe(a.windows[k].upperLoad));
    nodes = 2; // fewer nodes: more records per node and tick, less Poisson noise, a narrower tail
    const c = src.forecast(90_000, 4);
    c.windows.forEach((w, k) => {
      expect(w.upperLoad).not.toBe(a.windows[k].upperLoad);
      expect(w.upperLoad![0]).toBeLessThan(a.windows[k].upperLoad![0]);
    });
  });
});

describe('PersistenceSource', () => {
  it('forecasts the observed window for every window, with the measured tick excess as tail', () => {
    const src = new PersistenceSource(ctxOf(() => 0, 3, 1), 60_000);
    // two windows of ticks alternating 10 and 30 records/s: cv 0.5
    for (let t = 0; t < 120_000; t += 1000) {
      const total = (t / 1000) % 2 === 0 ? 10 : 30;
      src.observe({ timeMs: t, durationMs: 1000, counts: new Float64Array(3), total, bytes: 0 });
    }
    src.observe({ timeMs: 120_000, durationMs: 1000, counts: new Float64Array(3), total: 20, bytes: 0 });
    expect(src.tickExcess).toBeCloseTo(1.2816 * 0.5, 9);
    const f = src.forecast(125_000, 2);
    for (const w of f.windows) {
      expect([...w.expectedLoad]).toEqual([7, 7, 7]);
      for (const u of w.upperLoad!) expect(u).toBeCloseTo(7 * (1 + 1.2816 * 0.5), 9);
    }
  });
});

describe('the policies built from specs', () => {
  const planning = { every: 300_000, threshold: 0.05, optimizer: 'annealing' as const, iterations: 100, goals: { imbalance: 1, movement: 0.2, latency: 0.1 }, priceExecution: true };
  it('oracle and perfect-forecast run the predictive code path; mean-oracle does not', () => {
    const o = createPolicy({ kind: 'oracle', ...planning, horizon: 1_800_000, window: 60_000, minHistory: 0, ranges: 32, blend: 3_600_000, anomalyShare: 0.25, fallbackError: 0.25, tailQuantile: 0.9 });
    expect(o).toBeInstanceOf(PerfectForecastPolicy);
    expect(o).toBeInstanceOf(PredictivePolicy);
    expect(o.kind).toBe('oracle');
    const m = createPolicy({ kind: 'mean-oracle', ...planning, horizon: 1_800_000 });
    expect(m).not.toBeInstanceOf(PredictivePolicy);
    expect(m.kind).toBe('mean-oracle');
  });
  it('reactive with headroom is the fair baseline on the predictive code path; plain reactive is not', () => {
    const fair = createPolicy({ kind: 'reactive', ...planning, every: 60_000, window: 60_000, horizon: 1_800_000, headroom: true, tailQuantile: 0.9 });
    expect(fair).toBeInstanceOf(HeadroomReactivePolicy);
    expect(fair.kind).toBe('reactive');
    expect(createPolicy({ kind: 'reactive', ...planning, every: 60_000, window: 60_000, horizon: 1_800_000, headroom: false, tailQuantile: 0.9 })).not.toBeInstanceOf(PredictivePolicy);
  });
});

describe('on a moving hot band that saturates nodes', () => {
  const loaded = bandScenario(
    'pf',
    `  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 2000, goals: { movement: 0.5 } }
  fair: { kind: reactive, headroom: true, every: 2m, window: 2m, iterations: 2000, goals: { movement: 0.5 } }
  predictive: { kind: predictive, every: 5m, horizon: 20m, iterations: 2000, minHistory: 1h, goals: { movement: 0.5 } }
  oracle: { kind: oracle, every: 5m, horizon: 20m, iterations: 2000, goals: { movement: 0.5 } }`,
  );
  const { summary } = runLoaded(loaded, { workers: 1 });
  const p = summary.policies;

  it('every policy stays at or above the lower bounds, and the bounds are reported', () => {
    expect(summary.bounds).toBeDefined();
    expect(summary.boundChecks!.length).toBe(8);
    for (const c of summary.boundChecks!) expect(c.pass, c.expr).toBe(true);
  });

  it('the oracle has no more record-seconds over the SLO than predictive, and both plan', () => {
    expect(p.oracle.kind).toBe('oracle');
    expect(p.oracle.plans.proposed).toBeGreaterThan(0);
    expect(p.fair.plans.proposed).toBeGreaterThan(0);
    expect(p.oracle.recordSecondsOverSlo).toBeLessThanOrEqual(p.predictive.recordSecondsOverSlo);
    expect(p.oracle.forecast).toBeUndefined(); // no KDP, no forecast accuracy
  });

  it('reports the discriminating metrics at full precision', () => {
    const nonzero = Object.values(p).filter((s) => s.sloViolationRate > 0);
    expect(nonzero.length).toBeGreaterThan(0);
    // not rounded to 1e-6: a rate of violating records out of ~10⁸ has more digits than that
    expect(nonzero.some((s) => Math.abs(s.sloViolationRate * 1e6 - Math.round(s.sloViolationRate * 1e6)) > 1e-9)).toBe(true);
    for (const s of nonzero) {
      expect(s.recordSecondsOverSlo).toBeGreaterThan(0);
      expect(s.meanExcessLatencyMs).toBeGreaterThan(0);
    }
  });
});

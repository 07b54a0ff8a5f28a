/**
 * The charts' bounded series (model/binned.ts): a fixed number of bins whatever the length,
 * every window counted in some bin (sums exact, peaks kept, last values last), deterministic,
 * and binning a report's CSV rows gives the very bins the run kept (so `keycast report` draws
 * the same charts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Binned, binByWindow, CHART_LIMITS, heatSeries, layoutSeries, METRICS_WINDOW_MS, nodeSeries, OP_BIN_MS, OpBins, windowSeries, type HeatRow, type LayoutRow } from '../../src/model/binned.ts';
import type { NodeRow, WindowRow } from '../../src/model/rows.ts';

function windowRow(i: number, v: number): WindowRow {
  return {
    timeMs: i * METRICS_WINDOW_MS,
    records: 100 + (i % 7),
    servedRecords: 90,
    droppedRecords: i % 3,
    backlogRecords: v * 10,
    p50LatencyMs: v / 2,
    p99LatencyMs: v,
    maxLatencyMs: v * 2,
    sloViolationRate: v / 1000,
    imbalance: 1 + v / 100,
    maxUtilization: v / 50,
    partitions: 16 + (i % 5),
    movedBytes: i * 1000,
    operations: i % 2,
    failedOperations: 0,
    disruptionMs: 0,
  };
}

describe('binned chart series', () => {
  it('a run of any length keeps at most the limit of bins, counting every window', () => {
    const s = windowSeries();
    const n = 100_000;
    let records = 0;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      const v = ((i * 7919) % 1000) + (i === 77_777 ? 5000 : 0);
      const r = windowRow(i, v);
      records += r.records;
      peak = Math.max(peak, v);
      s.push(i, r);
    }
    expect(s.rows.length).toBeLessThanOrEqual(CHART_LIMITS.windows);
    expect(s.rows.length).toBeGreaterThan(CHART_LIMITS.windows / 2);
    expect(Math.log2(s.width) % 1).toBe(0);
    expect(s.rows.length).toBe(Math.ceil(n / s.width));
    expect(s.rows.reduce((a, r) => a + r.records, 0)).toBe(records);
    expect(Math.max(...s.rows.map((r) => r.p99LatencyMs))).toBe(peak);
    // the spike's bin holds it; bins start on multiples of the width
    const spike = s.rows.find((r) => r.p99LatencyMs === peak)!;
    expect(spike.timeMs / METRICS_WINDOW_MS).toBe(Math.floor(77_777 / s.width) * s.width);
    expect(s.rows.at(-1)!.movedBytes).toBe((n - 1) * 1000);
    expect(s.rows.at(-1)!.partitions).toBe(16 + ((n - 1) % 5));
  });

  it('binning window rows gives the bins the run kept; binning bins gives them back (fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * CHART_LIMITS.windows }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        const raw = Array.from({ length: n }, (_, i) => windowRow(i, (i * 31 + seed * 17) % 997));
        const live = windowSeries();
        raw.forEach((r, i) => live.push(i, { ...r }));
        const fromCsv = binByWindow(raw, windowSeries());
        expect(fromCsv).toEqual(live.rows);
        expect(binByWindow(live.rows, windowSeries())).toEqual(live.rows);
      }),
      { seed: 16, numRuns: 12 },
    );
  });

  it('node rows: a bin per node, at most maxRows rows, a node down at any time of a bin shown down', () => {
    const s = nodeSeries();
    const nodes = 24;
    const windows = 20_000;
    for (let i = 0; i < windows; i++) {
      for (let n = 0; n < nodes; n++) s.push(i, { timeMs: i * METRICS_WINDOW_MS, node: n, rate: n + (i % 10), utilization: (n + (i % 10)) / 100, partitions: 2, backlog: 0, up: i === 12_345 && n === 3 ? 0 : 1 } satisfies NodeRow);
    }
    expect(s.rows.length).toBeLessThanOrEqual(CHART_LIMITS.nodeRows);
    expect(s.rows.length).toBe(nodes * Math.ceil(windows / s.width));
    const bin = Math.floor(12_345 / s.width) * s.width * METRICS_WINDOW_MS;
    expect(s.rows.filter((r) => r.up === 0)).toEqual([expect.objectContaining({ node: 3, timeMs: bin })]);
    for (const r of s.rows) expect(r.utilization).toBeCloseTo((r.node + 9) / 100, 12);
    expect(binByWindow(s.rows, nodeSeries())).toEqual(s.rows);
  });

  it('heatmap bins hold each group’s mean rate', () => {
    const s = heatSeries();
    const n = 3 * CHART_LIMITS.windows;
    for (let i = 0; i < n; i++) s.push(i, { timeMs: i * METRICS_WINDOW_MS, rates: [i % 2 === 0 ? 10 : 20, 5] } satisfies HeatRow);
    expect(s.rows.length).toBeLessThanOrEqual(CHART_LIMITS.windows);
    expect(s.width).toBeGreaterThanOrEqual(2);
    for (const r of s.rows) expect(r.rates).toEqual([15, 5]);
  });

  it('layouts: the layout in force at the end of every bin is exact', () => {
    const s = layoutSeries();
    const truth: LayoutRow[] = [];
    // a change in most windows, at a pseudo-random layout each time
    for (let i = 0; i < 4 * CHART_LIMITS.layouts; i++) {
      if (i % 5 === 4) continue;
      const l = { timeMs: i * METRICS_WINDOW_MS, boundaries: [0, ((i * 13) % 97) / 100, 1], nodes: [i % 3, (i + 1) % 3] };
      truth.push(l);
      s.push(i, { ...l });
    }
    expect(s.rows.length).toBeLessThanOrEqual(CHART_LIMITS.layouts);
    const inForce = (ls: readonly LayoutRow[], t: number) => ls.filter((l) => l.timeMs < t).at(-1);
    const W = s.width * METRICS_WINDOW_MS;
    for (let t = W; t <= truth.at(-1)!.timeMs; t += W) expect(inForce(s.rows, t), `t=${t}`).toEqual(inForce(truth, t));
  });

  it('same rows, same bins (deterministic), whatever the slots’ order within a window', () => {
    const run = () => {
      const s = new Binned<{ timeMs: number; k: number; v: number }>([], 8, (a, b) => void (a.v += b.v), (r) => r.k);
      for (let i = 0; i < 100; i++) for (const k of i % 2 ? [0, 1] : [1, 0]) s.push(i, { timeMs: i, k, v: i });
      return s.rows;
    };
    const a = run();
    expect(a).toEqual(run());
    expect(a.reduce((x, r) => x + r.v, 0)).toBe(2 * 4950);
  });

  it('operations: a fixed number of bars whatever the length, every operation counted by kind and status', () => {
    const ops: { timeMs: number; kind: string; status: string }[] = [];
    const weeks = 6;
    for (let t = 0; t < weeks * 7 * 86_400_000; t += 97_000) ops.push({ timeMs: t, kind: ['move', 'split', 'merge'][(t / 97_000) % 3], status: (t / 97_000) % 11 === 0 ? 'failed' : 'done' });
    const bins = OpBins.of(ops);
    expect(bins.binMs).toBeGreaterThan(OP_BIN_MS);
    const bars = new Set(bins.rows.map((r) => r.timeMs)).size;
    expect(bars).toBeLessThanOrEqual(CHART_LIMITS.opBars);
    const count = (kind: string, status: string) => bins.rows.filter((r) => r.kind === kind && r.status === status).reduce((a, r) => a + r.n, 0);
    for (const kind of ['move', 'split', 'merge']) for (const status of ['done', 'failed']) expect(count(kind, status), `${kind} ${status}`).toBe(ops.filter((o) => o.kind === kind && o.status === status).length);
    for (const r of bins.rows) expect(r.timeMs % bins.binMs).toBe(0);
    // a week of 10-minute bars is within the limit: unchanged
    const week = OpBins.of(ops.filter((o) => o.timeMs < 7 * 86_400_000 - OP_BIN_MS));
    expect(week.binMs).toBe(OP_BIN_MS);
  });
});

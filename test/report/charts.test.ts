import { describe, expect, it } from 'vitest';
import { WINDOW_COLUMNS, type WindowRow } from '../../src/cluster/lane-metrics.ts';
import type { ChartData, VlSpec } from '../../src/report/charts.ts';
import { heatmapChart, latencyChart, movedChart } from '../../src/report/charts.ts';
import { chartSections } from '../../src/report/write-report.ts';
import { policyScale } from '../../src/report/colors.ts';
import { renderHtml } from '../../src/report/html.ts';
import type { Summary } from '../../src/experiment/summary.ts';

const H = 3_600_000;
/** Two days of one-minute windows for five policies, as the default scenario writes, with churning layouts. */
function bigData(): ChartData {
  const kinds = ['static', 'reactive-threshold', 'reactive', 'predictive', 'oracle'];
  const policies = kinds.map((kind, k) => {
    const rows: WindowRow[] = [];
    const layouts: { timeMs: number; boundaries: number[] }[] = [];
    const nodes: { timeMs: number; node: number; utilization: number }[] = [];
    const ops: { timeMs: number; kind: string; status: string }[] = [];
    for (let i = 0; i < 2880; i++) {
      const t = i * 60_000;
      const row = Object.fromEntries(WINDOW_COLUMNS.map((c) => [c, 0])) as unknown as WindowRow;
      Object.assign(row, { timeMs: t, p99LatencyMs: t < 24 * H ? 0 : 2 + ((i * 7919 + k) % 5000), sloViolationRate: t < 24 * H ? 0 : (i % 100) / 1000, imbalance: 1 + (i % 13) / 10, partitions: 24 + (i % 5), movedBytes: i * 2 ** 26 });
      rows.push(row);
      if (k > 0) layouts.push({ timeMs: t, boundaries: Array.from({ length: 26 }, (_, b) => (b === 0 ? 0 : b === 25 ? 1 : Math.round(((b + (i % 3) * 0.3) / 25) * 256) / 256)) });
      for (let n = 0; n < 6; n++) nodes.push({ timeMs: t, node: n, utilization: ((i + n * 40) % 130) / 100 });
      if (k > 0 && i % 2 === 0) ops.push({ timeMs: t, kind: ['split', 'merge', 'move', 'create'][i % 4], status: i % 97 === 0 ? 'failed' : 'done' });
    }
    return { name: ['static', 'threshold', 'reactive', 'predictive', 'oracle'][k], kind, rows, layouts, nodes, ops, rollbacks: [30 * H], cdf: Array.from({ length: 300 }, (_, j) => ({ ms: 1 + j * 10, share: (j + 1) / 300 })) };
  });
  const heatmap = Array.from({ length: 2880 }, (_, i) => ({ timeMs: i * 60_000, rates: Array.from({ length: 64 }, (_, g) => ((i + g * 45) % 2880) / 3) }));
  return { policies, heatmap, warmupMs: 24 * H, sloMs: 100, sloPercentile: 99, durationMs: 48 * H };
}

const valuesOf = (spec: VlSpec): Record<string, unknown>[] => [
  ...(((spec.data as { values?: Record<string, unknown>[] } | undefined)?.values) ?? []),
  ...((spec.layer as VlSpec[] | undefined) ?? []).flatMap(valuesOf),
];

describe('run charts', () => {
  const data = bigData();

  it('keeps the default scenario’s page under 3 MB and says on each thinned chart that it is thinned', () => {
    const sections = chartSections(data);
    const html = renderHtml({ scenario: 'big', seed: 1, simulatedMs: 48 * H, measuredMs: 24 * H, sloLatencyMs: 100, sloPercentile: 99, policies: {}, expectations: [], invariantViolations: 0, scenarioHash: 'x', keycastVersion: '0', description: '' } as unknown as Summary, '', sections);
    expect(html.length).toBeLessThan(3 * 1024 * 1024);
    const latency = sections.find((s) => s.id === 'latency')!.spec;
    expect(JSON.stringify(latency.title)).toMatch(/max of each 4 min shown \(1,440 windows thinned 4:1\)/);
    // the heatmap cells are written once for all five heatmaps
    expect(html.split('"h0"').length).toBeLessThan(2 * 10_240 + 1000);
  });

  it('leaves the warm-up out of latency (no zeros on a log axis), shades it, and ends the time axis with the data', () => {
    const spec = latencyChart(data);
    const line = (spec.layer as VlSpec[])[0];
    const values = valuesOf(line);
    expect(Math.min(...values.map((v) => v.h as number))).toBeGreaterThanOrEqual(24);
    const enc = line.encoding as { x: { scale: { domain: number[] } }; y: { scale: { type: string }; axis: { values: number[] } } };
    expect(enc.x.scale.domain).toEqual([0, 48]);
    expect(enc.y.scale.type).toBe('log');
    expect(enc.y.axis.values).toEqual(expect.arrayContaining([1, 10, 100, 1000, 10_000]));
    expect(JSON.stringify(spec)).toMatch(/warm-up/);
    expect(JSON.stringify(spec)).toMatch(/SLO 100 ms/);
  });

  it('draws bytes in GiB and every policy’s boundaries over the whole run', () => {
    const moved = movedChart(data);
    expect(JSON.stringify(moved)).toMatch(/GiB/);
    expect(Math.max(...valuesOf(moved).filter((v) => v.v !== undefined).map((v) => v.v as number))).toBeCloseTo((2879 * 2 ** 26) / 2 ** 30, 1);
    const heat = heatmapChart(data, 'reactive');
    const segs = (heat.layer as VlSpec[])[1].data as { values: { h0: number; h1: number }[] };
    expect(Math.max(...segs.values.map((s) => s.h1))).toBeCloseTo(48, 1);
    expect(JSON.stringify(heat.title)).toMatch(/boundaries as they stood at the start of each column/);
  });

  it('gives a policy kind the same colour whatever its name or place', () => {
    const a = policyScale([{ name: 'static', kind: 'static' }, { name: 'p', kind: 'predictive' }]);
    const b = policyScale([{ name: 'pred', kind: 'predictive' }, { name: 'r', kind: 'reactive' }, { name: 's2', kind: 'static' }]);
    expect(a.range[1]).toBe(b.range[0]);
    expect(a.range[0]).toBe(b.range[2]);
  });
});

describe('charts of very long runs', () => {
  it('draw the latency chart from 4 × 40,320 windows (28 days of minutes) without overflowing the stack', () => {
    const mk = (i: number) => ({ ...(Object.fromEntries(WINDOW_COLUMNS.map((c) => [c, 0])) as unknown as WindowRow), timeMs: i * 60_000, p99LatencyMs: 2 + (i % 97) });
    const rows = Array.from({ length: 40_320 }, (_, i) => mk(i));
    const policies = ['a', 'b', 'c', 'd'].map((name) => ({ name, kind: 'static', rows, layouts: [] }));
    const spec = latencyChart({ policies, heatmap: [], warmupMs: 0, sloMs: 100 } as ChartData);
    expect(JSON.stringify(spec)).toContain('p99');
  });
});

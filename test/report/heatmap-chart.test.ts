import { describe, expect, it } from 'vitest';
import type { ChartData } from '../../src/report/chart-parts.ts';
import { heatmapChart } from '../../src/report/heatmap-chart.ts';

describe('the heatmap chart', () => {
  it('samples long runs to at most 160 time columns, averaging the rates of each', () => {
    const heatmap = Array.from({ length: 480 }, (_, i) => ({ timeMs: i * 60_000, rates: [i, 2 * i] }));
    const data: ChartData = { policies: [], heatmap, warmupMs: 0, sloMs: 100 };
    const spec = heatmapChart(data) as { datasets: { heat: { h0: number; k: number; r: number }[] } };
    const cells = spec.datasets.heat;
    expect(cells.length).toBe(160 * 2);
    // the first column averages minutes 0, 1, 2: rates 1 and 2
    expect(cells.slice(0, 2).map((c) => [c.k, c.r])).toEqual([
      [0, 1],
      [0.5, 2],
    ]);
  });

  it('draws a policy’s partition boundaries over the load', () => {
    const heatmap = Array.from({ length: 4 }, (_, i) => ({ timeMs: i * 60_000, rates: [1, 1] }));
    const data: ChartData = { policies: [{ name: 'a', kind: 'static', rows: [], layouts: [{ timeMs: 0, boundaries: [0, 0.5, 1] }] }], heatmap, warmupMs: 0, sloMs: 100 };
    expect(JSON.stringify(heatmapChart(data, 'a')).length).toBeGreaterThan(JSON.stringify(heatmapChart(data)).length);
  });
});

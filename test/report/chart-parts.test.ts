import { describe, expect, it } from 'vitest';
import { WINDOW_COLUMNS, type WindowRow } from '../../src/model/rows.ts';
import { endMsOf, msAxis, thin, thinNote, warmupLayers, type ChartData } from '../../src/report/chart-parts.ts';

function rows(n: number, v: (i: number) => number): WindowRow[] {
  return Array.from({ length: n }, (_, i) => Object.assign(Object.fromEntries(WINDOW_COLUMNS.map((c) => [c, 0])) as unknown as WindowRow, { timeMs: i * 60_000, p99LatencyMs: v(i) }));
}

describe('chart parts', () => {
  it('thins long series to at most 400 points keeping each stride’s peak (or last value)', () => {
    const r = rows(1000, (i) => (i === 7 ? 500 : i));
    const max = thin(r, 'p99LatencyMs');
    expect(max.stride).toBe(3);
    expect(max.points.length).toBe(334);
    expect(max.points[2].v).toBe(500);
    expect(thin(r, 'p99LatencyMs', 'last').points[2].v).toBe(8);
    expect(thin(rows(10, (i) => i), 'p99LatencyMs').stride).toBe(1);
  });

  it('a thinned chart says so; an unthinned one says nothing', () => {
    expect(thinNote(1, 100, 60_000, 'max', 'x.csv')).toBe('');
    expect(thinNote(3, 1000, 60_000, 'max', 'x.csv')).toMatch(/^max of each 3.*1,000 windows thinned 3:1\); every row is in x\.csv$/);
  });

  it('time axes end where the data ends; the warm-up is shaded only when there is one', () => {
    const d: ChartData = { policies: [{ name: 'a', kind: 'static', rows: rows(3, () => 0), layouts: [] }], heatmap: [], warmupMs: 0, sloMs: 100 };
    expect(endMsOf(d)).toBe(180_000);
    expect(endMsOf({ ...d, durationMs: 5 })).toBe(5);
    expect(warmupLayers(d)).toEqual([]);
    expect(warmupLayers({ ...d, warmupMs: 3_600_000 }).length).toBeGreaterThan(0);
  });

  it('latency axes are logarithmic and end on readable ticks around the data', () => {
    const a = msAxis('p99', 3, 2500) as { scale: { type: string; domain: number[] } };
    expect(a.scale.type).toBe('log');
    expect(a.scale.domain[0]).toBeLessThanOrEqual(3);
    expect(a.scale.domain[1]).toBeGreaterThanOrEqual(2500);
  });
});

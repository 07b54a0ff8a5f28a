import { describe, expect, it } from 'vitest';
import type { ForecastLogRow } from '../../src/model/rows.ts';
import type { ChartData, PolicyChartData } from '../../src/report/chart-parts.ts';
import { forecastRateChart, forecastShareChart } from '../../src/report/forecast-charts.ts';

const forecast: ForecastLogRow[] = Array.from({ length: 5 }, (_, i) => ({
  timeMs: i * 600_000,
  windowMs: 600_000,
  issuedAtMs: i * 600_000 - 60_000,
  rate: { mean: 100 + i, p10: 90, p90: 110 + i, actual: 98 + i },
  ranges: [
    { range: '0-10', share: 0.7, actual: 0.6 },
    { range: '10-20', share: 0.3, actual: 0.4 },
  ],
}));

describe('forecast charts', () => {
  const p: PolicyChartData = { name: 'predictive', kind: 'predictive', rows: [], layouts: [], forecast };
  const data: ChartData = { policies: [p], heatmap: [], warmupMs: 0, sloMs: 100, durationMs: 3_000_000 };

  it('draw nothing for a policy without a forecast log', () => {
    expect(forecastRateChart(data, { ...p, forecast: undefined })).toBeNull();
    expect(forecastShareChart(data, { ...p, forecast: [] })).toBeNull();
  });

  it('draw the forecast band against the observed rate, one value per window', () => {
    const spec = forecastRateChart(data, p) as { data: { values: { h: number; mean: number; actual: number }[] } };
    expect(spec.data.values.map((v) => [v.h, v.mean, v.actual])).toEqual(forecast.map((f) => [Math.round((f.timeMs / 3_600_000) * 1000) / 1000, f.rate.mean, f.rate.actual]));
  });

  it('draw each range’s forecast share against its realised share', () => {
    const text = JSON.stringify(forecastShareChart(data, p));
    expect(text).toContain('0-10');
    expect(text).toContain('10-20');
  });
});

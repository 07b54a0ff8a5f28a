/**
 * The forecast charts of a predictive policy: its forecast of the total rate (mean and p10–p90
 * band) against what was observed, and per key range its forecast share against the realised
 * share, from the policy's forecast.csv.
 */
import { endMsOf, hours, SCHEMA, warmupLayers, WIDTH, type ChartData, type PolicyChartData, type VlSpec } from './chart-parts.ts';

/** Forecast of the total rate (mean and p10–p90 band) against the observed rate, per window. */
export function forecastRateChart(data: ChartData, p: PolicyChartData): VlSpec | null {
  const f = p.forecast ?? [];
  if (!f.length) return null;
  const values = f.map((r) => ({ h: hours(r.timeMs), mean: r.rate.mean, p10: r.rate.p10, p90: r.rate.p90, actual: r.rate.actual }));
  const x = { field: 'h', type: 'quantitative', title: 'simulated time (h)', scale: { domain: [0, hours(endMsOf(data))], nice: false } };
  return {
    $schema: SCHEMA,
    title: { text: `${p.name}: total rate forecast against observed`, subtitle: `the forecast made one decision earlier for each window; band p10–p90; ${f.length} windows (all in ${p.name}/forecast.csv)` },
    width: WIDTH,
    height: 220,
    data: { values },
    layer: [
      { mark: { type: 'area', opacity: 0.25, color: '#59a14f' }, encoding: { x, y: { field: 'p10', type: 'quantitative', title: 'records/s (whole key space)' }, y2: { field: 'p90' } } },
      {
        transform: [{ fold: ['mean', 'actual'], as: ['series', 'rate'] }, { calculate: "datum.series === 'mean' ? 'forecast (mean)' : 'observed'", as: 'series' }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'rate', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['forecast (mean)', 'observed'], range: ['#59a14f', '#222222'] } },
          tooltip: [{ field: 'h', title: 'hour', format: '.2f' }, { field: 'series' }, { field: 'rate', title: 'records/s', format: ',.0f' }],
        },
      },
      ...warmupLayers(data),
    ],
  };
}

/** Per key range: forecast share against the realised share, for the ranges with the most load. */
export function forecastShareChart(data: ChartData, p: PolicyChartData, maxRanges = 8): VlSpec | null {
  const f = p.forecast ?? [];
  if (!f.length) return null;
  const mean = new Map<string, number>();
  for (const r of f) for (const g of r.ranges) mean.set(g.range, (mean.get(g.range) ?? 0) + g.actual / f.length);
  const all = [...mean.entries()].sort((a, b) => b[1] - a[1]);
  const keep = new Set(all.slice(0, maxRanges).map((e) => e[0]));
  const order = [...keep].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]));
  const stride = Math.max(1, Math.ceil(f.length / 150));
  const values: { h: number; range: string; forecast: number; realised: number }[] = [];
  for (let i = 0; i < f.length; i += stride) {
    const r = f[i];
    for (const g of r.ranges) if (keep.has(g.range)) values.push({ h: hours(r.timeMs), range: `buckets ${g.range}`, forecast: g.share, realised: g.actual });
  }
  const note = `${all.length > keep.size ? `the ${keep.size} of ${all.length} key ranges with the most load` : `all ${all.length} key ranges`}${stride > 1 ? `, every ${stride}th window` : ''}; everything in ${p.name}/forecast.csv`;
  return {
    $schema: SCHEMA,
    title: { text: `${p.name}: forecast share of each key range against the realised share`, subtitle: note },
    data: { values },
    facet: { field: 'range', type: 'nominal', title: null, sort: order.map((r) => `buckets ${r}`) },
    columns: 4,
    spec: {
      width: 130,
      height: 80,
      transform: [{ fold: ['forecast', 'realised'], as: ['series', 'share'] }],
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'h', type: 'quantitative', title: 'hour', scale: { domain: [0, hours(endMsOf(data))], nice: false } },
        y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '.0%' } },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['forecast', 'realised'], range: ['#59a14f', '#222222'] } },
        tooltip: [{ field: 'range' }, { field: 'series' }, { field: 'h', title: 'hour', format: '.2f' }, { field: 'share', format: '.2%' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

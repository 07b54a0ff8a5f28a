/**
 * The sweep page: a Pareto chart (p99 latency against bytes moved, one point per grid point and
 * policy, means over seeds) and sensitivity plots (each metric against each grid field, per
 * policy, with 95% confidence intervals over seeds).
 */
import { meanCi, type ResultRow } from '../experiment/sweep.ts';
import { escapeHtml, renderPage, type ChartSection } from './html.ts';
import type { VlSpec } from './charts.ts';

interface Manifest {
  readonly sweepId: string;
  readonly scenario: string;
  readonly total: number;
  readonly shard?: { index: number; count: number };
}

const SENSITIVITY = [
  ['sloViolationRate', 'share of records over the SLO'],
  ['p99LatencyMs', 'p99 latency (ms)'],
  ['movedBytes', 'bytes moved'],
] as const;

/** Means per grid point and policy. */
function means(fields: readonly string[], rows: readonly ResultRow[]) {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const k = JSON.stringify([r.point, r.policy]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.entries()].map(([k, rs]) => {
    const [point, policy] = JSON.parse(k) as [string[], string];
    const o: Record<string, unknown> = { policy, point: fields.map((f, i) => `${f}=${point[i]}`).join(', ') || '(base)' };
    fields.forEach((f, i) => (o[f] = Number.isNaN(Number(point[i])) ? point[i] : Number(point[i])));
    for (const m of ['p99LatencyMs', 'movedBytes', 'sloViolationRate']) {
      const { mean, ci95 } = meanCi(rs.map((r) => r.values[m]));
      o[m] = mean;
      o[`${m}_lo`] = Number.isNaN(ci95) ? mean : mean - ci95;
      o[`${m}_hi`] = Number.isNaN(ci95) ? mean : mean + ci95;
    }
    o.seeds = rs.length;
    return o;
  });
}

export function paretoChart(fields: readonly string[], rows: readonly ResultRow[]): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 620,
    height: 320,
    data: { values: means(fields, rows) },
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'movedBytes', type: 'quantitative', title: 'bytes moved (mean over seeds)', scale: { type: 'symlog' } },
      y: { field: 'p99LatencyMs', type: 'quantitative', title: 'p99 latency, ms (mean over seeds)', scale: { type: 'symlog' } },
      color: { field: 'policy', type: 'nominal' },
      shape: { field: 'policy', type: 'nominal' },
      tooltip: [{ field: 'policy' }, { field: 'point' }, { field: 'p99LatencyMs', format: '.2f' }, { field: 'movedBytes', format: '.3s' }, { field: 'sloViolationRate', format: '.4%' }, { field: 'seeds' }],
    },
  };
}

export function sensitivityChart(fields: readonly string[], rows: readonly ResultRow[], field: string, metric: string, title: string): VlSpec {
  const values = means(fields, rows);
  const numeric = values.every((v) => typeof v[field] === 'number');
  const x = { field, type: numeric ? 'quantitative' : 'ordinal', title: field };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 620,
    height: 220,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: metric, type: 'quantitative', title, aggregate: 'mean' }, color: { field: 'policy', type: 'nominal' } } },
      { mark: { type: 'errorbar' }, encoding: { x, y: { field: `${metric}_lo`, type: 'quantitative', aggregate: 'min' }, y2: { field: `${metric}_hi`, aggregate: 'max' }, color: { field: 'policy', type: 'nominal' } } },
    ],
  };
}

export function renderSweepHtml(m: Manifest, fields: readonly string[], rows: readonly ResultRow[]): string {
  const sections: ChartSection[] = [
    { id: 'pareto', title: 'Pareto: latency against data movement', note: 'Each point is a grid point and policy (means over seeds). Down and to the left is better: lower p99 for fewer bytes moved.', spec: paretoChart(fields, rows) },
  ];
  fields.forEach((f, i) => {
    for (const [metric, title] of SENSITIVITY) {
      sections.push({ id: `sens-${i}-${metric}`, title: `${title} against ${f}`, note: `Mean over seeds and the other grid fields; bars are 95% confidence intervals over seeds.`, spec: sensitivityChart(fields, rows, f, metric, title) });
    }
  });
  const seeds = new Set(rows.map((r) => r.seed)).size;
  const meta = `sweep ${escapeHtml(m.sweepId)} · ${m.total} runs${m.shard ? ` · shard ${m.shard.index}/${m.shard.count}` : ''} · grid: ${escapeHtml(fields.join(', ') || '(none)')} · ${seeds} seed(s)`;
  return renderPage(`keycast sweep: ${m.scenario}`, meta, '<p class="note">Data: results.csv (one row per run and policy) and aggregate.csv (means and 95% confidence intervals).</p>', sections);
}

/**
 * The sweep page and the sweep's terminal table. A Pareto chart (p99 latency against data moved,
 * both on log axes, one point per grid point and policy, means over seeds, the Pareto front
 * drawn and labelled), sensitivity plots (each metric against each grid field, per policy, one
 * line per value of the other grid fields), and a sortable table of grid points × policies with
 * means and intervals.
 *
 * Grid fields are dotted scenario paths (`policies.predictive.horizon`), which Vega-Lite would
 * read as nested fields: the chart data names them `g0`, `g1`… and the axes carry the path as
 * title. Intervals are 95% bootstrap percentile intervals of the mean over seeds (fixed resampling
 * seed), so they stay inside the seeds' range and a non-negative metric never goes below 0.
 */
import seedrandom from 'seedrandom';
import type { ResultRow } from '../experiment/sweep.ts';
import { parseDuration } from '../model/units.ts';
import { kindOfName, policyColor } from './colors.ts';
import { GIB, MS_LABEL_EXPR, fmtMs, fmtPct, msTicks } from './format.ts';
import { formatBytes } from '../model/units.ts';
import { escapeHtml, renderPage, type ChartSection } from './html.ts';
import type { VlSpec } from './charts.ts';

interface Manifest {
  readonly sweepId: string;
  readonly scenario: string;
  readonly total: number;
  readonly shard?: { index: number; count: number };
  /** Policy name → kind (stable colours); guessed from the name when absent. */
  readonly kinds?: Record<string, string>;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const RESAMPLES = 2000;

/** The metrics of the page: name, label, and how to show a value. */
export const SWEEP_METRICS = [
  { key: 'sloViolationRate', label: 'records over the SLO', fmt: fmtPct },
  { key: 'p99LatencyMs', label: 'p99 latency', fmt: fmtMs },
  { key: 'movedBytes', label: 'data moved', fmt: formatBytes },
] as const;
type MetricKey = (typeof SWEEP_METRICS)[number]['key'];

/** Mean and 95% bootstrap percentile interval of the mean (NaN ignored; lo = hi = mean with one value). */
export function bootstrapMean(xs: readonly number[], seed = 'keycast-sweep'): { mean: number; lo: number; hi: number; n: number } {
  const v = xs.filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1 || v.every((x) => x === v[0])) return { mean, lo: mean, hi: mean, n };
  const rng = seedrandom(seed);
  const means = new Float64Array(RESAMPLES);
  for (let r = 0; r < RESAMPLES; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[Math.floor(rng() * n)];
    means[r] = s / n;
  }
  means.sort();
  // a resampled mean lies within the values; clamp away float rounding of the sums
  const min = Math.min(...v);
  const max = Math.max(...v);
  const lo = Math.min(mean, Math.max(min, means[Math.floor(0.025 * (RESAMPLES - 1))]));
  const hi = Math.max(mean, Math.min(max, means[Math.ceil(0.975 * (RESAMPLES - 1))]));
  return { mean, lo, hi, n };
}

/** One grid point and policy, aggregated over seeds. */
export interface SweepCell {
  readonly point: readonly string[];
  readonly label: string;
  readonly policy: string;
  readonly seeds: number;
  readonly stats: Record<MetricKey, { mean: number; lo: number; hi: number }>;
}

/** Aggregates the rows per grid point and policy, in run order of first appearance. */
export function sweepCells(fields: readonly string[], rows: readonly ResultRow[]): SweepCell[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of [...rows].sort((a, b) => a.run - b.run)) {
    const k = JSON.stringify([r.point, r.policy]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.entries()].map(([k, rs]) => {
    const [point, policy] = JSON.parse(k) as [string[], string];
    const stats = {} as SweepCell['stats'];
    for (const m of SWEEP_METRICS) stats[m.key] = bootstrapMean(rs.map((r) => r.values[m.key]), `${k}/${m.key}`);
    return { point, label: fields.map((f, i) => `${shortField(f)}=${point[i]}`).join(', ') || '(base)', policy, seeds: rs.length, stats };
  });
}

/** `policies.predictive.horizon` → `predictive.horizon` (the last two segments). */
const shortField = (f: string) => f.split('.').slice(-2).join('.');

/** Sort key of a grid value: numbers and durations by value, else the text. */
function gridValue(v: string): number | string {
  const n = Number(v);
  if (v !== '' && !Number.isNaN(n)) return n;
  const d = parseDuration(v);
  return d !== undefined ? d : v;
}

function sortedValues(cells: readonly SweepCell[], i: number): string[] {
  const vs = [...new Set(cells.map((c) => c.point[i]))];
  return vs.sort((a, b) => {
    const x = gridValue(a);
    const y = gridValue(b);
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  });
}

const policiesOf = (cells: readonly SweepCell[], kinds?: Record<string, string>) => [...new Set(cells.map((c) => c.policy))].map((name) => ({ name, kind: kinds?.[name] ?? kindOfName(name) }));

/** Points not dominated in (moved, p99): no other point has both no more bytes and no higher p99, one strictly. */
export function paretoFront<T extends { x: number; y: number }>(pts: readonly T[]): T[] {
  const front = pts.filter((p) => !pts.some((q) => q !== p && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y)));
  return [...front].sort((a, b) => a.x - b.x || a.y - b.y);
}

export function paretoChart(fields: readonly string[], rows: readonly ResultRow[], kinds?: Record<string, string>): VlSpec {
  const cells = sweepCells(fields, rows);
  const moved = cells.map((c) => c.stats.movedBytes.mean / GIB).filter((x) => x > 0);
  const floor = moved.length ? Math.min(...moved) / 4 : 1 / 1024;
  const p99s = cells.map((c) => c.stats.p99LatencyMs.mean).filter((x) => x > 0);
  const pts = cells.map((c) => ({
    policy: c.policy,
    point: c.label,
    x: Math.max(floor, c.stats.movedBytes.mean / GIB),
    y: Math.max(1e-3, c.stats.p99LatencyMs.mean),
    moved: formatBytes(c.stats.movedBytes.mean),
    p99: fmtMs(c.stats.p99LatencyMs.mean),
    slo: fmtPct(c.stats.sloViolationRate.mean),
    seeds: c.seeds,
  }));
  // front points at one position (grid fields that made no difference) get one label
  const at = new Map<string, (typeof pts)[number][]>();
  for (const p of paretoFront(pts)) {
    const k = `${p.x}|${p.y}|${p.policy}`;
    if (!at.has(k)) at.set(k, []);
    at.get(k)!.push(p);
  }
  const front = [...at.values()].map((ps, i) => ({ ...ps[0], rank: i + 1, tag: ps.length > 1 ? `${ps[0].policy} (${ps.length} grid points)` : `${ps[0].policy}: ${ps[0].point}` }));
  const zeroNote = cells.some((c) => c.stats.movedBytes.mean <= 0) ? '; points that moved nothing sit at the left edge' : '';
  const x = { field: 'x', type: 'quantitative', title: 'data moved (GiB, log scale, mean over seeds)', scale: { type: 'log', domain: [floor / 1.5, Math.max(floor * 10, ...pts.map((p) => p.x)) * 1.5], nice: false } };
  const lo = p99s.length ? Math.min(...p99s) : 1;
  const hi = Math.max(lo * 10, ...p99s);
  const y = { field: 'y', type: 'quantitative', title: 'p99 latency (log scale, mean over seeds)', scale: { type: 'log', domain: [lo / 1.5, hi * 1.5], nice: false }, axis: { values: msTicks(lo / 1.5, hi * 1.5), labelExpr: MS_LABEL_EXPR } };
  return {
    $schema: SCHEMA,
    title: { text: 'Latency against data movement', subtitle: `black line: the Pareto front (no point is better on both); labelled points are on it${zeroNote}` },
    width: 620,
    height: 340,
    layer: [
      {
        data: { values: pts },
        mark: { type: 'point', filled: true, size: 80, opacity: 0.85 },
        encoding: {
          x,
          y,
          color: policyColor(policiesOf(cells, kinds)),
          shape: { field: 'policy', type: 'nominal' },
          tooltip: [{ field: 'policy' }, { field: 'point', title: 'grid point' }, { field: 'p99', title: 'p99' }, { field: 'moved', title: 'moved' }, { field: 'slo', title: 'over the SLO' }, { field: 'seeds' }],
        },
      },
      { data: { values: front }, mark: { type: 'line', color: '#222', strokeWidth: 1, interpolate: 'step-after' }, encoding: { x, y, order: { field: 'rank' } } },
      { data: { values: front }, mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 10, color: '#222' }, encoding: { x, y, text: { field: 'tag' } } },
    ],
  };
}

/** One metric against one grid field: a line per policy and value of the other fields, with interval bars. */
export function sensitivityChart(fields: readonly string[], rows: readonly ResultRow[], fieldIndex: number, metric: MetricKey, kinds?: Record<string, string>): VlSpec {
  const cells = sweepCells(fields, rows);
  const order = sortedValues(cells, fieldIndex);
  const scale = metric === 'movedBytes' ? GIB : 1;
  const values = cells.map((c) => {
    const rest = fields.map((f, i) => (i === fieldIndex ? '' : `${shortField(f)}=${c.point[i]}`)).filter(Boolean).join(', ');
    const s = c.stats[metric];
    return { g: c.point[fieldIndex], policy: c.policy, line: `${c.policy}${rest ? ` (${rest})` : ''}`, rest: rest || '—', v: s.mean / scale, v_lo: s.lo / scale, v_hi: s.hi / scale, seeds: c.seeds, shown: metricText(metric, s.mean), ci: `${metricText(metric, s.lo)} – ${metricText(metric, s.hi)}` };
  });
  const m = SWEEP_METRICS.find((x) => x.key === metric)!;
  const pos = values.map((v) => v.v_lo).filter((x) => x > 0);
  const yEnc: Record<string, unknown> =
    metric === 'p99LatencyMs'
      ? (() => {
          const all = [...pos, ...values.map((v) => v.v).filter((x) => x > 0)];
          const lo = (all.length ? Math.min(...all) : 1) / 1.5;
          const hi = Math.max(lo * 10, ...values.map((v) => v.v_hi)) * 1.5;
          return { title: 'p99 latency (log scale)', scale: { type: 'log', domain: [lo, hi], nice: false, clamp: true }, axis: { values: msTicks(lo, hi), labelExpr: MS_LABEL_EXPR } };
        })()
      : metric === 'movedBytes'
        ? { title: 'data moved (GiB)', scale: { zero: true } }
        : { title: 'records over the SLO', axis: { format: '.2~%' }, scale: { zero: true } };
  const x = { field: 'g', type: 'ordinal', title: fields[fieldIndex], sort: order, axis: { labelAngle: 0 } };
  const color = policyColor(policiesOf(cells, kinds));
  return {
    $schema: SCHEMA,
    title: { text: `${m.label} against ${fields[fieldIndex]}`, subtitle: fields.length > 1 ? 'one line per policy and value of the other grid fields (dash); bars: 95% bootstrap interval over seeds' : 'bars: 95% bootstrap interval over seeds' },
    width: 620,
    height: 220,
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 }, encoding: { x, y: { field: 'v_lo', type: 'quantitative', ...yEnc }, y2: { field: 'v_hi' }, color, detail: { field: 'line' } } },
      {
        mark: { type: 'line', point: true, strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'v', type: 'quantitative', ...yEnc },
          color,
          detail: { field: 'line' },
          ...(fields.length > 1 ? { strokeDash: { field: 'rest', type: 'nominal', title: 'other grid fields', legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolStrokeColor: '#444' } } } : {}),
          tooltip: [{ field: 'policy' }, { field: 'g', title: fields[fieldIndex] }, { field: 'rest', title: 'other fields' }, { field: 'shown', title: 'mean' }, { field: 'ci', title: '95% interval' }, { field: 'seeds' }],
        },
      },
    ],
  };
}

function metricText(metric: MetricKey, v: number): string {
  return Number.isNaN(v) ? '—' : SWEEP_METRICS.find((m) => m.key === metric)!.fmt(v);
}

/** A cell's text: mean [lo – hi] (just the mean with one seed). */
function statHtml(metric: MetricKey, s: { mean: number; lo: number; hi: number }, seeds: number): string {
  const m = escapeHtml(metricText(metric, s.mean));
  return seeds > 1 && s.lo !== s.hi ? `${m} <small>${escapeHtml(metricText(metric, s.lo))} – ${escapeHtml(metricText(metric, s.hi))}</small>` : m;
}
function statText(metric: MetricKey, s: { mean: number; lo: number; hi: number }, seeds: number): string {
  return seeds > 1 && s.lo !== s.hi ? `${metricText(metric, s.mean)} [${metricText(metric, s.lo)} – ${metricText(metric, s.hi)}]` : metricText(metric, s.mean);
}

/** The sortable HTML table of grid points × policies. */
export function sweepTableHtml(fields: readonly string[], rows: readonly ResultRow[], kinds?: Record<string, string>): string {
  const cells = sweepCells(fields, rows);
  const colors = policyColor(policiesOf(cells, kinds)).scale as { domain: string[]; range: string[] };
  const head = `<tr>${fields.map((f) => `<th title="${escapeHtml(f)}">${escapeHtml(shortField(f))}</th>`).join('')}<th>policy</th><th>seeds</th>${SWEEP_METRICS.map((m) => `<th>${escapeHtml(m.label)}</th>`).join('')}</tr>`;
  const body = cells
    .map((c) => {
      const g = c.point.map((v) => `<td data-v="${escapeHtml(String(gridValue(v)))}">${escapeHtml(v)}</td>`).join('');
      const sw = `<span class="sw" style="background:${colors.range[colors.domain.indexOf(c.policy)]}"></span>`;
      const ms = SWEEP_METRICS.map((m) => `<td data-v="${c.stats[m.key].mean}">${statHtml(m.key, c.stats[m.key], c.seeds)}</td>`).join('');
      return `<tr>${g}<td data-v="${escapeHtml(c.policy)}">${sw}${escapeHtml(c.policy)}</td><td>${c.seeds}</td>${ms}</tr>`;
    })
    .join('');
  return `<table class="sortable sweep"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** The same table as aligned text for a terminal. */
export function sweepTableText(fields: readonly string[], rows: readonly ResultRow[]): string {
  const cells = sweepCells(fields, rows);
  const head = [...fields.map(shortField), 'policy', 'seeds', ...SWEEP_METRICS.map((m) => m.label)];
  const body = cells.map((c) => [...c.point, c.policy, String(c.seeds), ...SWEEP_METRICS.map((m) => statText(m.key, c.stats[m.key], c.seeds))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = (i: number) => i >= fields.length + 1;
  const line = (cs: string[]) => cs.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const seeds = Math.max(0, ...cells.map((c) => c.seeds));
  const note = seeds > 1 ? `means over ${seeds} seeds [95% bootstrap interval]` : 'one seed per grid point, no interval';
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...body.map(line), '', note].join('\n') + '\n';
}

export function renderSweepHtml(m: Manifest, fields: readonly string[], rows: readonly ResultRow[]): string {
  const sections: ChartSection[] = [
    { id: 'pareto', title: 'Pareto: latency against data movement', note: 'Each point is a grid point and policy (means over seeds); hover for which. Down and to the left is better: lower p99 for fewer bytes moved. The black line is the Pareto front.', spec: paretoChart(fields, rows, m.kinds) },
  ];
  fields.forEach((f, i) => {
    for (const metric of SWEEP_METRICS) {
      sections.push({ id: `sens-${i}-${metric.key}`, title: `${metric.label} against ${f}`, note: 'Means over seeds; bars are 95% bootstrap intervals of the mean (they stay within the seeds’ range, never below 0).', spec: sensitivityChart(fields, rows, i, metric.key, m.kinds) });
    }
  });
  const seeds = new Set(rows.map((r) => r.seed)).size;
  const meta = `sweep ${escapeHtml(m.sweepId)} · ${m.total} runs${m.shard ? ` · shard ${m.shard.index}/${m.shard.count}` : ''} · grid: ${escapeHtml(fields.join(', ') || '(none)')} · ${seeds} seed(s)`;
  const intervals =
    seeds > 1
      ? `Intervals: 95% bootstrap percentile intervals of the mean over the ${seeds} seeds (${RESAMPLES} resamples, fixed seed). With few seeds they are rough and cannot reach beyond the seeds’ range; aggregate.csv also has t-based half-widths.`
      : 'One seed per grid point: no intervals (run with --seeds N for them).';
  const body = `<h2>Grid points × policies</h2><p class="note">Click a column header to sort. Each cell: mean, then in small print its 95% interval. ${escapeHtml(intervals)}</p>${sweepTableHtml(fields, rows, m.kinds)}
<p class="note">Data: <a href="results.csv">results.csv</a> (one row per run and policy), <a href="aggregate.csv">aggregate.csv</a> (means and t-based 95% half-widths), <a href="sweep.json">sweep.json</a>. Bytes in binary units (GiB = 2^30 bytes).</p>`;
  return renderPage(`keycast sweep: ${m.scenario}`, meta, body, sections);
}


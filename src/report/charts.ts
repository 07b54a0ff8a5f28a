/**
 * Vega-Lite specs of a run's report, as pure functions of the run's data. Long series are
 * thinned to at most MAX_POINTS per policy (max within each stride, so peaks survive) and every
 * thinned chart says so in its subtitle: the full data is in the report's CSV files. Latency is
 * on log axes with ticks people read (1 ms … 1 h); the warm-up is shaded and left out of the
 * measured series; time axes end where the data ends; bytes are in GiB (binary); a policy kind
 * has the same colour on every page (colors.ts).
 */
import type { WindowRow } from '../cluster/lane-metrics.ts';
import type { ForecastLogRow } from '../policies/policy.ts';
import { SLO_RED, policyColor } from './colors.ts';
import { GIB, MS_LABEL_EXPR, MS_TICKS, fmtMs, msTicks } from './format.ts';

export type VlSpec = Record<string, unknown>;
const MAX_POINTS = 400;
const WIDTH = 620;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** What the charts need of one policy; the optional parts come from its data files when they exist. */
export interface PolicyChartData {
  readonly name: string;
  readonly kind: string;
  readonly rows: readonly WindowRow[];
  readonly layouts: readonly { timeMs: number; boundaries: number[] }[];
  /** Per node per window (nodes.csv). */
  readonly nodes?: readonly { timeMs: number; node: number; utilization: number }[];
  /** Finished operations (operations.csv): time, action kind, done or failed; `n` of them (default 1). */
  readonly ops?: readonly { timeMs: number; kind: string; status: string; n?: number }[];
  /** End times of rolled-back plans (plans.jsonl). */
  readonly rollbacks?: readonly number[];
  /** Latency distribution of the measured records: latency (ms) and cumulative share. */
  readonly cdf?: readonly { ms: number; share: number }[];
  /** Forecast against observation per window (predictive; forecast.csv). */
  readonly forecast?: readonly ForecastLogRow[];
}

/** Chart input: per-policy data plus the shared heatmap. */
export interface ChartData {
  readonly policies: readonly PolicyChartData[];
  readonly heatmap: readonly { timeMs: number; rates: number[] }[];
  readonly warmupMs: number;
  readonly sloMs: number;
  /** The SLO's percentile (99 for p99). */
  readonly sloPercentile?: number;
  /** Simulated span (ms): where the time axes end. */
  readonly durationMs?: number;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 1000) / 1000;
const windowMsOf = (rows: readonly { timeMs: number }[]) => (rows.length > 1 ? rows[1].timeMs - rows[0].timeMs : 60_000);
const endMsOf = (d: ChartData) => d.durationMs ?? Math.max(0, ...d.policies.map((p) => (p.rows.length ? p.rows[p.rows.length - 1].timeMs + windowMsOf(p.rows) : 0)));

/** Thins rows to ≤ MAX_POINTS, keeping the max (or last) of `field` in each stride. */
function thin(rows: readonly WindowRow[], field: keyof WindowRow, how: 'max' | 'last' = 'max'): { stride: number; points: { h: number; v: number }[] } {
  const stride = Math.max(1, Math.ceil(rows.length / MAX_POINTS));
  const out: { h: number; v: number }[] = [];
  for (let i = 0; i < rows.length; i += stride) {
    let v = how === 'last' ? rows[Math.min(rows.length, i + stride) - 1][field] : -Infinity;
    if (how === 'max') for (let j = i; j < Math.min(rows.length, i + stride); j++) v = Math.max(v, rows[j][field]);
    // Round to the CSV's precision first, so a report re-rendered from timeseries.csv
    // (`keycast report`) gets the very same chart values as the run that wrote it.
    const v6 = Math.round(v * 1e6) / 1e6;
    out.push({ h: hours(rows[i].timeMs), v: Math.round(v6 * 1e4) / 1e4 });
  }
  return { stride, points: out };
}

/** The subtitle of a thinned chart. */
function thinNote(stride: number, n: number, winMs: number, how: 'max' | 'last', file: string): string {
  if (stride <= 1) return '';
  // "every row", not "every window": runs longer than the series cap keep 1 window in 2, 4, … (cluster/thinned.ts).
  return `${how === 'max' ? 'max' : 'last value'} of each ${fmtMs(stride * winMs)} shown (${n.toLocaleString('en-US')} windows thinned ${stride}:1); every row is in ${file}`;
}

const xTime = (d: ChartData) => ({ field: 'h', type: 'quantitative', title: 'simulated time (h)', scale: { domain: [0, hours(endMsOf(d))], nice: false } });

/** The shaded warm-up band (and its label), when there is one. */
function warmupLayers(d: ChartData): VlSpec[] {
  if (d.warmupMs <= 0) return [];
  return [
    {
      data: { values: [{ h0: 0, h1: hours(d.warmupMs), label: 'warm-up (not measured)' }] },
      mark: { type: 'rect', color: '#000', opacity: 0.06 },
      encoding: { x: { field: 'h0', type: 'quantitative' }, x2: { field: 'h1' } },
    },
    {
      data: { values: [{ h: hours(d.warmupMs) / 2, label: 'warm-up' }] },
      mark: { type: 'text', baseline: 'top', dy: 4, color: '#777', fontSize: 11 },
      encoding: { x: { field: 'h', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
}

/** A labelled horizontal SLO rule at `ms`. */
function sloLayers(ms: number, field = 'y'): VlSpec[] {
  return [
    { data: { values: [{ [field]: ms }] }, mark: { type: 'rule', color: SLO_RED, strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { y: { field, type: 'quantitative' } } },
    {
      data: { values: [{ [field]: ms, label: `SLO ${fmtMs(ms)}` }] },
      mark: { type: 'text', color: SLO_RED, align: 'right', baseline: 'bottom', dy: -2, fontWeight: 'bold' },
      encoding: { y: { field, type: 'quantitative' }, x: { value: WIDTH - 4 }, text: { field: 'label' } },
    },
  ];
}

/** A log latency axis over [lo, hi] ms with readable ticks. */
function msAxis(title: string, lo: number, hi: number): Record<string, unknown> {
  // the domain ends on readable ticks (1 ms, 10 ms, … 1 min, 10 min, 1 h) around the data
  const l = Math.max(1e-3, [...MS_TICKS].reverse().find((t) => t <= lo) ?? lo);
  const h = Math.max(l * 10, MS_TICKS.find((t) => t >= hi) ?? hi);
  return { title, scale: { type: 'log', domain: [l, h], nice: false, clamp: true }, axis: { values: msTicks(l, h), labelExpr: MS_LABEL_EXPR } };
}

interface LineOpts {
  readonly how?: 'max' | 'last';
  /** Leave the warm-up windows out (metrics measured after warm-up only). */
  readonly measuredOnly?: boolean;
  readonly scale?: number;
}

function timeValues(data: ChartData, field: keyof WindowRow, opts: LineOpts) {
  let stride = 1;
  let n = 0;
  const values = data.policies.flatMap((p) => {
    const rows = opts.measuredOnly ? p.rows.filter((r) => r.timeMs >= data.warmupMs) : p.rows;
    const t = thin(rows, field, opts.how);
    stride = Math.max(stride, t.stride);
    n = Math.max(n, rows.length);
    return t.points.map((d) => ({ policy: p.name, h: d.h, v: opts.scale ? Math.round((d.v / opts.scale) * 1e6) / 1e6 : d.v }));
  });
  const win = windowMsOf(data.policies[0]?.rows ?? []);
  return { values, note: thinNote(stride, n, win, opts.how ?? 'max', '<policy>/timeseries.csv') };
}

function lineChart(data: ChartData, field: keyof WindowRow, title: string, yTitle: string, opts: LineOpts & { y?: Record<string, unknown>; extra?: VlSpec[] } = {}): VlSpec {
  const { values, note } = timeValues(data, field, opts);
  const layers: VlSpec[] = [
    {
      data: { values },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
      encoding: {
        x: xTime(data),
        y: { field: 'v', type: 'quantitative', title: yTitle, ...(opts.y ?? {}) },
        color: policyColor(data.policies),
        tooltip: [{ field: 'policy' }, { field: 'h', title: 'hour', format: '.2f' }, { field: 'v', title: yTitle, format: ',.4~g' }],
      },
    },
    ...warmupLayers(data),
    ...(opts.extra ?? []),
  ];
  return { $schema: SCHEMA, title: note ? { text: title, subtitle: note } : title, width: WIDTH, height: 220, layer: layers };
}

/** p99 latency per window, per policy, on a log axis, with the SLO as a labelled red rule. */
export function latencyChart(data: ChartData): VlSpec {
  const rows = data.policies.flatMap((p) => p.rows.filter((r) => r.timeMs >= data.warmupMs && r.p99LatencyMs > 0));
  const lo = Math.min(data.sloMs, ...rows.map((r) => r.p99LatencyMs));
  const hi = Math.max(data.sloMs * 2, ...rows.map((r) => r.p99LatencyMs));
  const spec = lineChart(data, 'p99LatencyMs', 'p99 latency per minute (after warm-up)', 'p99 latency (log scale)', { measuredOnly: true, y: msAxis('p99 latency (log scale)', lo / 1.2, hi * 1.2), extra: sloLayers(data.sloMs) });
  // windows without served records have no latency: left out of the log axis rather than drawn at 0
  ((spec.layer as VlSpec[])[0].transform as unknown) = [{ filter: 'datum.v > 0' }];
  return spec;
}

/** Share of records over the SLO per window (after warm-up). */
export function sloChart(data: ChartData): VlSpec {
  return lineChart(data, 'sloViolationRate', 'Share of records over the SLO per minute (after warm-up)', 'records over the SLO', { measuredOnly: true, y: { axis: { format: '.1~%' } } });
}

/** max/mean partition load per window. */
export function imbalanceChart(data: ChartData): VlSpec {
  return lineChart(data, 'imbalance', 'Imbalance (max / mean partition load)', 'imbalance (max / mean)');
}

/** Cumulative bytes moved, in GiB. */
export function movedChart(data: ChartData): VlSpec {
  return lineChart(data, 'movedBytes', 'Cumulative data moved', 'moved (GiB, binary)', { how: 'last', scale: GIB });
}

/** Partitions over time. */
export function partitionsChart(data: ChartData): VlSpec {
  return lineChart(data, 'partitions', 'Partition count', 'partitions', { how: 'last' });
}

/**
 * Latency distribution per policy as the share of measured records slower than each latency (a
 * complementary CDF on log–log axes, so the tail is readable), with the SLO latency and the SLO
 * percentile's share as labelled red rules: a line passing below their crossing meets the SLO.
 */
export function cdfChart(data: ChartData, sloPercentile = 99): VlSpec | null {
  const FLOOR = 1e-6;
  const values = data.policies.flatMap((p) => (p.cdf ?? []).map((c) => ({ policy: p.name, ms: c.ms, above: Math.max(FLOOR, Math.round((1 - c.share) * 1e9) / 1e9) })));
  if (!values.length) return null;
  const pos = values.filter((v) => v.ms > 0).map((v) => v.ms);
  const lo = Math.min(data.sloMs, ...pos);
  const hi = Math.max(data.sloMs * 2, ...pos);
  const tail = 1 - sloPercentile / 100;
  const minAbove = Math.min(tail / 10, ...values.map((v) => v.above));
  const shares = [1, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6].filter((x) => x >= minAbove / 1.001);
  return {
    $schema: SCHEMA,
    title: { text: 'Latency distribution of the measured records', subtitle: `share of records slower than each latency; below ${(FLOOR * 100).toPrecision(1)}% drawn at the floor; all points in latency.csv` },
    width: WIDTH,
    height: 240,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: 'ms', type: 'quantitative', ...msAxis('latency (log scale)', lo / 1.2, hi * 1.2) },
          y: { field: 'above', type: 'quantitative', title: 'share of records slower (log scale)', scale: { type: 'log', domain: [minAbove, 1], nice: false }, axis: { values: shares, format: '~%' } },
          color: policyColor(data.policies),
          tooltip: [{ field: 'policy' }, { field: 'ms', title: 'latency (ms)', format: ',.4~g' }, { field: 'above', title: 'share slower', format: '.4~%' }],
        },
      },
      { data: { values: [{ x: data.sloMs }] }, mark: { type: 'rule', color: SLO_RED, strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      { data: { values: [{ y: tail }] }, mark: { type: 'rule', color: SLO_RED, strokeDash: [2, 3], strokeWidth: 1 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: [{ x: data.sloMs, y: tail, label: `SLO: p${sloPercentile} ≤ ${fmtMs(data.sloMs)}` }] },
        mark: { type: 'text', color: SLO_RED, align: 'left', dx: 4, dy: -6, baseline: 'bottom', fontWeight: 'bold' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}

/** Per-node utilisation over time, one row of nodes per policy (max in each time bin). */
export function nodesChart(data: ChartData): VlSpec | null {
  const cells: { policy: string; node: number; h0: number; h1: number; u: number }[] = [];
  let stride = 1;
  let n = 0;
  for (const p of data.policies) {
    if (!p.nodes?.length) continue;
    const times = [...new Set(p.nodes.map((r) => r.timeMs))].sort((a, b) => a - b);
    const win = times.length > 1 ? times[1] - times[0] : 60_000;
    const s = Math.max(1, Math.ceil(times.length / 120));
    stride = Math.max(stride, s);
    n = Math.max(n, times.length);
    const binOf = (t: number) => Math.floor((t - times[0]) / (win * s));
    const acc = new Map<string, number>();
    for (const r of p.nodes) {
      const k = `${r.node}|${binOf(r.timeMs)}`;
      acc.set(k, Math.max(acc.get(k) ?? 0, r.utilization));
    }
    for (const [k, u] of acc) {
      const [node, b] = k.split('|').map(Number);
      const t0 = times[0] + b * win * s;
      cells.push({ policy: p.name, node, h0: hours(t0), h1: hours(Math.min(t0 + win * s, endMsOf(data))), u: Math.round((Math.round(u * 1e6) / 1e6) * 1000) / 1000 });
    }
  }
  if (!cells.length) return null;
  const win = windowMsOf(data.policies[0]?.rows ?? []);
  const note = thinNote(stride, n, win, 'max', '<policy>/nodes.csv');
  return {
    $schema: SCHEMA,
    title: note ? { text: 'Node utilisation', subtitle: note } : 'Node utilisation',
    data: { values: cells },
    facet: { row: { field: 'policy', type: 'nominal', title: null, sort: data.policies.map((p) => p.name), header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: WIDTH - 60,
      height: Math.max(30, 9 * new Set(cells.map((c) => c.node)).size),
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'h0', type: 'quantitative', title: 'simulated time (h)', scale: { domain: [0, hours(endMsOf(data))], nice: false } },
        x2: { field: 'h1' },
        y: { field: 'node', type: 'ordinal', title: 'node', axis: { labelFontSize: 9 } },
        color: { field: 'u', type: 'quantitative', title: 'utilisation', scale: { type: 'threshold', domain: [0.5, 0.8, 1, 1.2], range: ['#deebf7', '#9ecae1', '#3182bd', '#fd8d3c', '#a50f15'] }, legend: { format: '.0%' } },
        tooltip: [{ field: 'policy' }, { field: 'node' }, { field: 'h0', title: 'from hour', format: '.2f' }, { field: 'u', title: 'max utilisation', format: '.0%' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Operations per 10 minutes by kind per policy; failed operations and rolled-back plans marked. */
export function operationsChart(data: ChartData): VlSpec | null {
  const BIN = 600_000;
  const rows: { policy: string; h: number; h1?: number; kind: string; n: number; what: string }[] = [];
  const shown: string[] = [];
  for (const p of data.policies) {
    const ops = p.ops ?? [];
    if (!ops.length && !(p.rollbacks ?? []).length) continue;
    shown.push(p.name);
    const acc = new Map<string, number>();
    for (const o of ops) {
      const k = `${o.status === 'failed' ? 'failed' : o.kind}|${Math.floor(o.timeMs / BIN)}`;
      acc.set(k, (acc.get(k) ?? 0) + (o.n ?? 1));
    }
    for (const [k, n] of acc) {
      const [kind, b] = k.split('|');
      rows.push({ policy: p.name, h: hours(Number(b) * BIN), h1: hours((Number(b) + 1) * BIN), kind, n, what: kind === 'failed' ? 'failed' : 'done' });
    }
    for (const t of p.rollbacks ?? []) rows.push({ policy: p.name, h: hours(t), kind: 'plan rolled back', n: 0, what: 'rollback' });
  }
  if (!rows.length) return null;
  const kinds = ['split', 'merge', 'move', 'create', 'failed', 'plan rolled back'];
  const color = { field: 'kind', type: 'nominal', title: 'operation', scale: { domain: kinds, range: ['#4c78a8', '#72b7b2', '#f58518', '#b279a2', SLO_RED, '#000000'] } };
  const x = { field: 'h', type: 'quantitative', title: 'simulated time (h)', scale: { domain: [0, hours(endMsOf(data))], nice: false } };
  return {
    $schema: SCHEMA,
    title: { text: 'Operations per 10 minutes', subtitle: 'bars: finished operations by kind (failed ones in red); black rules: plans rolled back' },
    data: { values: rows },
    facet: { row: { field: 'policy', type: 'nominal', title: null, sort: shown, header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: WIDTH - 60,
      height: 70,
      layer: [
        {
          transform: [{ filter: "datum.what !== 'rollback'" }, { stack: 'n', groupby: ['policy', 'h'], sort: [{ field: 'kind' }], as: ['n0', 'n1'] }],
          mark: { type: 'rect' },
          encoding: { x: { ...x }, x2: { field: 'h1' }, y: { field: 'n0', type: 'quantitative', title: 'ops' }, y2: { field: 'n1' }, color, tooltip: [{ field: 'policy' }, { field: 'kind' }, { field: 'h', title: 'hour', format: '.2f' }, { field: 'n', title: 'operations' }] },
        },
        { transform: [{ filter: "datum.what === 'rollback'" }], mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { ...x }, color } },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

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

/**
 * The load heatmap (key range × time, records/s per key-space group) with one policy's partition
 * boundaries drawn over it, sampled at the heatmap's time resolution (a boundary kept through
 * consecutive columns is one segment), so the whole run is drawn whatever the number of changes.
 */
export function heatmapChart(data: ChartData, policy?: string): VlSpec {
  const hm = data.heatmap;
  const { cells, cols, stride, step } = heatCells(hm);
  const layers: VlSpec[] = [
    {
      // one copy of the cells per page, shared by every heatmap (see renderPage's datasets)
      data: { name: 'heat' },
      // each cell overlaps its neighbours a little: no anti-aliasing seams between cells
      transform: [{ calculate: `datum.k + ${1.25 / (hm[0]?.rates.length ?? 1)}`, as: 'k1' }, { calculate: `datum.h1 + ${Math.round(stride * step * 0.25) / 3_600_000}`, as: 'h1' }],
      mark: { type: 'rect', clip: true },
      encoding: {
        x: { field: 'h0', type: 'quantitative', title: 'simulated time (h)', scale: { domain: [0, hours(endMsOf(data))], nice: false } },
        x2: { field: 'h1' },
        y: { field: 'k', type: 'quantitative', title: 'key space position', scale: { domain: [0, 1] } },
        y2: { field: 'k1' },
        color: { field: 'r', type: 'quantitative', title: 'records/s', scale: { scheme: 'inferno', type: 'sqrt' } },
        tooltip: [{ field: 'h0', title: 'hour' }, { field: 'k', title: 'key from' }, { field: 'r', title: 'records/s' }],
      },
    },
  ];
  const p = data.policies.find((x) => x.name === policy);
  let subtitle = stride > 1 ? `load averaged over ${fmtMs(stride * step)} per column (${hm.length.toLocaleString('en-US')} windows in heatmap.json)` : '';
  if (p) {
    const segs: { h0: number; h1: number; b: number }[] = [];
    const open = new Map<number, number>(); // boundary → start time of its open segment
    let li = 0;
    let changes = 0;
    for (const c of cols) {
      while (li + 1 < p.layouts.length && p.layouts[li + 1].timeMs <= c.t0) li++;
      const now = new Set(p.layouts.length && p.layouts[li].timeMs <= c.t0 ? p.layouts[li].boundaries.slice(1, -1) : p.layouts[0]?.boundaries.slice(1, -1) ?? []);
      for (const [b, t0] of open) if (!now.has(b)) (segs.push({ h0: hours(t0), h1: hours(c.t0), b }), open.delete(b));
      for (const b of now) if (!open.has(b)) open.set(b, c.t0);
    }
    for (let i = 1; i < p.layouts.length; i++) if (p.layouts[i].timeMs > p.layouts[i - 1].timeMs) changes++;
    const endT = cols.at(-1)?.t1 ?? 0;
    for (const [b, t0] of open) segs.push({ h0: hours(t0), h1: hours(endT), b });
    if (stride > 1 || changes > cols.length) subtitle += `${subtitle ? '; ' : ''}boundaries as they stood at the start of each column (${changes.toLocaleString('en-US')} layout changes in layouts.json)`;
    layers.push({
      data: { values: segs },
      mark: { type: 'rule', color: '#7fdbff', strokeWidth: 0.8, opacity: 0.85 },
      encoding: { x: { field: 'h0', type: 'quantitative' }, x2: { field: 'h1' }, y: { field: 'b', type: 'quantitative' } },
    });
  }
  const text = p ? `Load over key space and time, with ${p.name}'s partition boundaries` : 'Load over key space and time';
  return { $schema: SCHEMA, title: subtitle ? { text, subtitle } : text, width: WIDTH, height: 260, layer: layers, usermeta: { datasets: ['heat'] }, datasets: { heat: cells } };
}

const heatMemo = new WeakMap<object, ReturnType<typeof heatCellsOf>>();
/** The heatmap's cells (≤ 160 time columns × groups), computed once per heatmap. */
function heatCells(hm: ChartData['heatmap']) {
  let c = heatMemo.get(hm);
  if (!c) heatMemo.set(hm, (c = heatCellsOf(hm)));
  return c;
}
function heatCellsOf(hm: ChartData['heatmap']) {
  const stride = Math.max(1, Math.ceil(hm.length / 160));
  const groups = hm[0]?.rates.length ?? 1;
  const step = (hm[1]?.timeMs ?? 60_000) - (hm[0]?.timeMs ?? 0);
  const cells: { h0: number; h1: number; k: number; r: number }[] = [];
  const cols: { t0: number; t1: number }[] = [];
  for (let i = 0; i < hm.length; i += stride) {
    const end = Math.min(hm.length, i + stride);
    const t1 = end < hm.length ? hm[end].timeMs : hm[end - 1].timeMs + step;
    cols.push({ t0: hm[i].timeMs, t1 });
    for (let g = 0; g < groups; g++) {
      let s = 0;
      for (let j = i; j < end; j++) s += hm[j].rates[g];
      cells.push({ h0: hours(hm[i].timeMs), h1: hours(t1), k: Math.round((g / groups) * 1e6) / 1e6, r: Math.round(s / (end - i)) });
    }
  }
  return { cells, cols, stride, step };
}

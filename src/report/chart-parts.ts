/**
 * What every chart of a run's report is built from: the chart input types (`ChartData`, one
 * `PolicyChartData` per policy), thinning of long series (max within each stride, so peaks
 * survive; the subtitle says so), the time axis that ends where the data ends, the shaded
 * warm-up, the labelled SLO rule, readable log latency axes, and the per-policy line chart. The
 * charts themselves are in charts.ts, forecast-charts.ts and heatmap-chart.ts.
 */
import type { ForecastLogRow, WindowRow } from '../model/rows.ts';
import { METRICS_WINDOW_MS } from '../model/binned.ts';
import { SLO_RED, policyColor } from './colors.ts';
import { fmtMs, MS_LABEL_EXPR, MS_TICKS, msTicks } from './format.ts';

export type VlSpec = Record<string, unknown>;
export const MAX_POINTS = 400;
export const WIDTH = 620;
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

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
  /** Length of the operations chart's bars (10 minutes unless a long run's bars are 2, 4, … times that). */
  readonly opBinMs?: number;
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

export const hours = (ms: number) => Math.round((ms / 3_600_000) * 1000) / 1000;
export const windowMsOf = (rows: readonly { timeMs: number }[]) => (rows.length > 1 ? rows[1].timeMs - rows[0].timeMs : 60_000);
export const endMsOf = (d: ChartData) => d.durationMs ?? Math.max(0, ...d.policies.map((p) => (p.rows.length ? p.rows[p.rows.length - 1].timeMs + windowMsOf(p.rows) : 0)));

/**
 * The metrics window and how many of them each row holds: rows of a long run are bins of 2, 4, …
 * windows (model/binned.ts), spaced by their width.
 */
export function rowBins(rows: readonly { timeMs: number }[]): { win: number; per: number } {
  const spacing = windowMsOf(rows);
  const per = Math.max(1, Math.round(spacing / METRICS_WINDOW_MS));
  return { win: spacing / per, per };
}

/** Thins rows to ≤ MAX_POINTS, keeping the max (or last) of `field` in each stride. */
export function thin(rows: readonly WindowRow[], field: keyof WindowRow, how: 'max' | 'last' = 'max'): { stride: number; points: { h: number; v: number }[] } {
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
export function thinNote(stride: number, n: number, winMs: number, how: 'max' | 'last', file: string): string {
  if (stride <= 1) return '';
  // "every row", not "every window": the charts of long runs draw bins of 2, 4, … windows (model/binned.ts).
  return `${how === 'max' ? 'max' : 'last value'} of each ${fmtMs(stride * winMs)} shown (${n.toLocaleString('en-US')} windows thinned ${stride}:1); every row is in ${file}`;
}

export const xTime = (d: ChartData) => ({ field: 'h', type: 'quantitative', title: 'simulated time (h)', scale: { domain: [0, hours(endMsOf(d))], nice: false } });

/** The shaded warm-up band (and its label), when there is one. */
export function warmupLayers(d: ChartData): VlSpec[] {
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
export function sloLayers(ms: number, field = 'y'): VlSpec[] {
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
export function msAxis(title: string, lo: number, hi: number): Record<string, unknown> {
  // the domain ends on readable ticks (1 ms, 10 ms, … 1 min, 10 min, 1 h) around the data
  const l = Math.max(1e-3, [...MS_TICKS].reverse().find((t) => t <= lo) ?? lo);
  const h = Math.max(l * 10, MS_TICKS.find((t) => t >= hi) ?? hi);
  return { title, scale: { type: 'log', domain: [l, h], nice: false, clamp: true }, axis: { values: msTicks(l, h), labelExpr: MS_LABEL_EXPR } };
}

export interface LineOpts {
  readonly how?: 'max' | 'last';
  /** Leave the warm-up windows out (metrics measured after warm-up only). */
  readonly measuredOnly?: boolean;
  readonly scale?: number;
}

export function timeValues(data: ChartData, field: keyof WindowRow, opts: LineOpts) {
  let stride = 1;
  let n = 0;
  const values = data.policies.flatMap((p) => {
    const rows = opts.measuredOnly ? p.rows.filter((r) => r.timeMs >= data.warmupMs) : p.rows;
    const t = thin(rows, field, opts.how);
    stride = Math.max(stride, t.stride);
    n = Math.max(n, rows.length);
    return t.points.map((d) => ({ policy: p.name, h: d.h, v: opts.scale ? Math.round((d.v / opts.scale) * 1e6) / 1e6 : d.v }));
  });
  const { win, per } = rowBins(data.policies[0]?.rows ?? []);
  return { values, note: thinNote(stride * per, n * per, win, opts.how ?? 'max', '<policy>/timeseries.csv') };
}


export function lineChart(data: ChartData, field: keyof WindowRow, title: string, yTitle: string, opts: LineOpts & { y?: Record<string, unknown>; extra?: VlSpec[] } = {}): VlSpec {
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

/**
 * Vega-Lite specs of a run's report, as pure functions of the run's data: latency, SLO share,
 * imbalance, moved bytes and partitions over time, the latency distribution, per-node
 * utilisation and the operations timeline. Long series are thinned to at most MAX_POINTS per
 * policy and every thinned chart says so in its subtitle: the full data is in the report's CSV
 * files. Latency is on log axes with ticks people read (1 ms … 1 h); the warm-up is shaded and
 * left out of the measured series; time axes end where the data ends; bytes are in GiB
 * (binary); a policy kind has the same colour on every page (colors.ts). Shared parts are in
 * chart-parts.ts; the forecast charts and the heatmap in their own files.
 */
import { endMsOf, hours, lineChart, msAxis, rowBins, SCHEMA, sloLayers, thinNote, WIDTH, type ChartData, type VlSpec } from './chart-parts.ts';
import { SLO_RED, policyColor } from './colors.ts';
import { GIB, fmtMs } from './format.ts';

export type { ChartData, PolicyChartData, VlSpec } from './chart-parts.ts';
export { forecastRateChart, forecastShareChart } from './forecast-charts.ts';
export { heatmapChart } from './heatmap-chart.ts';

/**
 * Smallest and largest of `init` and `xs` by a loop: a month's rows are far more than a spread
 * `Math.min(...xs)` can pass as arguments (the call stack overflows).
 */
function minOf(init: number, xs: readonly number[]): number {
  let m = init;
  for (const x of xs) if (x < m) m = x;
  return m;
}
function maxOf(init: number, xs: readonly number[]): number {
  let m = init;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** p99 latency per window, per policy, on a log axis, with the SLO as a labelled red rule. */
export function latencyChart(data: ChartData): VlSpec {
  const rows = data.policies.flatMap((p) => p.rows.filter((r) => r.timeMs >= data.warmupMs && r.p99LatencyMs > 0));
  const lo = minOf(data.sloMs, rows.map((r) => r.p99LatencyMs));
  const hi = maxOf(data.sloMs * 2, rows.map((r) => r.p99LatencyMs));
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
  const lo = minOf(data.sloMs, pos);
  const hi = maxOf(data.sloMs * 2, pos);
  const tail = 1 - sloPercentile / 100;
  const minAbove = minOf(tail / 10, values.map((v) => v.above));
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
  let baseWin = 60_000;
  for (const p of data.policies) {
    if (!p.nodes?.length) continue;
    const times = [...new Set(p.nodes.map((r) => r.timeMs))].sort((a, b) => a - b);
    const win = times.length > 1 ? times[1] - times[0] : 60_000;
    const s = Math.max(1, Math.ceil(times.length / 120));
    // rows of a long run are bins of `per` windows (model/binned.ts)
    const { win: w1, per } = rowBins(times.map((timeMs) => ({ timeMs })));
    baseWin = w1;
    stride = Math.max(stride, s * per);
    n = Math.max(n, times.length * per);
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
  const note = thinNote(stride, n, baseWin, 'max', '<policy>/nodes.csv');
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

/** Operations per 10 minutes (longer bars on long runs) by kind per policy; failed operations and rolled-back plans marked. */
export function operationsChart(data: ChartData): VlSpec | null {
  let widest = 600_000;
  const rows: { policy: string; h: number; h1?: number; kind: string; n: number; what: string }[] = [];
  const shown: string[] = [];
  for (const p of data.policies) {
    const ops = p.ops ?? [];
    if (!ops.length && !(p.rollbacks ?? []).length) continue;
    shown.push(p.name);
    const BIN = p.opBinMs ?? 600_000;
    widest = Math.max(widest, BIN);
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
    title: { text: `Operations per ${widest === 600_000 ? '10 minutes' : fmtMs(widest)}`, subtitle: 'bars: finished operations by kind (failed ones in red); black rules: plans rolled back' },
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

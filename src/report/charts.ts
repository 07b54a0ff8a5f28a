/**
 * Vega-Lite specs of a run's report, as pure functions of the run's data. Long series are
 * thinned to at most MAX_POINTS per policy (max within each stride, so peaks survive).
 */
import type { WindowRow } from '../cluster/lane-metrics.ts';

export type VlSpec = Record<string, unknown>;
const MAX_POINTS = 400;
const WIDTH = 620;

/** Chart input: per-policy rows and layouts plus the shared heatmap. */
export interface ChartData {
  readonly policies: readonly { name: string; rows: readonly WindowRow[]; layouts: readonly { timeMs: number; boundaries: number[] }[] }[];
  readonly heatmap: readonly { timeMs: number; rates: number[] }[];
  readonly warmupMs: number;
  readonly sloMs: number;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 1000) / 1000;

/** Thins rows to ≤ MAX_POINTS, keeping the max of `field` in each stride. */
function thin(rows: readonly WindowRow[], field: keyof WindowRow, how: 'max' | 'last' = 'max'): { h: number; v: number }[] {
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
  return out;
}

function lineChart(data: ChartData, field: keyof WindowRow, title: string, yTitle: string, opts: { log?: boolean; how?: 'max' | 'last'; rule?: number } = {}): VlSpec {
  const values = data.policies.flatMap((p) => thin(p.rows, field, opts.how).map((d) => ({ policy: p.name, ...d })));
  const layers: VlSpec[] = [
    {
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'h', type: 'quantitative', title: 'simulated time (h)' },
        y: { field: 'v', type: 'quantitative', title: yTitle, scale: opts.log ? { type: 'symlog' } : {} },
        color: { field: 'policy', type: 'nominal' },
        tooltip: [{ field: 'policy' }, { field: 'h', title: 'hour' }, { field: 'v', title: yTitle }],
      },
    },
  ];
  if (data.warmupMs > 0) {
    layers.push({ data: { values: [{ w: hours(data.warmupMs) }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'w', type: 'quantitative' } } });
  }
  if (opts.rule !== undefined) {
    layers.push({ data: { values: [{ r: opts.rule }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [2, 2] }, encoding: { y: { field: 'r', type: 'quantitative' } } });
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: WIDTH, height: 220, data: { values }, layer: layers };
}

/** p99 latency per window, per policy, with the SLO as a red rule. */
export function latencyChart(data: ChartData): VlSpec {
  return lineChart(data, 'p99LatencyMs', 'p99 latency per minute', 'p99 latency (ms)', { log: true, rule: data.sloMs });
}

/** Share of records over the SLO per window. */
export function sloChart(data: ChartData): VlSpec {
  return lineChart(data, 'sloViolationRate', 'SLO violations per minute (share of records over the SLO)', 'violating share');
}

/** max/mean partition load per window. */
export function imbalanceChart(data: ChartData): VlSpec {
  return lineChart(data, 'imbalance', 'Imbalance (max / mean partition load)', 'imbalance');
}

/** Cumulative bytes moved. */
export function movedChart(data: ChartData): VlSpec {
  return lineChart(data, 'movedBytes', 'Cumulative bytes moved', 'bytes', { how: 'last' });
}

/** Partitions over time. */
export function partitionsChart(data: ChartData): VlSpec {
  return lineChart(data, 'partitions', 'Partition count', 'partitions', { how: 'last' });
}

/**
 * The load heatmap (key range × time, records/s per key-space group) with one policy's partition
 * boundaries drawn over it.
 */
export function heatmapChart(data: ChartData, policy?: string): VlSpec {
  const hm = data.heatmap;
  const stride = Math.max(1, Math.ceil(hm.length / 160));
  const groups = hm[0]?.rates.length ?? 1;
  const cells: { h0: number; h1: number; k0: number; k1: number; rate: number }[] = [];
  for (let i = 0; i < hm.length; i += stride) {
    const end = Math.min(hm.length, i + stride);
    for (let g = 0; g < groups; g++) {
      let s = 0;
      for (let j = i; j < end; j++) s += hm[j].rates[g];
      cells.push({ h0: hours(hm[i].timeMs), h1: hours(end < hm.length ? hm[end].timeMs : hm[end - 1].timeMs + (hm[1]?.timeMs ?? 60_000) - (hm[0]?.timeMs ?? 0)), k0: g / groups, k1: (g + 1) / groups, rate: Math.round((s / (end - i)) * 10) / 10 });
    }
  }
  const layers: VlSpec[] = [
    {
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'h0', type: 'quantitative', title: 'simulated time (h)' },
        x2: { field: 'h1' },
        y: { field: 'k0', type: 'quantitative', title: 'key space position', scale: { domain: [0, 1] } },
        y2: { field: 'k1' },
        color: { field: 'rate', type: 'quantitative', title: 'records/s', scale: { scheme: 'inferno', type: 'sqrt' } },
        tooltip: [{ field: 'h0', title: 'hour' }, { field: 'k0', title: 'key from' }, { field: 'rate', title: 'records/s' }],
      },
    },
  ];
  const p = data.policies.find((x) => x.name === policy);
  if (p) {
    const segs: { h0: number; h1: number; b: number }[] = [];
    const endH = hm.length ? hours(hm[hm.length - 1].timeMs + 60_000) : 0;
    p.layouts.forEach((l, i) => {
      const next = p.layouts[i + 1];
      const h1 = next ? hours(next.timeMs) : endH;
      for (const b of l.boundaries.slice(1, -1)) segs.push({ h0: hours(l.timeMs), h1, b });
    });
    const maxSegs = 20_000;
    layers.push({
      data: { values: segs.slice(0, maxSegs) },
      mark: { type: 'rule', color: '#7fdbff', strokeWidth: 0.8, opacity: 0.85 },
      encoding: { x: { field: 'h0', type: 'quantitative' }, x2: { field: 'h1' }, y: { field: 'b', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: p ? `Load over key space and time, with ${p.name}'s partition boundaries` : 'Load over key space and time',
    width: WIDTH,
    height: 260,
    layer: layers,
  };
}

/**
 * The load heatmap of a run (key range × time) with a policy's partition boundaries drawn over
 * it, its cells computed once per heatmap and sampled to at most 160 time columns.
 */
import { endMsOf, hours, rowBins, SCHEMA, WIDTH, type ChartData, type VlSpec } from './chart-parts.ts';
import { fmtMs } from './format.ts';

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
  // heatmap.json of a long run holds bins of `per` windows each (model/binned.ts)
  const { per } = rowBins(hm);
  let subtitle = stride * per > 1 ? `load averaged over ${fmtMs(stride * step)} per column (${(hm.length * per).toLocaleString('en-US')} windows${per > 1 ? `, in bins of ${per}` : ''} in heatmap.json)` : '';
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

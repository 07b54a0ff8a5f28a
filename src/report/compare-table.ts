/**
 * The comparison of two runs (experiment/compare.ts) as the aligned table `keycast compare`
 * prints, each value in its metric's unit (format.ts), with notes when the scenarios or seeds
 * differ.
 */
import type { ComparisonRow } from '../experiment/compare.ts';
import type { Summary } from '../experiment/summary.ts';
import { fmtMetric } from './format.ts';

/** The comparison as a table. */
export function comparisonTable(rows: readonly ComparisonRow[], base: Summary, run: Summary, tolerance: number): string {
  const fmt = (x: number, metric: string) => (Number.isNaN(x) ? '—' : fmtMetric(metric, x));
  const pct = (x: number) => (Number.isNaN(x) ? '' : !Number.isFinite(x) ? '+∞' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
  const head = ['policy', 'metric', 'baseline', 'run', 'change', 'status'];
  const body = rows.map((r) => [r.policy, r.metric, fmt(r.baseline, r.metric), fmt(r.run, r.metric), pct(r.change), r.status]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const reg = rows.filter((r) => r.status === 'REGRESSION' || r.status === 'missing').length;
  const notes: string[] = [];
  if (base.scenarioHash !== run.scenarioHash) notes.push(`note: different scenarios (${base.scenario} ${base.scenarioHash} vs ${run.scenario} ${run.scenarioHash})`);
  const [bs, rs] = [seedsOf(base), seedsOf(run)];
  const said = (s: readonly number[]) => (s.length > 1 ? `means over seeds ${s.join(', ')}` : `seed ${s[0]}`);
  if (bs.length > 1 || rs.length > 1) notes.push(`note: baseline ${said(bs)}; run ${said(rs)} (a metric without a mean over seeds: the first seed's value)`);
  else if (base.seed !== run.seed) notes.push(`note: different seeds (${base.seed} vs ${run.seed})`);
  return [...notes, line(head), ...body.map(line), '', `${reg} regression(s) beyond ${(tolerance * 100).toFixed(1)}% tolerance (bytes in binary units, GiB = 2^30 B)`].join('\n') + '\n';
}

/** The seeds a summary's values stand for (experiment/compare.ts compares means over them when it ran several), else its one seed. */
function seedsOf(s: Summary): readonly number[] {
  const st = (s as Summary & { seeds?: { seeds: number[] } }).seeds;
  return st && st.seeds.length > 1 ? st.seeds : [s.seed];
}

/** Summary tables: which metrics to show, how to format them, and the winner per metric. */
import type { ExpectationResult, PolicySummary, Summary } from '../experiment/summary.ts';
import { fmtMs, fmtNum, fmtPct } from './format.ts';
import { formatBytes } from '../model/units.ts';
import type { SeedStat, SeedStats } from './headline.ts';

/** A column of the comparison table: label, getter, which direction is better, formatter. */
export interface MetricColumn {
  readonly key: string;
  readonly label: string;
  readonly get: (p: PolicySummary) => number;
  readonly better: 'lower' | 'higher' | 'none';
  readonly format: (v: number) => string;
  /** Shown only when some policy has a value (forecast accuracy, bad rows). */
  readonly optional?: boolean;
}

const num = (d: number) => (v: number) => (Number.isNaN(v) ? '—' : fmtNum(v, d));
const ms = (v: number) => (Number.isNaN(v) ? '—' : fmtMs(v));
const pct = (v: number) => (Number.isNaN(v) ? '—' : fmtPct(v));
const nan = (v: number | undefined) => (typeof v === 'number' ? v : NaN);

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: 'sloViolationRate', label: 'records over the SLO', get: (p) => p.sloViolationRate, better: 'lower', format: pct },
  { key: 'p50LatencyMs', label: 'p50 latency', get: (p) => p.p50LatencyMs, better: 'lower', format: ms },
  { key: 'p95LatencyMs', label: 'p95 latency', get: (p) => p.p95LatencyMs, better: 'lower', format: ms },
  { key: 'p99LatencyMs', label: 'p99 latency', get: (p) => p.p99LatencyMs, better: 'lower', format: ms },
  { key: 'maxLatencyMs', label: 'max latency', get: (p) => p.maxLatencyMs, better: 'lower', format: ms },
  { key: 'meanImbalance', label: 'mean imbalance', get: (p) => p.meanImbalance, better: 'lower', format: num(3) },
  { key: 'maxUtilization', label: 'max node util.', get: (p) => p.maxUtilization, better: 'lower', format: pct },
  { key: 'movedBytes', label: 'moved (binary units)', get: (p) => p.movedBytes, better: 'lower', format: formatBytes },
  { key: 'operations', label: 'operations', get: (p) => p.operations.split + p.operations.merge + p.operations.move + p.operations.create, better: 'none', format: num(0) },
  { key: 'failed', label: 'failed ops', get: (p) => p.operations.failed, better: 'none', format: num(0) },
  { key: 'plans', label: 'plans proposed', get: (p) => p.plans?.proposed ?? 0, better: 'none', format: num(0) },
  { key: 'plansDone', label: 'plans done/rb/sup/abort', get: (p) => p.plans?.completed ?? 0, better: 'none', format: num(0) },
  { key: 'reconfigurationsPerDay', label: 'reconfig./day', get: (p) => p.reconfigurationsPerDay, better: 'lower', format: num(1) },
  { key: 'keyChurn', label: 'key churn/day', get: (p) => p.keyChurn, better: 'lower', format: num(3) },
  { key: 'thrashing', label: 'thrashing', get: (p) => p.thrashing, better: 'lower', format: pct },
  { key: 'disruptionMs', label: 'disruption', get: (p) => p.disruptionMs, better: 'lower', format: ms },
  { key: 'droppedRecords', label: 'dropped records', get: (p) => p.droppedRecords, better: 'lower', format: num(0) },
  { key: 'forecast.smape', label: 'forecast sMAPE', get: (p) => nan(p.forecast?.smape), better: 'lower', format: num(4), optional: true },
  { key: 'forecast.mase', label: 'forecast MASE', get: (p) => nan(p.forecast?.mase), better: 'lower', format: num(3), optional: true },
  { key: 'forecast.coverage80', label: 'forecast 80% coverage', get: (p) => nan(p.forecast?.coverage80), better: 'none', format: pct, optional: true },
  { key: 'badRows', label: 'bad trace rows skipped', get: (p) => nan(p.badRows), better: 'none', format: num(0), optional: true },
  { key: 'strategy', label: 'held striped (spread)', get: (p) => nan(p.strategy?.spreadMs), better: 'none', format: ms, optional: true },
  { key: 'invariantViolations', label: 'invariant viol.', get: (p) => p.invariantViolations, better: 'lower', format: num(0) },
];

/** The columns worth showing for a summary (optional ones only when some policy has a value). */
export function shownColumns(s: Summary): MetricColumn[] {
  const ps = Object.values(s.policies);
  return METRIC_COLUMNS.filter((c) => !c.optional || ps.some((p) => !Number.isNaN(c.get(p))));
}

/** The per-seed statistics of a multi-seed run (`summary.seeds`), when present. */
type WithSeeds = Summary & { seeds?: SeedStats };
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** A column's statistic over seeds for a policy, when the run had several seeds and it has one. */
export function seedStat(s: Summary, col: MetricColumn, policy: string): SeedStat | undefined {
  const st = (s as WithSeeds).seeds;
  if (!st || st.seeds.length < 2) return undefined;
  const v = st.policies[policy]?.[col.key];
  return v && finite(v.mean) ? v : undefined;
}

/** Metrics that are shares of a whole: their intervals are shown within [0, 1]. */
const SHARES = new Set<string>(['sloViolationRate', 'thrashing']);
/** The 95% interval as shown: within the metric's domain (never below 0; a share never above 1). */
export function shownInterval(m: string, s: { readonly lo: number; readonly hi: number }): [number, number] {
  const lo = Math.max(0, s.lo);
  const hi = SHARES.has(m) ? Math.min(1, s.hi) : s.hi;
  return [lo, Math.max(lo, hi)];
}

/** A cell's text: over several seeds the mean and its 95% interval (as `shownInterval`), else the run's value. */
export function summaryCell(s: Summary, col: MetricColumn, policy: string): { text: string; interval?: string } {
  const st = seedStat(s, col, policy);
  if (!st) return { text: cellText(col, s.policies[policy]) };
  const [lo, hi] = shownInterval(col.key, st);
  return { text: col.format(st.mean), ...(finite(st.lo) && finite(st.hi) && st.lo !== st.hi ? { interval: `${col.format(lo)} – ${col.format(hi)}` } : {}) };
}

/** A cell's text (operations and plans with their breakdowns). */
export function cellText(col: MetricColumn, p: PolicySummary): string {
  if (col.key === 'operations') return `${col.format(col.get(p))} (${opsBreakdown(p)})`;
  if (col.key === 'plansDone') {
    const q = p.plans ?? { completed: 0, rolledBack: 0, superseded: 0, aborted: 0 };
    return `${q.completed}/${q.rolledBack}/${q.superseded}/${q.aborted}`;
  }
  if (col.key === 'strategy' && p.strategy) {
    const s = p.strategy;
    return `${col.format(s.spreadMs)} · ${s.switches} switch${s.switches === 1 ? '' : 'es'}${s.placements ? ` · ${s.placements} placements (${s.placedStripes} stripes)` : ''}`;
  }
  return col.format(col.get(p));
}

/** Policy names that win a column (ties all win); empty when nothing to compare. */
export function winners(summary: Summary, col: MetricColumn): string[] {
  if (col.better === 'none') return [];
  const entries = Object.entries(summary.policies).filter(([, p]) => !Number.isNaN(col.get(p)));
  if (entries.length < 2) return [];
  const vals = entries.map(([n, p]) => [n, seedStat(summary, col, n)?.mean ?? col.get(p)] as const);
  const best = col.better === 'lower' ? Math.min(...vals.map((v) => v[1])) : Math.max(...vals.map((v) => v[1]));
  if (vals.every((v) => v[1] === best)) return [];
  return vals.filter((v) => v[1] === best).map((v) => v[0]);
}

/** Ops breakdown like `3/1/4/0`. */
export function opsBreakdown(p: PolicySummary): string {
  const o = p.operations;
  return `${o.split}/${o.merge}/${o.move}/${o.create}`;
}

/** An expectation's side as the pages show it: ten significant digits (summary.json keeps every digit). */
export function shownSide(x: number | null): string {
  return x === null ? '—' : String(Number(x.toPrecision(10)));
}

/** An expectation checked at every seed: "held at 2 of 3 seeds; failed at seed 11"; empty for one seed or a mean. */
export function seedNote(e: ExpectationResult): string {
  if (!e.seeds || e.seeds.length < 2) return '';
  const failed = e.seeds.filter((x) => !x.pass).map((x) => x.seed);
  return `held at ${e.seeds.length - failed.length} of ${e.seeds.length} seeds${failed.length ? `; failed at seed ${failed.join(', ')}` : ''}`;
}

/** What a run table's figures are: one seed's, or means over several with the 95% interval of the mean in brackets. */
export function tableSeedsNote(s: Summary): string {
  const st = (s as WithSeeds).seeds;
  if (!st || st.seeds.length < 2) return `seed ${s.seed}'s values`;
  return `means over seeds ${st.seeds.join(', ')}, in brackets the 95% interval of the mean; a value without brackets is seed ${s.seed}'s (or a mean all seeds agree on)`;
}

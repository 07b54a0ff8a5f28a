/** Summary tables: which metrics to show, how to format them, and the winner per metric. */
import type { PolicySummary, Summary } from '../experiment/summary.ts';
import { formatBytes } from '../model/units.ts';

/** A column of the comparison table: label, getter, which direction is better, formatter. */
export interface MetricColumn {
  readonly key: string;
  readonly label: string;
  readonly get: (p: PolicySummary) => number;
  readonly better: 'lower' | 'higher' | 'none';
  readonly format: (v: number) => string;
}

const num = (d: number) => (v: number) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 }) : String(v));
const pct = (v: number) => `${(v * 100).toFixed(v < 0.001 && v > 0 ? 4 : 2)}%`;
const bytes = formatBytes;

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: 'p50LatencyMs', label: 'p50 ms', get: (p) => p.p50LatencyMs, better: 'lower', format: num(2) },
  { key: 'p99LatencyMs', label: 'p99 ms', get: (p) => p.p99LatencyMs, better: 'lower', format: num(2) },
  { key: 'maxLatencyMs', label: 'max ms', get: (p) => p.maxLatencyMs, better: 'lower', format: num(0) },
  { key: 'sloViolationRate', label: 'SLO violations', get: (p) => p.sloViolationRate, better: 'lower', format: pct },
  { key: 'meanImbalance', label: 'mean imbalance', get: (p) => p.meanImbalance, better: 'lower', format: num(3) },
  { key: 'maxUtilization', label: 'max node util.', get: (p) => p.maxUtilization, better: 'lower', format: num(3) },
  { key: 'movedBytes', label: 'moved', get: (p) => p.movedBytes, better: 'lower', format: bytes },
  { key: 'operations', label: 'ops (s/m/mv/c)', get: (p) => p.operations.split + p.operations.merge + p.operations.move + p.operations.create, better: 'none', format: num(0) },
  { key: 'failed', label: 'failed ops', get: (p) => p.operations.failed, better: 'none', format: num(0) },
  { key: 'reconfigurationsPerDay', label: 'reconfig./day', get: (p) => p.reconfigurationsPerDay, better: 'lower', format: num(1) },
  { key: 'keyChurn', label: 'key churn/day', get: (p) => p.keyChurn, better: 'lower', format: num(3) },
  { key: 'thrashing', label: 'thrashing', get: (p) => p.thrashing, better: 'lower', format: pct },
  { key: 'disruptionMs', label: 'disruption ms', get: (p) => p.disruptionMs, better: 'lower', format: num(0) },
  { key: 'droppedRecords', label: 'dropped', get: (p) => p.droppedRecords, better: 'lower', format: num(0) },
  { key: 'invariantViolations', label: 'invariant viol.', get: (p) => p.invariantViolations, better: 'lower', format: num(0) },
];

/** Policy names that win a column (ties all win); empty when nothing to compare. */
export function winners(summary: Summary, col: MetricColumn): string[] {
  if (col.better === 'none') return [];
  const entries = Object.entries(summary.policies);
  if (entries.length < 2) return [];
  const vals = entries.map(([n, p]) => [n, col.get(p)] as const);
  const best = col.better === 'lower' ? Math.min(...vals.map((v) => v[1])) : Math.max(...vals.map((v) => v[1]));
  if (vals.every((v) => v[1] === best)) return [];
  return vals.filter((v) => v[1] === best).map((v) => v[0]);
}

/** Ops breakdown like `3/1/4/0`. */
export function opsBreakdown(p: PolicySummary): string {
  const o = p.operations;
  return `${o.split}/${o.merge}/${o.move}/${o.create}`;
}

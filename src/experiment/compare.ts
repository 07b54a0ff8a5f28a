/**
 * `keycast compare`: two `summary.json` files metric by metric, for CI against a stored baseline.
 * A metric regresses when it got worse by more than the tolerance, relative to the baseline (with
 * a small absolute floor per metric so that 0 → 0.0001 is not a regression). The comparison
 * only: reading the files is io/summary-file.ts, the table report/compare-table.ts.
 */
import { InputError } from '../model/errors.ts';
import type { Summary } from './summary.ts';
import { metricOf } from './sweep.ts';

/** Compared metrics: lower is better for all of them; the floor is the smallest change that counts. */
export const COMPARED: readonly { metric: string; floor: number }[] = [
  { metric: 'p50LatencyMs', floor: 0.5 },
  { metric: 'p95LatencyMs', floor: 0.5 },
  { metric: 'p99LatencyMs', floor: 1 },
  { metric: 'maxLatencyMs', floor: 1 },
  { metric: 'sloViolationRate', floor: 1e-4 },
  { metric: 'meanImbalance', floor: 0.01 },
  { metric: 'maxUtilization', floor: 0.01 },
  { metric: 'movedBytes', floor: 1024 * 1024 },
  { metric: 'disruptionMs', floor: 10 },
  { metric: 'droppedRecords', floor: 1 },
  { metric: 'operations.failed', floor: 1 },
  { metric: 'invariantViolations', floor: 0.5 },
];

export interface ComparisonRow {
  readonly policy: string;
  readonly metric: string;
  readonly baseline: number;
  readonly run: number;
  /** (run − baseline) / |baseline| (Infinity from 0). */
  readonly change: number;
  readonly status: 'ok' | 'better' | 'REGRESSION' | 'missing';
}

/** Parses `5%` or `0.05`. */
export function parseTolerance(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new InputError([{ file: '<cli>', path: '--tolerance', message: `'${text}' should be a percentage (5%) or a fraction (0.05)` }]);
  return m[2] ? Number(m[1]) / 100 : Number(m[1]);
}

/** Compares every policy of the baseline with the run. */
export function compareSummaries(base: Summary, run: Summary, tolerance: number): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [policy, b] of Object.entries(base.policies)) {
    const r = run.policies[policy];
    for (const { metric, floor } of COMPARED) {
      const bv = metricOf(b, metric);
      if (Number.isNaN(bv)) continue;
      if (!r) {
        rows.push({ policy, metric, baseline: bv, run: NaN, change: NaN, status: 'missing' });
        continue;
      }
      const rv = metricOf(r, metric);
      const diff = rv - bv;
      const change = bv !== 0 ? diff / Math.abs(bv) : diff === 0 ? 0 : Infinity;
      const limit = Math.max(tolerance * Math.abs(bv), floor);
      const status = diff > limit ? 'REGRESSION' : diff < -limit ? 'better' : 'ok';
      rows.push({ policy, metric, baseline: bv, run: rv, change, status });
    }
  }
  return rows;
}

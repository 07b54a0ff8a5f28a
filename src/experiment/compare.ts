/**
 * `keycast compare`: two `summary.json` files metric by metric, for CI against a stored baseline.
 * A metric regresses when it got worse by more than the tolerance, relative to the baseline (with
 * a small absolute floor per metric so that 0 → 0.0001 is not a regression). A run of several
 * seeds (`keycast run --seeds N`) is compared by its means over the seeds where its summary has
 * them, so that one seed does not decide. A metric the baseline has and the run lacks (or holds
 * as something other than a number) is `missing`, which fails like a regression. The comparison
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

/**
 * Parses `5%` or `0.05`. A bare number above 1 is refused rather than read as a fraction: `5`
 * meant as 5% would otherwise allow 500%.
 */
export function parseTolerance(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new InputError([{ file: '<cli>', path: '--tolerance', message: `'${text}' should be a percentage (5%) or a fraction (0.05)` }]);
  if (!m[2] && Number(m[1]) > 1) throw new InputError([{ file: '<cli>', path: '--tolerance', message: `'${text}' is a fraction above 1: write ${m[1]}% for a percentage, or ${Number(m[1]) * 100}% for ${m[1]}×` }]);
  return m[2] ? Number(m[1]) / 100 : Number(m[1]);
}

type SeededSummary = Summary & { seeds?: { seeds: number[]; policies: Record<string, Record<string, { mean?: unknown }>> } };

/** `policy`'s `metric` in `s`: the mean over its seeds where it has one, else the run's value (NaN when absent). */
function valueOf(s: Summary, policy: string, metric: string): number {
  const st = (s as SeededSummary).seeds;
  const mean = st && st.seeds.length > 1 ? st.policies[policy]?.[metric]?.mean : undefined;
  return typeof mean === 'number' && Number.isFinite(mean) ? mean : metricOf(s.policies[policy], metric);
}

/** Compares every policy of the baseline with the run. */
export function compareSummaries(base: Summary, run: Summary, tolerance: number): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [policy, b] of Object.entries(base.policies)) {
    const r = run.policies[policy];
    for (const { metric, floor } of COMPARED) {
      if (Number.isNaN(metricOf(b, metric))) continue;
      const bv = valueOf(base, policy, metric);
      const rv = r ? valueOf(run, policy, metric) : NaN;
      if (Number.isNaN(rv)) {
        rows.push({ policy, metric, baseline: bv, run: NaN, change: NaN, status: 'missing' });
        continue;
      }
      const diff = rv - bv;
      const change = bv !== 0 ? diff / Math.abs(bv) : diff === 0 ? 0 : Infinity;
      const limit = Math.max(tolerance * Math.abs(bv), floor);
      const status = diff > limit ? 'REGRESSION' : diff < -limit ? 'better' : 'ok';
      rows.push({ policy, metric, baseline: bv, run: rv, change, status });
    }
  }
  return rows;
}

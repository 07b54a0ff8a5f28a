/**
 * `keycast compare`: two `summary.json` files metric by metric, for CI against a stored baseline.
 * A metric regresses when it got worse by more than the tolerance, relative to the baseline (with
 * a small absolute floor per metric so that 0 → 0.0001 is not a regression).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../model/errors.ts';
import type { Summary } from './summary.ts';
import { metricOf } from './sweep.ts';
import { fmtMetric } from '../report/format.ts';

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

/** Reads `summary.json` from a run folder (or the file itself). */
export function readSummary(where: string): Summary {
  const file = fs.existsSync(where) && fs.statSync(where).isDirectory() ? path.join(where, 'summary.json') : where;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError([{ file, path: '', message: 'no summary.json here (a keycast run folder is needed)' }]);
  }
  try {
    const s = JSON.parse(text) as Summary;
    if (!s || typeof s !== 'object' || typeof s.policies !== 'object') throw new Error('no policies');
    return s;
  } catch (err) {
    throw new InputError([{ file, path: '', message: `not a keycast summary.json (${(err as Error).message})` }]);
  }
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
  if (base.seed !== run.seed) notes.push(`note: different seeds (${base.seed} vs ${run.seed})`);
  return [...notes, line(head), ...body.map(line), '', `${reg} regression(s) beyond ${(tolerance * 100).toFixed(1)}% tolerance (bytes in binary units, GiB = 2^30 B)`].join('\n') + '\n';
}

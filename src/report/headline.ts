/**
 * The headline of a run: the answer first ("predictive vs reactive: −95% records over the SLO
 * [−97%, −91%], p99 40 ms vs 2.1 s, moved 1.4× the bytes"), over the seeds that ran.
 *
 * The rendering reads a `Comparison`, built here from `summary.json`. A single-seed summary gives
 * point values and says "one seed, no interval". A multi-seed summary (`keycast run --seeds N`)
 * carries `seeds` (the `SeedStats` shape below): per policy and metric the mean, a 95% interval
 * and the per-seed values, and per policy pair the paired ratios; then every figure gets its
 * interval. Only `comparisonOf` knows that shape, so a change to it is a change here.
 */
import { headlinePair } from '../model/headline-pair.ts';
export { headlinePair };
import type { PolicySummary, Summary } from '../experiment/summary.ts';
import { fmtChange, fmtMs, fmtPct, fmtTimes } from './format.ts';
import { formatBytes } from '../model/units.ts';

/** A statistic over seeds: mean, 95% interval, and the per-seed values in seed order. */
export interface SeedStat {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly values: readonly number[];
  /** Ratios only: seeds left out because a or b was 0 there. */
  readonly excluded?: number;
}

/**
 * The multi-seed block of `summary.json` this page reads (`summary.seeds`):
 * `policies[policy][metric]` per metric (dotted names as in results.csv, e.g. `p99LatencyMs`,
 * `operations.failed`), and `ratios["a/b"][metric]` the per-seed ratio a ÷ b with its interval.
 */
export interface SeedStats {
  readonly seeds: readonly number[];
  readonly policies: Record<string, Record<string, SeedStat>>;
  readonly ratios?: Record<string, Record<string, SeedStat>>;
}

/** One figure of the headline: A's and B's value and A ÷ B, each with an interval when seeds allow. */
export interface HeadlineFigure {
  readonly metric: 'sloViolationRate' | 'p99LatencyMs' | 'movedBytes';
  readonly a: number;
  readonly b: number;
  readonly ratio: number;
  readonly ratioLo?: number;
  readonly ratioHi?: number;
  /** Seeds left out of the ratio because a or b was 0 there. */
  readonly excluded?: number;
}

/** The comparison the headline states. */
export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly aKind: string;
  readonly bKind: string;
  readonly seeds: readonly number[];
  readonly figures: readonly HeadlineFigure[];
}

const METRICS = ['sloViolationRate', 'p99LatencyMs', 'movedBytes'] as const;

/** The headline's comparison from a summary (with `seeds` when the run had several). */
export function comparisonOf(s: Summary & { seeds?: SeedStats }): Comparison | null {
  const pair = headlinePair(s.policies);
  if (!pair) return null;
  const [a, b] = pair;
  const st = s.seeds;
  const figures = METRICS.map((m): HeadlineFigure => {
    const av = st?.policies[a]?.[m]?.mean ?? (s.policies[a] as PolicySummary)[m];
    const bv = st?.policies[b]?.[m]?.mean ?? (s.policies[b] as PolicySummary)[m];
    // a ratio undefined at every seed (0 ÷ 0) is written as null: fall back to the means' ratio
    const r0 = st?.ratios?.[`${a}/${b}`]?.[m];
    const r = r0 && Number.isFinite(r0.mean) && Number.isFinite(r0.lo) && Number.isFinite(r0.hi) ? r0 : undefined;
    const ratio = r ? r.mean : bv !== 0 ? av / bv : av === 0 ? 1 : Infinity;
    return r ? { metric: m, a: av, b: bv, ratio, ratioLo: r.lo, ratioHi: r.hi, ...(r.excluded ? { excluded: r.excluded } : {}) } : { metric: m, a: av, b: bv, ratio };
  });
  return { a, b, aKind: s.policies[a].kind, bKind: s.policies[b].kind, seeds: st?.seeds ?? [s.seed], figures };
}

/** The headline's parts as text: the lead sentence and the seeds note. */
export function headlineText(c: Comparison): { lead: string; parts: string[]; seedsNote: string } {
  const [slo, p99, moved] = c.figures;
  const ci = (f: HeadlineFigure, asChange: boolean) =>
    f.ratioLo === undefined || f.ratioHi === undefined ? '' : asChange ? ` [${fmtChange(f.ratioLo - 1)}, ${fmtChange(f.ratioHi - 1)}]` : ` [${fmtTimes(f.ratioLo)}, ${fmtTimes(f.ratioHi)}]`;
  const parts = [
    slo.a === 0 && slo.b === 0 ? 'no records over the SLO for either' : slo.b === 0 ? `${fmtPct(slo.a)} records over the SLO vs none` : `${fmtChange(slo.ratio - 1)} records over the SLO${ci(slo, true)} (${fmtPct(slo.a)} vs ${fmtPct(slo.b)})`,
    `p99 ${fmtMs(p99.a)} vs ${fmtMs(p99.b)}${ci(p99, false) ? ` (×${ci(p99, false).trim()})` : ''}`,
    moved.b === 0 && moved.a === 0 ? 'no data moved' : moved.b === 0 ? `moved ${formatBytes(moved.a)} vs none` : `moved ${fmtTimes(moved.ratio)} the bytes${ci(moved, false)} (${formatBytes(moved.a)} vs ${formatBytes(moved.b)})`,
  ];
  const excluded = Math.max(0, ...c.figures.map((f) => f.excluded ?? 0));
  const seedsNote =
    c.seeds.length > 1
      ? `over ${c.seeds.length} seeds (${c.seeds.join(', ')}): means, in brackets the 95% interval of the paired per-seed ratio${excluded ? ` (seeds where a value was 0 left out of a ratio: up to ${excluded})` : ''}`
      : `one seed (${c.seeds[0]}), no interval: run more seeds for one`;
  return { lead: `${c.a} vs ${c.b}`, parts, seedsNote };
}

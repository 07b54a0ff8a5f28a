/**
 * The study (`npm run study`, bench/study.ts): does predictive repartitioning beat reactive, and
 * how far is it from the perfect forecast? Per scenario of `scenarios/study/` (each workload in a
 * slow-move and a fast-move regime), the multi-seed summary (seeds.ts) is reduced to the table
 * of the issue — SLO-violating records, record-seconds over the SLO, p99, moved bytes and
 * reconfigurations per policy with 95% intervals — the paired ratios, the target verdicts, and
 * the Pareto front of SLO violations against moved bytes as each policy's aggressiveness (its
 * threshold, its churn budget) varies, and whether predictive's front dominates the fair reactive
 * baseline's. A verdict is `met` only when the interval says so (it excludes
 * no-difference where the target asks for a difference); `null` when a ratio is undefined.
 * Nothing here runs a simulation: the runner does, and hands the summaries in.
 */
import type { Summary } from './summary.ts';
import { seedStats, type RatioStats, type SeedStats } from './seeds.ts';
import { ORACLE_KINDS } from '../model/policy-outcome.ts';

/** Metrics of the study's table. */
export const STUDY_METRICS = ['sloViolationRate', 'recordSecondsOverSlo', 'p99LatencyMs', 'movedBytes', 'reconfigurationsPerDay', 'keyChurn', 'thrashing'] as const;

/** One point of an aggressiveness sweep: a policy at one setting, means over seeds. */
export interface FrontPoint {
  readonly policy: string;
  /** The threshold the point ran at. */
  readonly threshold: number;
  /** The churn budget it ran under (share of all state per rolling hour), when the sweep set one. */
  readonly churnBudget?: number;
  readonly sloViolationRate: SeedStats;
  readonly movedBytes: SeedStats;
  /** True when no other point of the same policy is at least as good on both and better on one (by means). */
  readonly pareto: boolean;
}

/** A target of the issue, judged on intervals. */
export interface Verdict {
  readonly target: string;
  readonly met: boolean | null;
  readonly detail: string;
  /** A reference shown beside the targets (what hindsight or a perfect forecast reaches), not a target: not counted. */
  readonly reference?: true;
}

/** One scenario's entry of `study/results.json`. */
export interface StudyEntry {
  readonly scenario: string;
  readonly file: string;
  readonly regime: 'slow' | 'fast';
  readonly workload: 'periodic' | 'bursts';
  readonly seeds: readonly number[];
  /** policy → metric → per-seed values, mean, 95% interval. */
  readonly policies: Record<string, Partial<Record<(typeof STUDY_METRICS)[number], SeedStats>>>;
  readonly ratios: Record<string, Partial<Record<(typeof STUDY_METRICS)[number], RatioStats>>>;
  readonly bounds?: Record<string, SeedStats>;
  readonly verdicts: readonly Verdict[];
  readonly front: readonly FrontPoint[];
  /**
   * Record-seconds over the SLO decomposed per seed (paired differences, 95% intervals):
   * `forecastError` = predictive − oracle (what the forecast's errors cost this controller),
   * `controlGap` = oracle − lower bound (what a perfect forecast still leaves: planning, execution
   * lag, move costs — the bound is a relaxation with unlimited instant movement, bounds.ts),
   * `hindsightGap` = predictive − hindsight (what every realised arrival known ahead, planned a
   * whole phase at a time, did better: an achievable reference, not a bound).
   */
  readonly decomposition?: { readonly forecastError: SeedStats; readonly controlGap?: SeedStats; readonly hindsightGap?: SeedStats };
}

const fmt = (r: RatioStats | undefined) => (r && Number.isFinite(r.mean) ? `${r.mean.toPrecision(3)}× [${r.lo.toPrecision(3)}, ${r.hi.toPrecision(3)}]${r.excluded ? ` (${r.excluded} seed(s) undefined)` : ''}` : 'undefined');

/**
 * The slow-periodic target on paired ratios: violations cut by ≥ 80% (the interval's top at 0.2)
 * at no more moved bytes (the interval's top at 1). Where a geometric mean of the bytes ratio is
 * undefined (a policy moved nothing at some seed), the per-seed bytes `a`, `b` decide: no more at
 * every seed, or more at a seed where the other moved nothing; null when undefined.
 */
function cutAtNoMoreBytes(slo: RatioStats | undefined, bytes: RatioStats | undefined, a: readonly number[] = [], b: readonly number[] = []): boolean | null {
  if (!slo || !bytes || !Number.isFinite(slo.hi)) return null;
  let noMore: boolean | null = null;
  if (Number.isFinite(bytes.hi)) noMore = bytes.hi <= 1;
  else if (a.length > 0 && a.length === b.length) noMore = a.every((x, i) => x <= b[i]) ? true : a.some((x, i) => x > 0 && b[i] === 0) ? false : null;
  else if (bytes.values.length > 0 && bytes.values.every((v) => v === 0)) noMore = true;
  return noMore === null ? null : slo.hi <= 0.2 && noMore;
}

/** Per-seed moved bytes of the two policies of ratio `k` (`a/b`), empty where the summary has none. */
function perSeedBytes(s: Summary, k: string): [readonly number[], readonly number[]] {
  const [a, b] = k.split('/');
  return [s.seeds?.policies[a]?.movedBytes?.values ?? [], s.seeds?.policies[b]?.movedBytes?.values ?? []];
}

/** The bytes ratio, or where it is undefined the per-seed GiB of both sides. */
function bytesDetail(bytes: RatioStats | undefined, a: readonly number[], b: readonly number[]): string {
  if ((bytes && Number.isFinite(bytes.mean)) || a.length === 0) return fmt(bytes);
  const gib = (v: readonly number[]) => v.map((x) => (x / 2 ** 30).toFixed(0)).join(', ');
  return `per seed ${gib(a)} GiB against ${gib(b)} GiB`;
}

/** The slow-periodic cut verdict of ratio `k` (`a/b`) under `target`. */
function cutVerdict(s: Summary, k: string, target: string): Verdict {
  const { sloViolationRate: slo, movedBytes: bytes } = s.seeds!.ratios[k];
  const [a, b] = perSeedBytes(s, k);
  return { target, met: cutAtNoMoreBytes(slo, bytes, a, b), detail: `violations ${fmt(slo)}, moved bytes ${bytesDetail(bytes, a, b)}` };
}

/** The verdicts of one scenario from its multi-seed summary (see the issue's targets). */
export function verdicts(s: Summary, regime: 'slow' | 'fast', workload: 'periodic' | 'bursts'): Verdict[] {
  const r = s.seeds?.ratios ?? {};
  const out: Verdict[] = [];
  const statics = new Set(Object.entries(s.policies).filter(([, p]) => p.kind === 'static').map(([n]) => n));
  const baselines = Object.keys(r).filter((k) => k.startsWith('predictive/') && !statics.has(k.slice('predictive/'.length)));
  // Does repartitioning beat keeping a layout? Against the cluster's start this is easy; against
  // a fine static layout striped over every node (a static policy's own `partitions`) it is the
  // question a slow-move regime asks.
  for (const k of Object.keys(r).filter((x) => x.startsWith('predictive/') && statics.has(x.slice('predictive/'.length)))) {
    const slo = r[k].sloViolationRate;
    out.push({ target: `${k}: fewer SLO-violating records than keeping that layout`, met: slo && Number.isFinite(slo.hi) ? slo.hi < 1 : null, detail: `violations ${fmt(slo)}` });
  }
  if (workload === 'periodic' && regime === 'slow') {
    for (const k of baselines) out.push(cutVerdict(s, k, `${k}: SLO-violating records cut by ≥ 80% at no more moved bytes`));
    // A reference for the target: the hindsight lane plans from every realised arrival ahead
    // (policies/hindsight.ts). Met there: the target is within this PRE's reach. Not met there
    // proves nothing (hindsight is no optimum), but says where the gap is.
    for (const k of Object.keys(r).filter((x) => /^hindsight[^/]*\/reactive/.test(x))) {
      out.push({ ...cutVerdict(s, k, `${k} (a reference, not a bound): with every arrival known ahead, the same cut (≥ 80% at no more moved bytes)`), reference: true });
    }
    // The forecast's ceiling: the oracle is predictive's own code path fed the truth, and it bounds
    // predictive (the last verdict). Not met there: no better forecast meets the target with this
    // PRE and APM; the gap is in planning and execution. Met there: a better forecast could.
    const kind = (name: string) => s.policies[name]?.kind;
    for (const k of Object.keys(r).filter((x) => ORACLE_KINDS.includes(kind(x.split('/')[0]) ?? '') && kind(x.split('/')[1]) === 'reactive')) {
      out.push({ ...cutVerdict(s, k, `${k} (the forecast's ceiling, a reference): with a perfect forecast, the same cut (≥ 80% at no more moved bytes)`), reference: true });
    }
    const o = r['oracle/predictive']?.p99LatencyMs;
    out.push({ target: 'predictive p99 within 10% of the oracle (perfect forecast)', met: o && Number.isFinite(o.lo) ? 1 / o.lo <= 1.1 : null, detail: `oracle/predictive p99 ${fmt(o)}` });
  }
  if (workload === 'bursts') {
    for (const k of baselines) {
      const a = r[k].sloViolationRate;
      const b = r[k].recordSecondsOverSlo;
      const ok = a && b && Number.isFinite(a.hi) && Number.isFinite(b.hi) ? a.hi <= 1.1 && b.hi <= 1.1 : null;
      out.push({ target: `${k}: no worse on bursts (violations and record-seconds within 10%)`, met: ok, detail: `violations ${fmt(a)}, record-seconds ${fmt(b)}` });
    }
  }
  const o = r['oracle/predictive']?.recordSecondsOverSlo;
  out.push({
    target: 'the oracle (perfect forecast) at least as good as predictive (record-seconds over the SLO)',
    // worse beyond the interval: the oracle is wrong, or predictive beat it by luck the interval does not cover
    met: o && Number.isFinite(o.lo) ? !(o.lo > 1) : null,
    detail: `oracle/predictive ${fmt(o)}`,
  });
  return out;
}

/** Marks the Pareto-optimal points of each policy (lower violations and lower moved bytes, by means). */
export function paretoFront(points: readonly Omit<FrontPoint, 'pareto'>[]): FrontPoint[] {
  return points.map((p) => {
    const dominated = points.some(
      (q) =>
        q !== p &&
        q.policy === p.policy &&
        q.sloViolationRate.mean <= p.sloViolationRate.mean &&
        q.movedBytes.mean <= p.movedBytes.mean &&
        (q.sloViolationRate.mean < p.sloViolationRate.mean || q.movedBytes.mean < p.movedBytes.mean),
    );
    return { ...p, pareto: !dominated };
  });
}

const setting = (p: Omit<FrontPoint, 'pareto'>) => (p.churnBudget !== undefined ? `budget ${p.churnBudget}/h at threshold ${p.threshold}` : `threshold ${p.threshold}`);

/**
 * The slow-move target's other form: predictive's sweep dominates the fair reactive baseline's.
 * Every baseline point needs a predictive point with no more moved bytes (means) and fewer
 * SLO-violating records beyond both intervals (predictive's upper end below the baseline's lower
 * end). Null without both policies in the sweep.
 */
export function frontVerdict(front: readonly Omit<FrontPoint, 'pareto'>[], policy = 'predictive', baseline = 'reactive_fair'): Verdict | null {
  const ours = front.filter((p) => p.policy === policy);
  const theirs = front.filter((p) => p.policy === baseline);
  if (ours.length === 0 || theirs.length === 0) return null;
  const open = theirs.filter((b) => !ours.some((p) => p.movedBytes.mean <= b.movedBytes.mean && p.sloViolationRate.hi < b.sloViolationRate.lo));
  const pct = (x: number) => `${(100 * x).toPrecision(3)}%`;
  return {
    target: `${policy}'s aggressiveness front dominates ${baseline}'s (each ${baseline} point beaten on SLO-violating records beyond the intervals at no more moved bytes)`,
    met: open.length === 0,
    detail:
      `${theirs.length - open.length} of ${theirs.length} ${baseline} points dominated` +
      (open.length ? `; not: ${open.map((b) => `${setting(b)} (${pct(b.sloViolationRate.mean)}, ${(b.movedBytes.mean / 2 ** 30).toFixed(0)} GiB)`).join('; ')}` : ''),
  };
}

/** A scenario's entry from its multi-seed summary and its sweep points. */
export function studyEntry(file: string, s: Summary, front: readonly Omit<FrontPoint, 'pareto'>[]): StudyEntry {
  const regime = /-slow$/.test(s.scenario) ? 'slow' : 'fast';
  const workload = /^bursts/.test(s.scenario) ? 'bursts' : 'periodic';
  const pick = <T>(rec: Record<string, T>) => Object.fromEntries(STUDY_METRICS.filter((m) => rec[m] !== undefined).map((m) => [m, rec[m]]));
  const block = s.seeds;
  const single = (v: number): SeedStats => ({ mean: v, lo: v, hi: v, values: [v] });
  const policies = block
    ? Object.fromEntries(Object.entries(block.policies).map(([n, m]) => [n, pick(m)]))
    : Object.fromEntries(Object.entries(s.policies).map(([n, p]) => [n, pick(Object.fromEntries(STUDY_METRICS.map((m) => [m, single(p[m])])))]));
  const rs = (p: string) => block?.policies[p]?.recordSecondsOverSlo?.values;
  const pred = rs('predictive');
  const orc = rs('oracle');
  const hind = rs('hindsight');
  const lb = block?.bounds?.recordSecondsOverSlo.values;
  const decomposition =
    pred && orc
      ? {
          forecastError: seedStats(pred.map((v, i) => v - orc[i])),
          ...(lb ? { controlGap: seedStats(orc.map((v, i) => v - lb[i])) } : {}),
          ...(hind ? { hindsightGap: seedStats(pred.map((v, i) => v - hind[i])) } : {}),
        }
      : undefined;
  return {
    scenario: s.scenario,
    file,
    ...(decomposition ? { decomposition } : {}),
    regime,
    workload,
    seeds: block?.seeds ?? [s.seed],
    policies,
    ratios: block ? Object.fromEntries(Object.entries(block.ratios).map(([n, m]) => [n, pick(m)])) : {},
    ...(block?.bounds ? { bounds: block.bounds } : {}),
    verdicts: [...verdicts(s, regime, workload), ...(workload === 'periodic' && regime === 'slow' ? [frontVerdict(front)].filter((v): v is Verdict => v !== null) : [])],
    front: paretoFront(front),
  };
}

/**
 * Multi-seed runs (`keycast run --seeds N`, `seeds:` in a scenario): a claim about policies is a
 * claim over seeds. Seeds seed, seed+1, … seed+N−1 run with common random numbers within each
 * (every policy of a seed sees the same arrivals and the same fault draws), in parallel threads
 * when given a `TaskRunner` (io/task-threads.ts, like sweeps; results byte-identical for any
 * worker count: each seed is deterministic and the aggregation is in seed order). The first seed's run is the full one
 * (reports, CSVs); the others return their summaries.
 *
 * `summary.json` keeps every existing field meaning the first seed's run (the scenario's seed)
 * and gains `seeds` (`SeedsBlock`): per policy and metric the per-seed values, mean and 95%
 * interval (Student t over seeds), the same for the lower bounds, and paired per-seed ratios
 * between policies (geometric mean and interval over seeds of a/b; seeds where either is 0 are
 * left out and counted). Expectations are evaluated over seeds (expect.ts: `all(seed):` at every
 * seed, the default, or `mean:` on the means).
 */
import { headlinePair } from '../model/headline-pair.ts';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, type Problem } from '../model/errors.ts';
import { compare, evaluate, type Expectation } from '../scenario/expect.ts';
import { SCALAR_METRICS } from '../scenario/metrics.ts';
import type { LoadedScenario, LoadOptions, ScenarioLoader } from '../scenario/load.ts';
import { metricValue } from './build-summary.ts';
import type { ExpectationResult, PolicySummary, RatioStats, SeedOutcome, SeedsBlock, SeedStats, Summary } from './summary.ts';
export type { RatioStats, SeedOutcome, SeedsBlock, SeedStats } from './summary.ts';
import { runTask, type SweepTask, type TaskRunner } from './sweep-task.ts';
import { withoutSeedSets } from '../scenario/yaml-doc.ts';
import { meanCi } from './sweep.ts';
import { ORACLE_KINDS } from '../model/policy-outcome.ts';
import { scanTrace } from '../workload/trace/scan.ts';
import { startOffsetMs } from '../workload/trace/trace-workload.ts';

/**
 * Mean and 95% t-interval of values (the sweep's `meanCi`). With `nonNegative` (a metric that
 * cannot be below 0: every scalar metric of a policy) the interval is cut at 0: the mean it
 * covers is never negative, so the cut keeps its coverage and a page never shows "−71 ms".
 */
export function seedStats(values: readonly number[], nonNegative = false): SeedStats {
  const { mean, ci95, n } = meanCi(values);
  const half = n < 2 ? 0 : ci95;
  const lo = mean - half;
  return { mean, lo: nonNegative ? Math.max(0, lo) : lo, hi: mean + half, values: [...values] };
}

/** Paired ratios a_i/b_i: geometric mean and the t-interval of the log ratios, exponentiated. */
export function ratioStats(a: readonly number[], b: readonly number[]): RatioStats {
  const values = a.map((x, i) => (b[i] !== 0 ? x / b[i] : x === 0 ? NaN : Infinity));
  const logs = values.filter((r) => Number.isFinite(r) && r > 0).map(Math.log);
  const excluded = values.length - logs.length;
  if (logs.length === 0) return { mean: NaN, lo: NaN, hi: NaN, values: values.map((v) => (Number.isFinite(v) ? v : NaN)), excluded };
  const s = seedStats(logs);
  // JSON has no NaN/Infinity: undefined ratios are written as null by JSON.stringify.
  return { mean: Math.exp(s.mean), lo: Math.exp(s.lo), hi: Math.exp(s.hi), values: values.map((v) => (Number.isFinite(v) ? v : NaN)), excluded };
}

/**
 * The pairs a/b compared: each predictive over each reactive (plain or fair) and each static
 * (the cluster's start, or a static policy's own layout), each oracle over each predictive and
 * each reactive (the cut a perfect forecast gives this PRE: the ceiling of what a better forecast
 * can add), each hindsight over each reactive, predictive and oracle.
 */
export function ratioPairs(policies: Record<string, PolicySummary>): [string, string][] {
  const by = (kinds: string[]) => Object.entries(policies).filter(([, p]) => kinds.includes(p.kind)).map(([n]) => n);
  const pairs: [string, string][] = [];
  for (const p of by(['predictive'])) for (const r of by(['reactive'])) pairs.push([p, r]);
  for (const p of by(['predictive'])) for (const r of by(['static'])) pairs.push([p, r]);
  for (const o of by([...ORACLE_KINDS])) for (const p of by(['predictive'])) pairs.push([o, p]);
  for (const o of by([...ORACLE_KINDS])) for (const r of by(['reactive'])) pairs.push([o, r]);
  for (const h of by(['hindsight'])) for (const p of by(['reactive', 'predictive', ...ORACLE_KINDS])) pairs.push([h, p]);
  // The headline's pair (predictive vs reactive-threshold, say) gets its ratios too: its intervals come from them.
  const head = headlinePair(policies);
  if (head && !pairs.some(([a, b]) => a === head[0] && b === head[1])) pairs.push(head);
  return pairs;
}

/** The `seeds` block from the summaries of every seed (first seed first). */
export function seedsBlock(summaries: readonly Summary[]): SeedsBlock {
  const first = summaries[0];
  const policies: Record<string, Record<string, SeedStats>> = {};
  const series = (name: string, m: string) => summaries.map((s) => (s.policies[name] as unknown as Record<string, number>)[m]);
  for (const name of Object.keys(first.policies)) {
    const out: Record<string, SeedStats> = {};
    for (const m of SCALAR_METRICS) {
      const v = series(name, m);
      if (v.every((x) => typeof x === 'number')) out[m] = seedStats(v, true);
    }
    policies[name] = out;
  }
  const ratios: Record<string, Record<string, RatioStats>> = {};
  for (const [a, b] of ratioPairs(first.policies)) {
    const out: Record<string, RatioStats> = {};
    for (const m of SCALAR_METRICS) {
      if (m === 'wallMs' || m === 'invariantViolations' || m === 'badRows') continue;
      const va = series(a, m);
      const vb = series(b, m);
      if (va.every((x) => typeof x === 'number') && vb.every((x) => typeof x === 'number')) out[m] = ratioStats(va, vb);
    }
    ratios[`${a}/${b}`] = out;
  }
  const block: { -readonly [K in keyof SeedsBlock]: SeedsBlock[K] } = { seeds: summaries.map((s) => s.seed), policies, ratios };
  if (summaries.every((s) => s.bounds)) {
    block.bounds = {
      recordSecondsOverSlo: seedStats(summaries.map((s) => s.bounds!.recordSecondsOverSlo), true),
      sloViolationRate: seedStats(summaries.map((s) => s.bounds!.sloViolationRate), true),
      meanExcessLatencyMs: seedStats(summaries.map((s) => s.bounds!.meanExcessLatencyMs), true),
    };
  }
  return block;
}

/**
 * The scenario's expectations over seeds: `mean:` ones on the means, the others at every seed
 * (left/right of the first failing seed, else of the first seed, and every seed's outcome).
 */
export function seededExpectations(loaded: LoadedScenario, summaries: readonly Summary[], block: SeedsBlock): ExpectationResult[] {
  const problems: Problem[] = [];
  const out: ExpectationResult[] = [];
  loaded.expectations.forEach((e, i) => {
    try {
      if (e.over === 'mean') {
        const lookup = (pol: string, p: string[]) => {
          const s = block.policies[pol]?.[p.join('.')];
          if (s) return s.mean;
          // object metrics (operations.move, …): the mean of the per-seed values
          return summaries.reduce((a, s2) => a + metricValue(s2.policies, pol, p), 0) / summaries.length;
        };
        const left = lookup(e.left.policy, e.left.path);
        const right = evaluate(e.right, lookup);
        out.push({ expr: e.expr, pass: compare(left, e.op, right), left, right });
        return;
      }
      if (e.over === 'interval' && summaries.length > 1) {
        out.push(intervalOutcome(e, summaries));
        return;
      }
      const per: SeedOutcome[] = summaries.map((s) => {
        const lookup = (pol: string, p: string[]) => metricValue(s.policies, pol, p);
        const left = lookup(e.left.policy, e.left.path);
        const right = evaluate(e.right, lookup);
        return { seed: s.seed, pass: compare(left, e.op, right), left, right };
      });
      const shown = per.find((p) => !p.pass) ?? per[0];
      out.push({ expr: e.expr, pass: per.every((p) => p.pass), left: shown.left, right: shown.right, ...(per.length > 1 ? { seeds: per } : {}) });
    } catch (err) {
      problems.push({ file: loaded.file, path: `expect[${i}]`, message: (err as Error).message });
    }
  });
  if (problems.length) throw new InputError(problems);
  return out;
}

/**
 * An `interval:` expectation over seeds: fails only when the paired per-seed ratio left ÷ right is
 * beyond its 95% interval on the wrong side of 1 (`<`/`<=`: its lower end above 1; `>`/`>=`: its
 * upper end below 1). Where no seed has a finite ratio (zeros), the means are compared.
 * Left and right are the means.
 */
function intervalOutcome(e: Expectation, summaries: readonly Summary[]): ExpectationResult {
  const a = summaries.map((s) => metricValue(s.policies, e.left.policy, e.left.path));
  const ref = e.right as Extract<Expectation['right'], { type: 'ref' }>;
  const b = summaries.map((s) => metricValue(s.policies, ref.policy, ref.path));
  const [left, right] = [seedStats(a).mean, seedStats(b).mean];
  const r = ratioStats(a, b);
  const below = e.op === '<' || e.op === '<=';
  const pass = Number.isFinite(r.lo) ? (below ? !(r.lo > 1) : !(r.hi < 1)) : compare(left, e.op, right);
  return { expr: e.expr, pass, left, right, ...(Number.isFinite(r.lo) ? { ratio: { mean: r.mean, lo: r.lo, hi: r.hi } } : {}) };
}

/** The multi-seed summary: the first seed's, with expectations over seeds and the `seeds` block. */
export function combineSeeds(loaded: LoadedScenario, summaries: readonly Summary[]): Summary {
  const block = seedsBlock(summaries);
  const boundChecks = summaries.flatMap((s) => (s.boundChecks ?? []).map((c) => (summaries.length > 1 ? { ...c, expr: `seed ${s.seed}: ${c.expr}` } : c)));
  return {
    ...summaries[0],
    expectations: seededExpectations(loaded, summaries, block),
    ...(summaries[0].boundChecks ? { boundChecks } : {}),
    invariantViolations: summaries.reduce((a, s) => a + s.invariantViolations, 0),
    seeds: block,
  };
}

/**
 * The seeds a loaded scenario runs: `count` of them from its seed. A trace replayed with
 * `seedShift` has (seed mod n) pick the window, n the windows that fit: two seeds of one run on the
 * same window would count one sample twice and narrow every interval, so that is bad input.
 */
export function seedList(loaded: LoadedScenario, count: number): number[] {
  const seeds = Array.from({ length: count }, (_, i) => loaded.scenario.seed + i);
  const trace = loaded.scenario.workload.trace;
  if (count < 2 || trace?.seedShift === undefined || loaded.durationFromTrace) return seeds;
  const scan = scanTrace(path.resolve(loaded.dir, trace.file), trace, true);
  const seen = new Map<number, number>();
  for (const seed of seeds) {
    const at = startOffsetMs(trace, scan.lastMs - scan.firstMs, seed, loaded.scenario.duration);
    if (typeof at !== 'number') return seeds; // the run reports it, at its field
    const other = seen.get(at);
    if (other !== undefined) {
      throw new InputError([{ file: loaded.file, path: 'workload.trace.seedShift', message: `seeds ${other} and ${seed} replay the same window of the trace (${seen.size} windows of the run's duration fit, ${trace.seedShift} ms apart): run at most ${seen.size} seeds, or a shorter duration or seedShift` }]);
    }
    seen.set(at, seed);
  }
  return seeds;
}

/** How the other seeds of a run are loaded and run (`withOtherSeeds`). */
export interface OtherSeeds {
  /** The scenario file (the loaded scenario's `file`, so a bundled name works from any folder). */
  readonly file: string;
  readonly opts: LoadOptions;
  readonly seeds: readonly number[];
  readonly version: string;
  /** Threads (default: the cores); 1 runs every seed in this thread, one after the other. */
  readonly workers?: number;
  readonly load: ScenarioLoader;
  /** Runs tasks in other threads; without it every seed runs in this thread. */
  readonly runner?: TaskRunner;
}

/**
 * Runs `first` (the first seed's full run, in this thread) while the other seeds run in parallel
 * threads, and returns the first's value with the others' summaries in seed order. Every seed
 * loads the same file with the same options and its own seed. `first` is told whether the others
 * run in threads meanwhile: then the cores are busy, and its lanes had better stay in this thread
 * (more threads would only add their heaps).
 */
export async function withOtherSeeds<T>(o: OtherSeeds, first: (othersInThreads: boolean) => T): Promise<{ first: T; others: Summary[] }> {
  const tasks: SweepTask[] = o.seeds.map((seed) => ({ file: path.resolve(o.file), sets: withoutSeedSets(o.opts.sets ?? []), seed, policies: o.opts.policies, version: o.version }));
  const w = Math.max(1, Math.min(o.workers ?? os.availableParallelism(), tasks.length));
  if (tasks.length === 0 || w === 1 || !o.runner) {
    const f = first(false);
    return { first: f, others: tasks.map((t) => runTask(t, o.load)) };
  }
  const running = await o.runner(tasks, w);
  try {
    const f = first(true);
    return { first: f, others: await running.results() };
  } finally {
    await running.stop();
  }
}

/**
 * The `staged` optimizer: exact structure first, search last. Stage 1 cuts the boundaries: for
 * a few caps (the per-window exact min-max bottleneck plus a slack), the cut under the caps whose
 * boundary shifts move the least (`capped-cut.ts`, order-preserving ownership), each an exact
 * DP. Stage 2 places the nodes: each cut keeps its parts on their base nodes, then a greedy
 * descent moves partitions off the busiest node while the total cost falls. The seeds (current
 * map, exact cut with LPT placements, split in place) compete with the stage-1 layouts on the
 * full cost model. Stage 3 refines the best of them with a short, cold annealing run on a small
 * share of the budget. It spends a fraction of the annealing optimizer's time for plans at least
 * as good on the captured decisions (`bench/plan-decisions.ts`).
 */
import { cheapestCutNear, shiftCost } from '../capped-cut.ts';
import { totalCost, type CostModel } from '../cost.ts';
import { exactBottleneck } from '../exact.ts';
import { LayoutState } from '../layout-state.ts';
import type { Layout } from '../layout.ts';
import { stopper, type Optimizer, type SearchProblem, type SearchResult } from '../optimizer.ts';
import { repairedCurrent, targetK } from '../seeds.ts';
import type { Budget, Rng } from '../types.ts';
import { anneal } from './annealing.ts';

export interface StagedOptions {
  /** Slacks over the per-window exact bottleneck tried as caps in stage 1. */
  readonly slacks?: readonly number[];
  /** Largest boundary travel the stage-1 DP explores, as a share of the key space. Default 1/16. */
  readonly radiusShare?: number;
  /** Share of the budget for the stage-3 annealing refinement. Default 0.1. */
  readonly refineShare?: number;
  /** Start temperature of the refinement, as a fraction of the start cost. Default 0.0003. */
  readonly refineTemperature?: number;
}

const DEFAULT_SLACKS = [0, 0.02, 0.06, 0.15, 0.4];
/** Counts tried besides the target count and the proxy's best, as factors of the target. */
const COUNT_FACTORS = [0.6, 0.8, 1.25];

/** Summed weight of the soft terms called `name`. */
function weightOf(model: CostModel, name: string): number {
  let w = 0;
  for (let t = 0; t < model.terms.length; t++) if (model.terms[t].name === name && model.terms[t].kind === 'soft') w += model.weights[t];
  return w;
}

/**
 * Greedy node descent on `s`: move one partition of the busiest node (mean over windows) to the
 * least-busy one, the move that lowers the cost most, until none does or `evals` run out.
 * Returns the cost and the evaluations spent.
 */
export function improveNodes(s: LayoutState, model: CostModel, cost: number, evals: number): { cost: number; used: number } {
  const ctx = s.ctx;
  const N = ctx.nodeCount;
  const W = ctx.windowCount;
  const load = new Float64Array(N);
  let used = 0;
  for (let step = 0; step < 4 * N && used < evals; step++) {
    load.fill(0);
    for (let w = 0; w < W; w++) {
      const nl = s.nodeLoads(w);
      for (let n = 0; n < N; n++) load[n] += nl[n];
    }
    let hot = 0;
    let cold = 0;
    for (let n = 1; n < N; n++) {
      if (load[n] > load[hot]) hot = n;
      if (load[n] < load[cold]) cold = n;
    }
    if (hot === cold) break;
    let bestI = -1;
    let bestC = cost;
    for (let i = 0; i < s.k && used < evals; i++) {
      if (s.nodes[i] !== hot) continue;
      s.setNode(i, cold);
      const c = totalCost(model, s);
      used++;
      s.setNode(i, hot);
      if (c < bestC) {
        bestC = c;
        bestI = i;
      }
    }
    if (bestI < 0) break;
    s.setNode(bestI, cold);
    cost = bestC;
  }
  return { cost, used };
}

/**
 * Partition counts to try: the target count (`targetK`), the count whose pure-balance bound is
 * lowest (k · exact bottleneck of the mean load ÷ total for the partitions, the bottleneck's share
 * of a node for the nodes, as the cost model weighs them), and a few counts around the target.
 * Just the required count when the goals fix it.
 */
export function candidateCounts(problem: SearchProblem): number[] {
  const { ctx, model } = problem;
  const k0 = Math.min(targetK(ctx), ctx.buckets);
  if (ctx.fixedK !== undefined) return [k0];
  const kMax = Math.min(ctx.maxPartitions, ctx.buckets);
  let kMin = 1;
  if (ctx.partitionCapacity !== Infinity) kMin = Math.min(kMax, Math.max(1, Math.ceil(ctx.meanTotal / ctx.partitionCapacity)));
  const total = ctx.meanTotal;
  const N = ctx.nodeCount;
  const wImb = weightOf(model, 'imbalance');
  const wNode = weightOf(model, 'node-balance');
  let bestK = k0;
  if (total > 0) {
    let best = Infinity;
    // A geometric grid of counts from N / 2 to the limit.
    for (let k = Math.max(kMin, Math.ceil(N / 2)); k <= kMax; k = Math.max(k + 1, Math.round(k * 1.25))) {
      const L = exactBottleneck(ctx.meanPrefix, k);
      const v = (wImb * k * L) / total + wNode * Math.max(1, (N * L) / total, 1 + (N * L) / (2 * total));
      if (v < best - 1e-12) {
        best = v;
        bestK = k;
      }
    }
  }
  const out = [k0];
  const add = (k: number) => {
    const c = Math.min(kMax, Math.max(kMin, Math.round(k)));
    if (!out.includes(c)) out.push(c);
  };
  add(bestK);
  for (const f of ((globalThis as any).process?.env?.FACTORS ? (globalThis as any).process.env.FACTORS.split(',').map(Number) : COUNT_FACTORS)) add(k0 * f);
  return out;
}

export function staged(opts: StagedOptions = {}): Optimizer {
  const E = (globalThis as any).process?.env ?? {}; // TUNING-ONLY
  const slacks = opts.slacks ?? (E.SLACKS ? E.SLACKS.split(',').map(Number) : DEFAULT_SLACKS);
  const refineShare = opts.refineShare ?? Number(E.REFINE ?? 0.1);
  const radiusShare = opts.radiusShare ?? 1 / 16;
  const t0 = opts.refineTemperature ?? 0.0003;
  return {
    name: 'staged',
    optimize(problem: SearchProblem, budget: Budget, rng: Rng): SearchResult {
      const { ctx, model } = problem;
      const iters = Math.max(1, Math.floor(budget.iterations));
      const stop = stopper(budget);
      let used = 0;
      let best: Layout | undefined;
      let bestCost = Infinity;
      const consider = (l: Layout, c: number) => {
        if (c < bestCost) {
          best = l;
          bestCost = c;
        }
      };
      // The seeds first (the contract: never worse than the best of them).
      for (const l of problem.seeds) {
        consider(l, totalCost(model, new LayoutState(ctx, l)));
        used++;
      }
      // Stage 1 and 2, per partition count: the cheapest re-cut under each cap, nodes kept,
      // then node descent.
      const counts = candidateCounts(problem);
      const perCount = Math.max(0, Math.floor((iters * (1 - refineShare)) / Math.max(1, counts.length * slacks.length)));
      const W = ctx.windowCount;
      const caps = new Float64Array(W);
      const wMove = weightOf(model, 'movement');
      const wLat = weightOf(model, 'latency');
      // Cuts that need boundaries to travel further than this are left to the exact-cut seeds.
      const maxRadius = Math.max(16, Math.ceil((ctx.buckets * radiusShare) / 2));
      for (const k of counts) {
        if (used >= iters || stop(0)) break;
        const base = repairedCurrent(ctx, k);
        if (base.boundaries.length - 1 !== k || k < 2) continue;
        const opt = Float64Array.from(ctx.prefix, (p) => exactBottleneck(p, k));
        const cost = shiftCost(ctx, base.boundaries, base.nodes, wMove, wLat);
        const seen = new Set<string>();
        for (const slack of slacks) {
          if (used >= iters || (budget.shouldStop && budget.shouldStop())) break;
          // A relative nudge keeps a part that sums to the bottleneck in another order under it.
          for (let w = 0; w < W; w++) caps[w] = opt[w] * (1 + slack) * (1 + 1e-12);
          const cut = cheapestCutNear(ctx.prefix, caps, base.boundaries, cost, 8, maxRadius);
          if (!cut) continue;
          const key = cut.join(',');
          if (seen.has(key)) continue;
          seen.add(key);
          const s = new LayoutState(ctx, { boundaries: cut, nodes: base.nodes });
          const c = totalCost(model, s);
          used++;
          const r = improveNodes(s, model, c, Math.min(perCount, iters - used));
          used += r.used;
          consider(s.layout(), r.cost);
        }
      }
      // Stage 3: a short, cold annealing run from the best layout.
      let stopped = false;
      const refine = Math.min(iters - used, Math.floor(iters * refineShare));
      if (refine >= 50 && best) {
        const s = new LayoutState(ctx, best);
        const r = anneal(problem, s, bestCost, refine, t0 * Math.max(bestCost, 1e-12), 1e-7 / 0.003, 0.03, rng, stop);
        used += r.used;
        stopped = r.stopped;
        consider(r.best, r.bestCost);
      }
      const layout = best!;
      // Recompute from scratch: incremental sums drift by rounding over many moves.
      const final = totalCost(model, new LayoutState(ctx, layout));
      return { layout, cost: final, iterations: used, ended: stopped ? 'stopped' : 'converged' };
    },
  };
}

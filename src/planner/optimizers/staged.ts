/**
 * The `staged` optimizer: exact structure first, search last. Stage 1 picks partition counts
 * (the target, the count with the best pure-balance bound, one below) and, per count, cuts the
 * boundaries: for caps between the per-window exact min-max bottleneck and the base's own
 * largest part (a few shares of the way, then a bisection step around the best), the cut under
 * the caps whose boundary shifts cost least (`capped-cut.ts`, order-preserving ownership, an
 * exact DP in a band around the base). Stage 2 places the nodes: the cuts keep their parts on
 * the base nodes, then a greedy descent (moves and swaps off the busiest node) runs on the best
 * of them and on the best seed while the total cost falls. The seeds (current map, exact cut
 * with LPT placements, split in place) compete on the full cost model. Stage 3 refines the best
 * with a short, cold annealing run on a small share of the budget. Measured against annealing
 * on the same decisions in `bench/plan-decisions.ts` (`COMPARE=annealing,staged`).
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
  /** Caps tried in stage 1 per count, as shares of the way from the exact bottleneck to the base's largest part. */
  readonly shares?: readonly number[];
  /** Bisection rounds around the best share. Default 1. */
  readonly bisections?: number;
  /** Largest boundary travel the stage-1 DP explores, as a share of the key space. Default 1/16. */
  readonly radiusShare?: number;
  /** Stage-1 cuts (the cheapest) that get the node descent, besides the best seed. Default 2. */
  readonly descents?: number;
  /** Widening of the least band radius at which a cut fits (`cheapestCutNear`). Default 1. */
  readonly room?: number;
  /** Share of the budget for the stage-3 annealing refinement. Default 0.03. */
  readonly refineShare?: number;
  /** Start temperature of the refinement, as a fraction of the start cost. Default 0.0003. */
  readonly refineTemperature?: number;
}

/** Caps tried in stage 1, as shares of the way from the exact bottleneck to the base's own largest part. */
const DEFAULT_SHARES = [0, 0.15, 0.35, 0.6, 0.9];
/** Counts tried besides the target count and the proxy's best, as factors of the target. */
const COUNT_FACTORS = [0.8];

/** Summed weight of the soft terms called `name`. */
function weightOf(model: CostModel, name: string): number {
  let w = 0;
  for (let t = 0; t < model.terms.length; t++) if (model.terms[t].name === name && model.terms[t].kind === 'soft') w += model.weights[t];
  return w;
}

/**
 * Greedy node descent on `s`: the best single change among moving a partition of the busiest
 * node (mean over windows) to one of the `targets` least-busy nodes, or swapping it with a
 * partition of the least-busy node, taken while it lowers the total cost and `evals` last.
 * Returns the cost and the evaluations spent.
 */
export function improveNodes(s: LayoutState, model: CostModel, cost: number, evals: number, targets = 3): { cost: number; used: number } {
  const ctx = s.ctx;
  const N = ctx.nodeCount;
  const W = ctx.windowCount;
  const load = new Float64Array(N);
  const order: number[] = Array.from({ length: N }, (_, n) => n);
  let used = 0;
  for (let step = 0; step < 4 * N && used < evals; step++) {
    load.fill(0);
    for (let w = 0; w < W; w++) {
      const nl = s.nodeLoads(w);
      for (let n = 0; n < N; n++) load[n] += nl[n];
    }
    order.sort((a, b) => load[a] - load[b] || a - b);
    const hot = order[N - 1];
    const cold = order[0];
    if (hot === cold) break;
    let bestI = -1;
    let bestJ = -1;
    let bestN = -1;
    let bestC = cost;
    for (let i = 0; i < s.k && used < evals; i++) {
      if (s.nodes[i] !== hot) continue;
      for (let t = 0; t < Math.min(targets, N - 1); t++) {
        const n = order[t];
        s.setNode(i, n);
        const c = totalCost(model, s);
        used++;
        if (c < bestC) {
          bestC = c;
          bestI = i;
          bestJ = -1;
          bestN = n;
        }
      }
      s.setNode(i, hot);
      for (let j = 0; j < s.k && used < evals; j++) {
        if (s.nodes[j] !== cold) continue;
        s.setNode(i, cold);
        s.setNode(j, hot);
        const c = totalCost(model, s);
        used++;
        s.setNode(j, cold);
        s.setNode(i, hot);
        if (c < bestC) {
          bestC = c;
          bestI = i;
          bestJ = j;
          bestN = cold;
        }
      }
    }
    if (bestI < 0) break;
    s.setNode(bestI, bestN);
    if (bestJ >= 0) s.setNode(bestJ, hot);
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
    // A geometric grid of counts from half the node count to twice the target.
    for (let k = Math.max(kMin, Math.ceil(N / 2)); k <= Math.min(kMax, 2 * k0); k = Math.max(k + 1, Math.round(k * 1.25))) {
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
  add(k0 - 1);
  add(k0 + 1);
  for (const f of COUNT_FACTORS) add(k0 * f);
  return out;
}

export function staged(opts: StagedOptions = {}): Optimizer {
  const shares = opts.shares ?? DEFAULT_SHARES;
  const bisections = opts.bisections ?? 1;
  const room = opts.room ?? 1;
  const refineShare = opts.refineShare ?? 0.03;
  const radiusShare = opts.radiusShare ?? 1 / 16;
  const descents = opts.descents ?? 2;
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
      // Stage 1, per partition count: the cheapest re-cut under each cap, on the base nodes.
      const counts = candidateCounts(problem);
      const W = ctx.windowCount;
      const caps = new Float64Array(W);
      const wMove = weightOf(model, 'movement');
      const wLat = weightOf(model, 'latency');
      // Cuts that need boundaries to travel further than this are left to the exact-cut seeds.
      const maxRadius = Math.max(16, Math.ceil((ctx.buckets * radiusShare) / 2));
      const cuts: { state: LayoutState; cost: number }[] = [];
      for (const k of counts) {
        if (used >= iters || stop(0)) break;
        const base = repairedCurrent(ctx, k);
        if (base.boundaries.length - 1 !== k || k < 2) continue;
        const opt = Float64Array.from(ctx.prefix, (p) => exactBottleneck(p, k));
        const cost = shiftCost(ctx, base.boundaries, base.nodes, wMove, wLat);
        // The slack at which the base itself fits (nothing needs to shift): the caps range
        // from the exact bottleneck (slack 0) to there; the tried slacks are shares of it.
        let top = 0;
        for (let w = 0; w < W; w++) {
          const p = ctx.prefix[w];
          let m = 0;
          for (let i = 0; i < k; i++) m = Math.max(m, p[base.boundaries[i + 1]] - p[base.boundaries[i]]);
          if (opt[w] > 0) top = Math.max(top, m / opt[w] - 1);
        }
        const tried = new Map<number, number>();
        const tryShare = (share: number): number => {
          const slack = share * top;
          const had = tried.get(slack);
          if (had !== undefined) return had;
          let c = Infinity;
          if (used < iters && !(budget.shouldStop && budget.shouldStop())) {
            // A relative nudge keeps a part that sums to the bottleneck in another order under it.
            for (let w = 0; w < W; w++) caps[w] = opt[w] * (1 + slack) * (1 + 1e-12);
            const cut = cheapestCutNear(ctx.prefix, caps, base.boundaries, cost, 8, maxRadius, room);
            if (cut) {
              const state = new LayoutState(ctx, { boundaries: cut, nodes: base.nodes });
              c = totalCost(model, state);
              cuts.push({ state, cost: c });
              used++;
            }
          }
          tried.set(slack, c);
          return c;
        };
        let bestShare = -1;
        let bestShareCost = Infinity;
        for (const share of shares) {
          const c = tryShare(share);
          if (c < bestShareCost) {
            bestShareCost = c;
            bestShare = share;
          }
        }
        // Bisect toward the better neighbour of the best share a few times.
        if (bestShare >= 0) {
          let lo = shares.filter((x) => x < bestShare).pop() ?? 0;
          let hi = shares.find((x) => x > bestShare) ?? 1;
          for (let r = 0; r < bisections; r++) {
            const a = (lo + bestShare) / 2;
            const b = (bestShare + hi) / 2;
            const ca = tryShare(a);
            const cb = tryShare(b);
            if (ca < bestShareCost && ca <= cb) {
              hi = bestShare;
              bestShare = a;
              bestShareCost = ca;
            } else if (cb < bestShareCost) {
              lo = bestShare;
              bestShare = b;
              bestShareCost = cb;
            } else {
              lo = a;
              hi = b;
            }
          }
        }
      }
      // Stage 2: node descent on the best cuts (and the best seed).
      cuts.sort((a, b) => a.cost - b.cost);
      const descend = cuts.slice(0, descents);
      if (best) {
        const s = new LayoutState(ctx, best);
        descend.push({ state: s, cost: bestCost });
      }
      const perDescent = Math.max(0, Math.floor((iters * (1 - refineShare) - used) / Math.max(1, descend.length)));
      for (const c of cuts.slice(descents)) consider(c.state.layout(), c.cost);
      for (const c of descend) {
        const r = improveNodes(c.state, model, c.cost, Math.min(perDescent, iters - used));
        used += r.used;
        consider(c.state.layout(), r.cost);
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

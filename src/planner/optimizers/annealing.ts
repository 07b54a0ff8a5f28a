/**
 * Simulated annealing over layouts. It starts from the best seed (usually the exact min-max cut
 * or the current map), applies one neighbourhood move per iteration (see `moves.ts`), accepts
 * worse layouts with probability exp(−Δ/T) under a geometric cooling schedule, and returns the
 * best layout seen — never worse than its start. When the partition count is free it also
 * tries, now and then, splitting the hottest partition (new half on the least-loaded node) or
 * merging the coolest adjacent pair.
 */
import { leastLoaded } from '../context.ts';
import { totalCost, type CostModel } from '../cost.ts';
import { LayoutState } from '../layout-state.ts';
import type { Layout } from '../layout.ts';
import { randomMove } from '../moves.ts';
import { cheapestSeed, seedStates, stopper, type Optimizer, type SearchProblem, type SearchResult } from '../optimizer.ts';
import { ReshapeBound, ReshapeCandidate } from '../reshape-bound.ts';
import { coolestPair, medianPoint } from '../seeds.ts';
import type { Budget, Rng } from '../types.ts';
import { randInt } from '../rng.ts';

export interface AnnealingOptions {
  /** Start temperature as a fraction of the start cost. Default 0.003. */
  readonly startTemperature?: number;
  /** End temperature as a fraction of the start cost. Default 1e-7. */
  readonly endTemperature?: number;
  /** Probability of a count-changing move when the count is free. Default 0.03. */
  readonly reshapeRate?: number;
  /**
   * Reject count-changing candidates on a lower bound of their cost before building their state
   * (reshape-bound.ts). Default true; the results are the same either way, only slower without.
   */
  readonly reshapeBound?: boolean;
}

/**
 * A split of the hottest partition of a random window (the upper half on the least-loaded node
 * or its own), or a merge of the coolest pair; null when none applies.
 */
export function reshapeCandidate(s: LayoutState, rng: Rng): ReshapeCandidate | null {
  const ctx = s.ctx;
  const k = s.k;
  const l: Layout = { boundaries: s.boundaries, nodes: s.nodes };
  if (rng.next() < 0.5) {
    if (k >= ctx.maxPartitions) return null;
    const w = randInt(rng, ctx.windowCount);
    const i = s.hottestPartition(w);
    const lo = s.boundaries[i];
    const hi = s.boundaries[i + 1];
    if (hi - lo < 2) return null;
    const n = leastLoaded(ctx, s.nodeLoads(w));
    const x = medianPoint(ctx, lo, hi);
    return new ReshapeCandidate(s, 'split', i, x, rng.next() < 0.5 ? n : s.nodes[i]);
  }
  if (k <= 1) return null;
  return new ReshapeCandidate(s, 'merge', coolestPair(ctx, l), -1, -1);
}

/** The layout of `reshapeCandidate`. */
export function reshapeMove(s: LayoutState, rng: Rng): Layout | null {
  return reshapeCandidate(s, rng)?.layout ?? null;
}

/** The annealer's walk at a count-changing step: the current state and cost, and a state whose buffers the next new state reuses. */
interface Walk {
  s: LayoutState;
  cost: number;
  spare: LayoutState | undefined;
}

/**
 * One count-changing step of `anneal` at iteration `it`: a split or merge candidate, accepted as
 * a move is (always when not worse, else with probability exp(−Δ/T)) into `walk`. When the bound
 * is already worse, the draw is made on it first; if even the bound is rejected by that draw, so
 * is the candidate, and its state is never built (the same draws and outcome as without the bound).
 */
function reshapeStep(walk: Walk, model: CostModel, bound: ReshapeBound | null, rng: Rng, tStart: number, ratio: number, it: number, iters: number): void {
  const { s, cost } = walk;
  const cand = reshapeCandidate(s, rng);
  if (!cand) return;
  let u = -1;
  if (bound) {
    const lb = bound.lowerBound(s, cand);
    if (lb > cost) {
      u = rng.next();
      if (!(u < Math.exp((cost - lb) / temperature(tStart, ratio, it, iters)))) return;
    }
  }
  // The state a reshape leaves behind (rejected candidate or replaced current) lends its buffers.
  const ns = new LayoutState(s.ctx, cand.layout, walk.spare);
  const c = totalCost(model, ns);
  if (c <= cost || (u >= 0 ? u : rng.next()) < Math.exp((cost - c) / temperature(tStart, ratio, it, iters))) {
    walk.spare = s;
    walk.s = ns;
    walk.cost = c;
  } else walk.spare = ns;
}

/**
 * The temperature at iteration `it` of `iters` (geometric cooling from `tStart` by `ratio`),
 * computed only for a worse candidate: most iterations need none.
 */
function temperature(tStart: number, ratio: number, it: number, iters: number): number {
  return tStart * Math.pow(ratio, it / iters);
}

/**
 * One annealing run from `s` for `iters` iterations (fewer when `patience` iterations in a row
 * found nothing better than the best by more than `minGain` of its cost: a refinement that has
 * converged stops paying); returns the best layout seen and its cost.
 */
export function anneal(
  problem: SearchProblem,
  s: LayoutState,
  cost: number,
  iters: number,
  tStart: number,
  ratio: number,
  reshapeRate: number,
  rng: Rng,
  stop: (it: number) => boolean,
  patience = Infinity,
  minGain = 0,
  reshapeBound = true,
): { best: Layout; bestCost: number; used: number; stopped: boolean } {
  const { ctx, model } = problem;
  // The best layout seen, copied into the same arrays while the count stays (improvements are many early on).
  let bestB = s.boundaries.slice();
  let bestN = s.nodes.slice();
  let bestCost = cost;
  const countFree = ctx.fixedK === undefined;
  const eps = 1e-12 * Math.max(cost, 1e-12);
  let it = 0;
  const walk: Walk = { s, cost, spare: undefined };
  let improvedAt = 0;
  // The cost the last counted improvement reached: only a gain of `minGain` (relative) below it resets the patience.
  let mark = cost;
  const bound = countFree && reshapeRate > 0 && reshapeBound ? ReshapeBound.for(ctx, model) : null;
  for (; it < iters && it - improvedAt <= patience; it++) {
    if (stop(it)) return { best: { boundaries: bestB, nodes: bestN }, bestCost, used: it, stopped: true };
    if (countFree && rng.next() < reshapeRate) {
      walk.s = s;
      walk.cost = cost;
      reshapeStep(walk, model, bound, rng, tStart, ratio, it, iters);
      s = walk.s;
      cost = walk.cost;
    } else {
      const undo = randomMove(s, rng);
      if (!undo) continue;
      const c = totalCost(model, s);
      if (c <= cost || rng.next() < Math.exp((cost - c) / temperature(tStart, ratio, it, iters))) cost = c;
      else undo();
    }
    if (cost < bestCost - eps) {
      bestCost = cost;
      if (bestB.length === s.boundaries.length) {
        bestB.set(s.boundaries);
        bestN.set(s.nodes);
      } else {
        bestB = s.boundaries.slice();
        bestN = s.nodes.slice();
      }
      if (cost < mark * (1 - minGain)) {
        mark = cost;
        improvedAt = it;
      }
    }
  }
  return { best: { boundaries: bestB, nodes: bestN }, bestCost, used: it, stopped: false };
}

/**
 * Multi-start annealing: half the budget is shared by short runs from every seed (the exact cut
 * and the current map lead to different basins: balance-first or movement-first), the other half
 * continues from the best of them at a lower temperature.
 */
export function annealing(opts: AnnealingOptions = {}): Optimizer {
  const t0 = opts.startTemperature ?? 0.003;
  const t1 = opts.endTemperature ?? 1e-7;
  const reshapeRate = opts.reshapeRate ?? 0.03;
  const useBound = opts.reshapeBound ?? true;
  return {
    name: 'annealing',
    optimize(problem: SearchProblem, budget: Budget, rng: Rng): SearchResult {
      const { ctx, model } = problem;
      const iters = Math.max(1, Math.floor(budget.iterations));
      const stop = stopper(budget);
      // The seeds' states start the short runs too (built once: a fresh state is the same every time).
      const starts = seedStates(problem);
      const seedStart = cheapestSeed(starts);
      let best = seedStart.state.layout();
      let bestCost = seedStart.cost;
      const scale = Math.max(bestCost, 1e-12);
      const ratio = t1 / t0;
      let used = 0;
      let stopped = false;
      const S = problem.seeds.length;
      const per = Math.floor(iters / 2 / S);
      if (per >= 50) {
        for (let i = 0; i < S && !stopped; i++) {
          const r = anneal(problem, starts[i].state, starts[i].cost, per, t0 * scale, ratio, reshapeRate, rng, stop, Infinity, 0, useBound);
          used += r.used;
          stopped = r.stopped;
          if (r.bestCost < bestCost) {
            best = r.best;
            bestCost = r.bestCost;
          }
        }
      }
      if (!stopped && used < iters) {
        const s = new LayoutState(ctx, best);
        const r = anneal(problem, s, totalCost(model, s), iters - used, (per >= 50 ? t0 / 10 : t0) * scale, ratio, reshapeRate, rng, stop, Infinity, 0, useBound);
        used += r.used;
        stopped = r.stopped;
        if (r.bestCost < bestCost) {
          best = r.best;
          bestCost = r.bestCost;
        }
      }
      // Recompute from scratch: incremental sums drift by rounding over many moves.
      const final = totalCost(model, new LayoutState(ctx, best));
      return { layout: best, cost: final, iterations: used, ended: stopped ? 'stopped' : 'budget' };
    },
  };
}

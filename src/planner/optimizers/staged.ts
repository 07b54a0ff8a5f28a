/**
 * The `staged` optimizer: exact structure first, search last. Stage 1 picks partition counts
 * (the target, the count with the best pure-balance bound, one below) and, per count, cuts the
 * boundaries: for caps between the least slack over the per-window exact min-max bottlenecks at
 * which one cut fits every window and the base's own largest part (a few shares of the way, then
 * a bisection step around the best), the cut under the caps whose boundary shifts cost least
 * (`capped-cut.ts`, order-preserving ownership, an exact DP in a band around the base). Stage 2
 * places the nodes: the cuts keep their parts on the base nodes, then a greedy descent (moves and
 * swaps off the busiest node) and a boundary line search (shifts between neighbours hand load
 * from node to node at bucket granularity) run on the best of them and on the best seed while the
 * total cost falls. The seeds (current map, exact cut with LPT placements, split in place)
 * compete on the full cost model. Stage 3 refines the best with a cold annealing run on 30% of
 * the budget: on decisions near saturation (node placement and the price of a plan while it runs
 * dominate) the structured stages alone end well above annealing, the refinement closes the gap.
 * Measured against annealing on the same decisions in `bench/plan-decisions.ts`
 * (`COMPARE=annealing,staged`).
 */
import { cheapestCutNear, shiftCost } from '../capped-cut.ts';
import { totalCost } from '../cost.ts';
import { exactBottleneck } from '../exact.ts';
import { LayoutState } from '../layout-state.ts';
import type { Layout } from '../layout.ts';
import { stopper, type Optimizer, type SearchProblem, type SearchResult } from '../optimizer.ts';
import { repairedCurrent } from '../seeds.ts';
import type { Budget, Rng } from '../types.ts';
import { anneal } from './annealing.ts';
import { baseSlack, candidateCounts, improveBoundaries, improveNodes, leastSlack, weightOf } from './staged-stages.ts';

export { candidateCounts, improveBoundaries, improveNodes, leastSlack } from './staged-stages.ts';

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
  /** Partition counts tried in stage 1, the first of `candidateCounts`' list. Default all of them. */
  readonly maxCounts?: number;
  /** Start the caps at the least slack at which a cut fits every window at once (`leastSlack`). Default true. */
  readonly slackFloor?: boolean;
  /** Passes of the boundary descent (`improveBoundaries`) after the node descent in stage 2. Default 3. */
  readonly boundaryPasses?: number;
  /** Share of the budget for the stage-3 annealing refinement. Default 0.3. */
  readonly refineShare?: number;
  /** The refinement stops after this many iterations in a row without a better layout. Default: never. */
  readonly refinePatience?: number;
  /** Smallest relative gain that counts as progress for `refinePatience`. Default 0. */
  readonly refineMinGain?: number;
  /** Start temperature of the refinement, as a fraction of the start cost. Default 0.0003. */
  readonly refineTemperature?: number;
}

/** Caps tried in stage 1, as shares of the way from the exact bottleneck to the base's own largest part. */
const DEFAULT_SHARES = [0, 0.15, 0.35, 0.6, 0.9];


/** `StagedOptions` with their defaults filled in. */
type StagedSettings = { readonly [K in keyof StagedOptions]-?: NonNullable<StagedOptions[K]> };


/** Stage 1 at one partition count: the base (current map repaired to the count), its bottlenecks and slack, the shares tried so far. */
interface CountCut {
  readonly base: Layout;
  readonly opt: Float64Array;
  readonly cost: ReturnType<typeof shiftCost>;
  readonly top: number;
  /** The least slack at which any cut fits every window's cap (0 with one window). */
  readonly floor: number;
  readonly tried: Map<number, number>;
}

/** One run of the staged search: the best layout so far, stage 1's cuts and the iterations used. */
class StagedRun {
  used = 0;
  best: Layout | undefined;
  bestCost = Infinity;
  private readonly cuts: { state: LayoutState; cost: number }[] = [];
  private readonly caps: Float64Array;
  /** Cuts that need boundaries to travel further than this are left to the exact-cut seeds. */
  private readonly maxRadius: number;

  constructor(
    private readonly problem: SearchProblem,
    private readonly budget: Budget,
    private readonly iters: number,
    private readonly stop: (it: number) => boolean,
    private readonly o: StagedSettings,
  ) {
    this.caps = new Float64Array(problem.ctx.windowCount);
    this.maxRadius = Math.max(16, Math.ceil((problem.ctx.buckets * o.radiusShare) / 2));
  }

  consider(l: Layout, c: number): void {
    if (c < this.bestCost) {
      this.best = l;
      this.bestCost = c;
    }
  }

  /** The seeds first (the contract: never worse than the best of them). */
  seeds(): void {
    for (const l of this.problem.seeds) {
      this.consider(l, totalCost(this.problem.model, new LayoutState(this.problem.ctx, l)));
      this.used++;
    }
  }

  /** Stage 1, per partition count: the cheapest re-cut under each cap, on the base nodes. */
  cutStage(): void {
    const { ctx, model } = this.problem;
    const wMove = weightOf(model, 'movement');
    const wLat = weightOf(model, 'latency');
    for (const k of candidateCounts(this.problem).slice(0, this.o.maxCounts)) {
      if (this.used >= this.iters || this.stop(0)) break;
      const base = repairedCurrent(ctx, k);
      if (base.boundaries.length - 1 !== k || k < 2) continue;
      const opt = Float64Array.from(ctx.prefix, (p) => exactBottleneck(p, k));
      const cost = shiftCost(ctx, base.boundaries, base.nodes, wMove, wLat);
      // The caps range from the exact bottleneck (slack 0) to the base's own slack; the tried slacks are shares of it.
      const top = baseSlack(ctx.prefix, base.boundaries, k, opt);
      this.searchShares({ base, opt, cost, top, floor: this.o.slackFloor ? leastSlack(ctx.prefix, opt, k, top, this.caps) : 0, tried: new Map() });
    }
  }

  /** The cut at `share` of the way to the base's slack (its cost; Infinity when none fits or the budget is out), kept among the cuts. */
  private tryShare(cc: CountCut, share: number): number {
    const slack = cc.floor + share * (cc.top - cc.floor);
    const had = cc.tried.get(slack);
    if (had !== undefined) return had;
    const { ctx, model } = this.problem;
    let c = Infinity;
    if (this.used < this.iters && !(this.budget.shouldStop && this.budget.shouldStop())) {
      // A relative nudge keeps a part that sums to the bottleneck in another order under it.
      for (let w = 0; w < ctx.windowCount; w++) this.caps[w] = cc.opt[w] * (1 + slack) * (1 + 1e-12);
      const cut = cheapestCutNear(ctx.prefix, this.caps, cc.base.boundaries, cc.cost, 8, this.maxRadius, this.o.room);
      if (cut) {
        const state = new LayoutState(ctx, { boundaries: cut, nodes: cc.base.nodes });
        c = totalCost(model, state);
        this.cuts.push({ state, cost: c });
        this.used++;
      }
    }
    cc.tried.set(slack, c);
    return c;
  }

  /** The configured shares, then bisection toward the better neighbour of the best share a few times. */
  private searchShares(cc: CountCut): void {
    const shares = this.o.shares;
    let bestShare = -1;
    let bestShareCost = Infinity;
    for (const share of shares) {
      const c = this.tryShare(cc, share);
      if (c < bestShareCost) {
        bestShareCost = c;
        bestShare = share;
      }
    }
    if (bestShare < 0) return;
    let lo = shares.filter((x) => x < bestShare).pop() ?? 0;
    let hi = shares.find((x) => x > bestShare) ?? 1;
    for (let r = 0; r < this.o.bisections; r++) {
      const a = (lo + bestShare) / 2;
      const b = (bestShare + hi) / 2;
      const ca = this.tryShare(cc, a);
      const cb = this.tryShare(cc, b);
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

  /** Stage 2: node descent on the best cuts (and the best seed); the other cuts compete as they are. */
  nodeStage(): void {
    const { ctx, model } = this.problem;
    const { descents, refineShare } = this.o;
    this.cuts.sort((a, b) => a.cost - b.cost);
    const descend = this.cuts.slice(0, descents);
    if (this.best) descend.push({ state: new LayoutState(ctx, this.best), cost: this.bestCost });
    const perDescent = Math.max(0, Math.floor((this.iters * (1 - refineShare) - this.used) / Math.max(1, descend.length)));
    for (const c of this.cuts.slice(descents)) this.consider(c.state.layout(), c.cost);
    for (const c of descend) {
      const r = improveNodes(c.state, model, c.cost, Math.min(perDescent, this.iters - this.used));
      this.used += r.used;
      let cost = r.cost;
      if (this.o.boundaryPasses > 0) {
        const rb = improveBoundaries(c.state, model, cost, Math.min(perDescent, this.iters - this.used), this.o.boundaryPasses);
        this.used += rb.used;
        cost = rb.cost;
        if (rb.used > 0) {
          const rn = improveNodes(c.state, model, cost, Math.min(perDescent, this.iters - this.used));
          this.used += rn.used;
          cost = rn.cost;
        }
      }
      this.consider(c.state.layout(), cost);
    }
  }

  /** Stage 3: a short, cold annealing run from the best layout; true when it was stopped. */
  refineStage(rng: Rng): boolean {
    const refine = Math.min(this.iters - this.used, Math.floor(this.iters * this.o.refineShare));
    if (refine < 50 || !this.best) return false;
    const s = new LayoutState(this.problem.ctx, this.best);
    const r = anneal(this.problem, s, this.bestCost, refine, this.o.refineTemperature * Math.max(this.bestCost, 1e-12), 1e-7 / 0.003, 0.03, rng, this.stop, this.o.refinePatience, this.o.refineMinGain);
    this.used += r.used;
    this.consider(r.best, r.bestCost);
    return r.stopped;
  }
}

export function staged(opts: StagedOptions = {}): Optimizer {
  const settings: StagedSettings = {
    shares: opts.shares ?? DEFAULT_SHARES,
    bisections: opts.bisections ?? 1,
    room: opts.room ?? 1,
    refineShare: opts.refineShare ?? 0.3,
    radiusShare: opts.radiusShare ?? 1 / 16,
    descents: opts.descents ?? 2,
    maxCounts: opts.maxCounts ?? Infinity,
    boundaryPasses: opts.boundaryPasses ?? 3,
    slackFloor: opts.slackFloor ?? true,
    refinePatience: opts.refinePatience ?? Infinity,
    refineMinGain: opts.refineMinGain ?? 0,
    refineTemperature: opts.refineTemperature ?? 0.0003,
  };
  return {
    name: 'staged',
    optimize(problem: SearchProblem, budget: Budget, rng: Rng): SearchResult {
      const iters = Math.max(1, Math.floor(budget.iterations));
      const run = new StagedRun(problem, budget, iters, stopper(budget), settings);
      run.seeds();
      run.cutStage();
      run.nodeStage();
      const stopped = run.refineStage(rng);
      const layout = run.best!;
      // Recompute from scratch: incremental sums drift by rounding over many moves.
      const final = totalCost(problem.model, new LayoutState(problem.ctx, layout));
      return { layout, cost: final, iterations: run.used, ended: stopped ? 'stopped' : 'converged' };
    },
  };
}

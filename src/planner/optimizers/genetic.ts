/**
 * A memetic genetic algorithm over layouts. The population starts from the seeds and random
 * walks away from them; each generation keeps the two best (elitism), picks parents by
 * tournament, crosses them over at a random key (boundaries and nodes below it from one parent,
 * above it from the other, then the count repaired), and improves each child by a short
 * hill-climb with the annealer's moves. Returns the best layout ever seen.
 */
import { totalCost } from '../cost.ts';
import { LayoutState } from '../layout-state.ts';
import type { Layout } from '../layout.ts';
import { randomMove } from '../moves.ts';
import { bestSeed, stopper, type Optimizer, type SearchProblem, type SearchResult } from '../optimizer.ts';
import { mergeLayout, splitLayout } from '../reshape.ts';
import { coolestPair, hottestSplittable, medianPoint } from '../seeds.ts';
import { randInt } from '../rng.ts';
import type { Budget, Rng } from '../types.ts';
import type { PlanContext } from '../context.ts';

export interface GeneticOptions {
  /** Population size. Default 16. */
  readonly population?: number;
  /** Hill-climbing moves per child. Default 40. */
  readonly localMoves?: number;
  /** Tournament size. Default 3. */
  readonly tournament?: number;
}

interface Individual {
  readonly layout: Layout;
  readonly cost: number;
}

/** Node of the partition of `l` that holds bucket `x`. */
function nodeAt(l: Layout, x: number): number {
  const b = l.boundaries;
  let a = 0;
  let c = b.length - 2;
  while (a < c) {
    const m = (a + c + 1) >> 1;
    if (b[m] <= x) a = m;
    else c = m - 1;
  }
  return l.nodes[a];
}

/** Child of `a` below key `x` and `b` from `x` up, with the count repaired to the limits. */
export function crossover(ctx: PlanContext, a: Layout, b: Layout, x: number): Layout {
  const bounds: number[] = [];
  for (const v of a.boundaries) if (v < x) bounds.push(v);
  for (const v of b.boundaries) if (v >= x) bounds.push(v);
  const nodes: number[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) nodes.push(nodeAt(bounds[i] < x ? a : b, bounds[i]));
  let l: Layout = { boundaries: Int32Array.from(bounds), nodes: Int32Array.from(nodes) };
  const want = ctx.fixedK ?? Math.min(ctx.maxPartitions, l.boundaries.length - 1);
  while (l.boundaries.length - 1 > want) l = mergeLayout(ctx, l, coolestPair(ctx, l));
  while (l.boundaries.length - 1 < want) {
    const i = hottestSplittable(ctx, l);
    if (i < 0) break;
    l = splitLayout(ctx, l, i, medianPoint(ctx, l.boundaries[i], l.boundaries[i + 1]), l.nodes[i]);
  }
  return l;
}

/** Population size, hill-climbing moves per child, tournament size (resolved from `GeneticOptions`). */
interface GeneticSettings {
  readonly population: number;
  readonly localMoves: number;
  readonly tournament: number;
}

/** One run: its population, the best individual seen and the iteration count every step shares. */
class GeneticRun {
  it = 0;
  best: Individual;
  pop: Individual[] = [];

  constructor(
    private readonly problem: SearchProblem,
    private readonly rng: Rng,
    private readonly iters: number,
    private readonly settings: GeneticSettings,
  ) {
    const start = bestSeed(problem);
    this.it += problem.seeds.length;
    this.best = { layout: start.state.layout(), cost: start.cost };
  }

  /** Hill-climbs `s` for `n` moves (accepting equal cost, so plateaus are crossed). */
  private climb(s: LayoutState, cost: number, n: number): number {
    for (let t = 0; t < n && this.it < this.iters; t++, this.it++) {
      const undo = randomMove(s, this.rng);
      if (!undo) continue;
      const c = totalCost(this.problem.model, s);
      if (c <= cost) cost = c;
      else undo();
    }
    return cost;
  }

  private keep(s: LayoutState, cost: number): Individual {
    const ind = { layout: s.layout(), cost };
    if (cost < this.best.cost) this.best = ind;
    return ind;
  }

  /** The first population: the seeds, then random walks from them, each climbed a little. */
  seed(): void {
    const { ctx, model, seeds } = this.problem;
    for (const l of seeds) {
      const s = new LayoutState(ctx, l);
      this.pop.push(this.keep(s, totalCost(model, s)));
    }
    for (let t = 0; this.pop.length < this.settings.population && this.it < this.iters; t++) {
      const s = new LayoutState(ctx, seeds[t % seeds.length]);
      const steps = 5 + randInt(this.rng, 40);
      for (let m = 0; m < steps; m++) randomMove(s, this.rng);
      this.it++;
      this.pop.push(this.keep(s, this.climb(s, totalCost(model, s), this.settings.localMoves >> 1)));
    }
  }

  /** A parent by tournament: the cheapest of `tournament` random picks. */
  private pick(): Individual {
    const pop = this.pop;
    let w = pop[randInt(this.rng, pop.length)];
    for (let t = 1; t < this.settings.tournament; t++) {
      const c = pop[randInt(this.rng, pop.length)];
      if (c.cost < w.cost) w = c;
    }
    return w;
  }

  /** The next generation: the two best kept, the rest children of tournament picks crossed over at a random key, each climbed. */
  generation(): void {
    const { ctx, model } = this.problem;
    this.pop.sort((a, b) => a.cost - b.cost);
    const next: Individual[] = this.pop.slice(0, 2);
    while (next.length < this.settings.population && this.it < this.iters) {
      const a = this.pick();
      const b = this.pick();
      const x = 1 + randInt(this.rng, ctx.buckets - 1);
      const s = new LayoutState(ctx, crossover(ctx, a.layout, b.layout, x));
      this.it++;
      next.push(this.keep(s, this.climb(s, totalCost(model, s), this.settings.localMoves)));
    }
    this.pop = next;
  }
}

export function genetic(opts: GeneticOptions = {}): Optimizer {
  const settings: GeneticSettings = {
    population: Math.max(4, opts.population ?? 16),
    localMoves: Math.max(0, opts.localMoves ?? 40),
    tournament: Math.max(1, opts.tournament ?? 3),
  };
  return {
    name: 'genetic',
    optimize(problem: SearchProblem, budget: Budget, rng: Rng): SearchResult {
      const iters = Math.max(1, Math.floor(budget.iterations));
      const stop = stopper(budget);
      let ended: SearchResult['ended'] = 'budget';
      const run = new GeneticRun(problem, rng, iters, settings);
      run.seed();
      while (run.it < iters) {
        if (stop(run.it)) {
          ended = 'stopped';
          break;
        }
        run.generation();
      }
      const cost = totalCost(problem.model, new LayoutState(problem.ctx, run.best.layout));
      return { layout: run.best.layout, cost, iterations: run.it, ended };
    },
  };
}

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

export function genetic(opts: GeneticOptions = {}): Optimizer {
  const P = Math.max(4, opts.population ?? 16);
  const localMoves = Math.max(0, opts.localMoves ?? 40);
  const tour = Math.max(1, opts.tournament ?? 3);
  return {
    name: 'genetic',
    optimize(problem: SearchProblem, budget: Budget, rng: Rng): SearchResult {
      const { ctx, model } = problem;
      const iters = Math.max(1, Math.floor(budget.iterations));
      const stop = stopper(budget);
      let it = 0;
      let ended: SearchResult['ended'] = 'budget';
      const start = bestSeed(problem);
      it += problem.seeds.length;
      let best: Individual = { layout: start.state.layout(), cost: start.cost };

      /** Hill-climbs `s` for `n` moves (accepting equal cost, so plateaus are crossed). */
      const climb = (s: LayoutState, cost: number, n: number): number => {
        for (let t = 0; t < n && it < iters; t++, it++) {
          const undo = randomMove(s, rng);
          if (!undo) continue;
          const c = totalCost(model, s);
          if (c <= cost) cost = c;
          else undo();
        }
        return cost;
      };
      const keep = (s: LayoutState, cost: number): Individual => {
        const ind = { layout: s.layout(), cost };
        if (cost < best.cost) best = ind;
        return ind;
      };

      let pop: Individual[] = [];
      for (const l of problem.seeds) {
        const s = new LayoutState(ctx, l);
        pop.push(keep(s, totalCost(model, s)));
      }
      // Fill the population with random walks from the seeds, each then climbed a little.
      for (let t = 0; pop.length < P && it < iters; t++) {
        const s = new LayoutState(ctx, problem.seeds[t % problem.seeds.length]);
        const steps = 5 + randInt(rng, 40);
        for (let m = 0; m < steps; m++) randomMove(s, rng);
        it++;
        pop.push(keep(s, climb(s, totalCost(model, s), localMoves >> 1)));
      }
      const pick = (): Individual => {
        let w = pop[randInt(rng, pop.length)];
        for (let t = 1; t < tour; t++) {
          const c = pop[randInt(rng, pop.length)];
          if (c.cost < w.cost) w = c;
        }
        return w;
      };
      while (it < iters) {
        if (stop(it)) {
          ended = 'stopped';
          break;
        }
        pop.sort((a, b) => a.cost - b.cost);
        const next: Individual[] = pop.slice(0, 2);
        while (next.length < P && it < iters) {
          const a = pick();
          const b = pick();
          const x = 1 + randInt(rng, ctx.buckets - 1);
          const s = new LayoutState(ctx, crossover(ctx, a.layout, b.layout, x));
          it++;
          next.push(keep(s, climb(s, totalCost(model, s), localMoves)));
        }
        pop = next;
      }
      const cost = totalCost(model, new LayoutState(ctx, best.layout));
      return { layout: best.layout, cost, iterations: it, ended };
    },
  };
}

/**
 * The stages of the `staged` optimizer that work on one layout or one count: which partition
 * counts to try, the least common slack of the per-window caps, the greedy node descent and the
 * boundary line search (see `staged.ts` for how they are put together).
 */
import { feasibleIntervals } from '../capped-cut.ts';
import { totalCost, type CostModel } from '../cost.ts';
import { exactBottleneck } from '../exact.ts';
import type { LayoutState } from '../layout-state.ts';
import type { SearchProblem } from '../optimizer.ts';
import { targetK } from '../seeds.ts';

/** Counts tried besides the target count and the proxy's best, as factors of the target. */
const COUNT_FACTORS = [0.8];

/** Summed weight of the soft terms called `name`. */
export function weightOf(model: CostModel, name: string): number {
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
  // Only nodes that may hold partitions are moved to or from.
  const order: number[] = Array.from({ length: N }, (_, n) => n).filter((n) => ctx.usable[n] === 1);
  let used = 0;
  for (let step = 0; step < 4 * order.length && used < evals; step++) {
    load.fill(0);
    for (let w = 0; w < W; w++) {
      const nl = s.nodeLoads(w);
      for (let n = 0; n < N; n++) load[n] += nl[n];
    }
    order.sort((a, b) => load[a] - load[b] || a - b);
    const hot = order[order.length - 1];
    const cold = order[0];
    if (hot === cold) break;
    let bestI = -1;
    let bestJ = -1;
    let bestN = -1;
    let bestC = cost;
    for (let i = 0; i < s.k && used < evals; i++) {
      if (s.nodes[i] !== hot) continue;
      for (let t = 0; t < Math.min(targets, order.length - 1); t++) {
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
  const N = ctx.usableCount;
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

/**
 * Boundary descent on `s`: each interior boundary in turn is tried one bucket either way and, in
 * the direction that lowers the total cost, moved on with doubling steps while the cost keeps
 * falling (a line search). Between partitions on different nodes a shift hands load from one
 * node to the other at bucket granularity, which is how node loads are evened out without moving
 * whole partitions. Passes repeat while one improved and `evals` last. Returns the cost and the
 * evaluations spent.
 */
export function improveBoundaries(s: LayoutState, model: CostModel, cost: number, evals: number, passes = 3): { cost: number; used: number } {
  let used = 0;
  for (let pass = 0; pass < passes && used < evals; pass++) {
    let improved = false;
    for (let j = 1; j < s.k && used < evals; j++) {
      for (const dir of [1, -1]) {
        let step = 1;
        let moved = false;
        while (used < evals) {
          const old = s.boundaries[j];
          const x = old + dir * step;
          if (x <= s.boundaries[j - 1] || x >= s.boundaries[j + 1]) break;
          s.shiftBoundary(j, x);
          const c = totalCost(model, s);
          used++;
          if (c < cost - 1e-12 * Math.abs(cost)) {
            cost = c;
            moved = true;
            step *= 2;
          } else {
            s.shiftBoundary(j, old);
            break;
          }
        }
        if (moved) {
          improved = true;
          break;
        }
      }
    }
    if (!improved) break;
  }
  return { cost, used };
}

/** The slack at which `base` itself fits every window (nothing needs to shift), relative to each window's exact bottleneck `opt`. */
export function baseSlack(prefix: readonly Float64Array[], boundaries: ArrayLike<number>, k: number, opt: Float64Array): number {
  let top = 0;
  for (let w = 0; w < prefix.length; w++) {
    const p = prefix[w];
    let m = 0;
    for (let i = 0; i < k; i++) m = Math.max(m, p[boundaries[i + 1]] - p[boundaries[i]]);
    if (opt[w] > 0) top = Math.max(top, m / opt[w] - 1);
  }
  return top;
}

/**
 * The least uniform slack s ≤ `top` (to a relative 1/64 of `top`) at which some cut into `k` parts
 * keeps every window under `opt[w] × (1 + s)`: the windows' own optima are rarely met by one cut
 * at once, so the caps worth trying start there. `caps` is scratch.
 */
export function leastSlack(prefix: readonly Float64Array[], opt: Float64Array, k: number, top: number, caps: Float64Array): number {
  if (prefix.length < 2 || !(top > 0)) return 0;
  const fits = (slack: number) => {
    for (let w = 0; w < prefix.length; w++) caps[w] = opt[w] * (1 + slack) * (1 + 1e-12);
    return feasibleIntervals(prefix, caps, k) !== null;
  };
  if (fits(0)) return 0;
  let lo = 0;
  let hi = top;
  for (let r = 0; r < 6; r++) {
    const m = (lo + hi) / 2;
    if (fits(m)) hi = m;
    else lo = m;
  }
  return hi;
}

/**
 * The greedy baseline, Slicer-style: start from the current map and repeatedly take the single
 * change with the best cost reduction per byte moved (even out the hottest partition with a
 * neighbour, re-cut a few partitions around it, move a partition off the busiest node, split the
 * hottest or merge the coolest pair when the count is free), until no change helps. On a plateau
 * (several partitions share the maximum, so no single change lowers the cost) it takes the change
 * that cools the hot partitions most (Σ of squared loads) without raising the cost, which always
 * terminates. It never jumps to a far-away layout, so it moves little and may stop short of the
 * optimum.
 */
import { leastLoaded } from '../context.ts';
import { totalCost } from '../cost.ts';
import { exactCut } from '../exact.ts';
import { LayoutState } from '../layout-state.ts';
import type { Layout } from '../layout.ts';
import { stopper, type Optimizer, type SearchProblem, type SearchResult } from '../optimizer.ts';
import { mergeLayout, splitLayout } from '../reshape.ts';
import { coolestPair, medianPoint } from '../seeds.ts';
import type { Budget, Rng } from '../types.ts';

/** A candidate change: applies itself to a state (returning an undo), or builds a new layout. */
type Candidate = { apply: (s: LayoutState) => (() => void) | null } | { build: (s: LayoutState) => Layout | null };

function evenPoint(prefix: Float64Array, lo: number, hi: number): number {
  const target = (prefix[lo] + prefix[hi]) / 2;
  let a = lo + 1;
  let c = hi - 1;
  while (a < c) {
    const m = (a + c) >> 1;
    if (prefix[m] < target) a = m + 1;
    else c = m;
  }
  return a;
}

/** Even out partition `i` (hottest in a window with prefix `p`) with each neighbour: the shared boundary to the load's midpoint. */
function evenWithNeighbours(s: LayoutState, i: number, p: Float64Array, out: Candidate[]): void {
  for (const j of [i, i + 1]) {
    if (j < 1 || j >= s.k) continue;
    out.push({
      apply: (st) => {
        const lo = st.boundaries[j - 1];
        const hi = st.boundaries[j + 1];
        if (hi - lo < 2) return null;
        const x = evenPoint(p, lo, hi);
        const old = st.boundaries[j];
        if (x === old) return null;
        st.shiftBoundary(j, x);
        return () => st.shiftBoundary(j, old);
      },
    });
  }
}

/** Re-cut the 3, 5, 9 or 17 partitions around partition `i` exactly (by the window's prefix `p`). */
function recutAround(s: LayoutState, i: number, p: Float64Array, out: Candidate[]): void {
  for (const m of [3, 5, 9, 17]) {
    if (s.k < m) continue;
    out.push({
      apply: (st) => {
        const a = Math.max(0, Math.min(st.k - m, i - (m >> 1)));
        const b = st.boundaries;
        const cut = exactCut(p, m, b[a], b[a + m]).boundaries;
        const old = b.slice(a + 1, a + m);
        st.setBoundaries(a + 1, cut.subarray(1, m));
        return () => st.setBoundaries(a + 1, old);
      },
    });
  }
}

/** Partitions of window `w`'s busiest node to its least-loaded node (heaviest few first); returns the least-loaded node. */
function offBusiestNode(s: LayoutState, w: number, out: Candidate[]): number {
  const nl = s.nodeLoads(w);
  let hot = 0;
  for (let n = 1; n < s.ctx.nodeCount; n++) if (nl[n] > nl[hot]) hot = n;
  const cold = leastLoaded(s.ctx, nl);
  const on: number[] = [];
  for (let t = 0; t < s.k; t++) if (s.nodes[t] === hot) on.push(t);
  on.sort((a, b) => s.partitionLoad(w, b) - s.partitionLoad(w, a) || a - b);
  for (const t of on.slice(0, 8)) {
    if (hot === cold) break;
    out.push({
      apply: (st) => {
        const old = st.nodes[t];
        st.setNode(t, cold);
        return () => st.setNode(t, old);
      },
    });
  }
  return cold;
}

/** The candidate changes around each window's hottest partition, then the merge of the coolest pair (when the count is free). */
function candidates(s: LayoutState): Candidate[] {
  const ctx = s.ctx;
  const out: Candidate[] = [];
  const seen = new Set<number>();
  for (let w = 0; w < ctx.windowCount; w++) {
    const i = s.hottestPartition(w);
    if (seen.has(i)) continue;
    seen.add(i);
    evenWithNeighbours(s, i, ctx.prefix[w], out);
    recutAround(s, i, ctx.prefix[w], out);
    const cold = offBusiestNode(s, w, out);
    if (ctx.fixedK === undefined && s.k < ctx.maxPartitions && s.boundaries[i + 1] - s.boundaries[i] >= 2) {
      for (const node of cold === s.nodes[i] ? [cold] : [s.nodes[i], cold]) {
        out.push({
          build: (st) => splitLayout(ctx, { boundaries: st.boundaries, nodes: st.nodes }, i, medianPoint(ctx, st.boundaries[i], st.boundaries[i + 1]), node),
        });
      }
    }
  }
  if (ctx.fixedK === undefined && s.k > 1) {
    out.push({ build: (st) => mergeLayout(ctx, { boundaries: st.boundaries, nodes: st.nodes }, coolestPair(ctx, st)) });
  }
  return out;
}

/** A candidate tried on `s` (and undone): the cost after it, the bytes it moves and how much it cools (`heat0` − heat after); null when it does not apply. */
function tryCandidate(s: LayoutState, cand: Candidate, model: SearchProblem['model'], heat0: number): { c: number; moved: number; cooled: number } | null {
  const before = s.movedBytes;
  if ('apply' in cand) {
    const undo = cand.apply(s);
    if (!undo) return null;
    const c = totalCost(model, s);
    const moved = s.movedBytes - before;
    const cooled = heat0 - heat(s);
    undo();
    return { c, moved, cooled };
  }
  const l = cand.build(s);
  if (!l) return null;
  const ns = new LayoutState(s.ctx, l, undefined, true);
  return { c: totalCost(model, ns), moved: ns.movedBytes - before, cooled: heat0 - heat(ns) };
}

/** `s` with the chosen candidate applied: `s` itself changed in place, or a new state for a built layout. */
function applyCandidate(s: LayoutState, cand: Candidate): LayoutState {
  if (!('apply' in cand)) return new LayoutState(s.ctx, cand.build(s)!, undefined, true);
  cand.apply(s);
  return s;
}

/** Σ over windows of Σ squared partition loads, normalised by the squared total. */
function heat(s: LayoutState): number {
  let h = 0;
  for (let w = 0; w < s.ctx.windowCount; w++) {
    const t = s.ctx.totals[w];
    if (t > 0) h += s.sumSquares(w) / (t * t);
  }
  return h;
}

export function greedy(): Optimizer {
  return {
    name: 'greedy',
    optimize(problem: SearchProblem, budget: Budget, _rng: Rng): SearchResult {
      const { ctx, model } = problem;
      // The first seed is the current map made feasible (see seedLayouts): greedy starts there.
      let s = new LayoutState(ctx, problem.seeds[0], undefined, true);
      let cost = totalCost(model, s);
      const total = Math.max(ctx.totalState, 1e-12);
      const iters = Math.max(1, Math.floor(budget.iterations));
      const stop = stopper(budget);
      let it = 0;
      let ended: SearchResult['ended'] = 'converged';
      outer: for (;;) {
        let bestScore = 0;
        let bestPick: { cand: Candidate; cost: number } | undefined;
        let flatScore = 0;
        let flatPick: Candidate | undefined;
        const heat0 = heat(s);
        for (const cand of candidates(s)) {
          if (it >= iters) {
            ended = 'budget';
            break outer;
          }
          if (stop(it)) {
            ended = 'stopped';
            break outer;
          }
          it++;
          const tried = tryCandidate(s, cand, model, heat0);
          if (!tried) continue;
          const { c, moved, cooled } = tried;
          const perByte = Math.max(0, moved) / total + 0.01;
          const gain = cost - c;
          if (gain > 1e-12 * Math.max(1, cost)) {
            // Best reduction per byte moved; changes that move nothing count as 1% of all state.
            const score = gain / perByte;
            if (score > bestScore) {
              bestScore = score;
              bestPick = { cand, cost: c };
            }
          } else if (gain >= -1e-12 * Math.max(1, cost) && cooled > 1e-9 * heat0) {
            const score = cooled / perByte;
            if (score > flatScore) {
              flatScore = score;
              flatPick = cand;
            }
          }
        }
        if (!bestPick && flatPick) bestPick = { cand: flatPick, cost };
        if (!bestPick) break;
        s = applyCandidate(s, bestPick.cand);
        cost = totalCost(model, s);
      }
      const layout = s.layout();
      return { layout, cost: totalCost(model, new LayoutState(ctx, layout)), iterations: it, ended };
    },
  };
}

/**
 * The neighbourhood the searches explore, as moves on a `LayoutState` that return their own undo.
 * Most of them target what matters: the hottest partition of some window (shift its boundary
 * toward an equal split with its neighbour, or re-cut a run of partitions around it exactly),
 * the current boundaries (snap back to one, so nothing moves), and node placement (home node,
 * least-loaded node, swaps). Blind random shifts keep the search from getting stuck.
 */
import { exactCut } from './exact.ts';
import { homeNode, leastLoaded } from './context.ts';
import type { LayoutState } from './layout-state.ts';
import { randInt } from './rng.ts';
import type { Rng } from './types.ts';

/** Reverts a move. */
export type Undo = () => void;
/** A move: applies itself and returns its undo, or null when it does not apply. */
export type Move = (s: LayoutState, rng: Rng) => Undo | null;

function shiftUndo(s: LayoutState, j: number, x: number): Undo | null {
  const old = s.boundaries[j];
  if (x === old) return null;
  s.shiftBoundary(j, x);
  return () => s.shiftBoundary(j, old);
}

/** Position in (lo, hi) splitting `prefix` over [lo, hi) most evenly. */
function evenPoint(prefix: Float64Array, lo: number, hi: number): number {
  const target = (prefix[lo] + prefix[hi]) / 2;
  let a = lo + 1;
  let c = hi - 1;
  while (a < c) {
    const m = (a + c) >> 1;
    if (prefix[m] < target) a = m + 1;
    else c = m;
  }
  if (a > lo + 1 && target - prefix[a - 1] < prefix[a] - target) return a - 1;
  return a;
}

/** Shrinks the hottest partition of a random window toward an even split with one neighbour. */
export const hotShift: Move = (s, rng) => {
  const k = s.k;
  if (k < 2) return null;
  const ctx = s.ctx;
  const w = randInt(rng, ctx.windowCount);
  const i = s.hottestPartition(w);
  const left = i > 0 && (i + 1 >= k || rng.next() < 0.5);
  const j = left ? i : i + 1;
  const b = s.boundaries;
  const lo = b[j - 1];
  const hi = b[j + 1];
  if (hi - lo < 2) return null;
  const even = evenPoint(ctx.prefix[w], lo, hi);
  const old = b[j];
  let x = even;
  if (rng.next() < 0.5) x = old + Math.round((even - old) * rng.next());
  x = Math.min(hi - 1, Math.max(lo + 1, x));
  return shiftUndo(s, j, x);
};

/**
 * Exact cuts already computed, per prefix array (a context's windows live as long as the search):
 * an annealing run proposes the same re-cut again and again while the layout around the hottest
 * partition stays put, and the cut is a pure function of (prefix, m, lo, hi).
 */
const cutMemo = new WeakMap<Float64Array, Map<number, Int32Array>>();
function memoCut(prefix: Float64Array, m: number, lo: number, hi: number): Int32Array {
  let memo = cutMemo.get(prefix);
  if (!memo) cutMemo.set(prefix, (memo = new Map()));
  const n = prefix.length;
  const key = (m * n + lo) * n + hi;
  let cut = memo.get(key);
  if (!cut) {
    if (memo.size >= 4096) memo.clear();
    cut = exactCut(prefix, m, lo, hi).boundaries;
    memo.set(key, cut);
  }
  return cut;
}

/** Re-cuts a run of 2–8 partitions around the hottest one with the exact min-max cut. */
export const windowRecut: Move = (s, rng) => {
  const k = s.k;
  if (k < 2) return null;
  const ctx = s.ctx;
  const w = randInt(rng, ctx.windowCount);
  const i = s.hottestPartition(w);
  const m = 2 + randInt(rng, Math.min(7, k - 1));
  const a = Math.max(0, Math.min(k - m, i - randInt(rng, m)));
  const b = s.boundaries;
  const prefix = ctx.windowCount > 1 && rng.next() < 0.5 ? ctx.meanPrefix : ctx.prefix[w];
  const cut = memoCut(prefix, m, b[a], b[a + m]);
  let same = true;
  for (let t = 1; t < m; t++) if (cut[t] !== b[a + t]) same = false;
  if (same) return null;
  const old = b.slice(a + 1, a + m);
  s.setBoundaries(a + 1, cut.subarray(1, m));
  return () => s.setBoundaries(a + 1, old);
};

/** Moves a random interior boundary by a random, mostly small, step. */
export const randomShift: Move = (s, rng) => {
  const k = s.k;
  if (k < 2) return null;
  const j = 1 + randInt(rng, k - 1);
  const b = s.boundaries;
  const lo = b[j - 1] + 1;
  const hi = b[j + 1] - 1;
  if (lo > hi) return null;
  const u = rng.next();
  const step = Math.max(1, Math.round((hi - lo) * u * u * u));
  const x = Math.min(hi, Math.max(lo, b[j] + (rng.next() < 0.5 ? -step : step)));
  return shiftUndo(s, j, x);
};

/** Snaps a random interior boundary to the nearest current boundary between its neighbours. */
export const snapShift: Move = (s, rng) => {
  const k = s.k;
  if (k < 2) return null;
  const j = 1 + randInt(rng, k - 1);
  const b = s.boundaries;
  const bb = s.ctx.beforeBounds;
  const x = b[j];
  // First current boundary ≥ x.
  let a = 0;
  let c = bb.length - 1;
  while (a < c) {
    const m = (a + c) >> 1;
    if (bb[m] < x) a = m + 1;
    else c = m;
  }
  // The nearest of the two candidates (the first current boundary past x, the last before it)
  // strictly between the neighbours; the first wins a tie.
  const y1 = bb[a] === x ? bb[a + 1] : bb[a];
  const y2 = a > 0 ? bb[a - 1] : -1;
  const lo = b[j - 1];
  const hi = b[j + 1];
  let best = y1 !== undefined && y1 > lo && y1 < hi && y1 !== x ? y1 : -1;
  if (y2 > lo && y2 < hi && y2 !== x && (best < 0 || Math.abs(y2 - x) < Math.abs(best - x))) best = y2;
  return best < 0 ? null : shiftUndo(s, j, best);
};

function leastLoadedNode(s: LayoutState, w: number): number {
  return leastLoaded(s.ctx, s.nodeLoads(w));
}

/** The partitions on the busiest node, as `nodeMove` collects them (a scratch buffer: no allocation per move). */
let onHot = new Int32Array(64);

/** Puts one partition (often one on the busiest node) on its home, the least-loaded or a random node. */
export const nodeMove: Move = (s, rng) => {
  const ctx = s.ctx;
  const N = ctx.nodeCount;
  const k = s.k;
  const w = randInt(rng, ctx.windowCount);
  let i = randInt(rng, k);
  if (rng.next() < 0.5) {
    const nl = s.nodeLoads(w);
    let hot = 0;
    for (let n = 1; n < nl.length; n++) if (nl[n] > nl[hot]) hot = n;
    if (onHot.length < k) onHot = new Int32Array(2 * k);
    let m = 0;
    for (let t = 0; t < k; t++) if (s.nodes[t] === hot) onHot[m++] = t;
    if (m > 0) i = onHot[randInt(rng, m)];
  }
  const r = rng.next();
  let n: number;
  if (r < 1 / 3) n = homeNode(ctx, s.boundaries[i], s.boundaries[i + 1]);
  else if (r < 2 / 3) n = leastLoadedNode(s, w);
  else n = randInt(rng, N);
  if (n < 0 || n >= N || ctx.usable[n] !== 1) n = leastLoadedNode(s, w);
  const old = s.nodes[i];
  if (n === old) return null;
  s.setNode(i, n);
  return () => s.setNode(i, old);
};

/** Swaps the nodes of two partitions. */
export const nodeSwap: Move = (s, rng) => {
  const k = s.k;
  if (k < 2) return null;
  const i = randInt(rng, k);
  const j = randInt(rng, k);
  const ni = s.nodes[i];
  const nj = s.nodes[j];
  if (ni === nj) return null;
  s.setNode(i, nj);
  s.setNode(j, ni);
  return () => {
    s.setNode(j, nj);
    s.setNode(i, ni);
  };
};

/** The default mix of fixed-count moves, with their probabilities. */
export const MOVE_MIX: readonly (readonly [Move, number])[] = [
  [hotShift, 0.25],
  [windowRecut, 0.15],
  [randomShift, 0.15],
  [snapShift, 0.15],
  [nodeMove, 0.2],
  [nodeSwap, 0.1],
];

/** Applies one move drawn from `mix`; null when the drawn move did not apply. */
export function randomMove(s: LayoutState, rng: Rng, mix: readonly (readonly [Move, number])[] = MOVE_MIX): Undo | null {
  let r = rng.next();
  for (const [m, p] of mix) {
    if (r < p) return m(s, rng);
    r -= p;
  }
  return mix[mix.length - 1][0](s, rng);
}

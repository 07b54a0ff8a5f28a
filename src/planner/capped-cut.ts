/**
 * The exact first stage of the `staged` optimizer: among all cuts of the key space into `k`
 * contiguous parts whose load stays under a cap in every search window, the one whose boundary
 * shifts cost least. With order-preserving ownership (part i keeps the node of the base layout's
 * part i), what a re-cut moves decomposes per boundary: shifting boundary i from `b_i` to `x`
 * hands the buckets in between from part i − 1 to part i (or back), which moves their state when
 * the two parts sit on different nodes and costs a split and a merge pause. So the problem is a
 * DP over boundary positions, and because the earliest feasible predecessor of a position only
 * grows with it, each step is a sliding-window minimum over the previous boundary's feasible
 * interval: O(W · Σ interval widths) per cap, far below O(kB) when the cap is tight.
 */
import type { PlanContext } from './context.ts';

/** Feasible positions of each boundary under per-window caps (`lo[i] … hi[i]`, i = 0 … k), or null. */
export function feasibleIntervals(prefixes: readonly Float64Array[], caps: Float64Array, k: number): { lo: Int32Array; hi: Int32Array } | null {
  const B = prefixes[0].length - 1;
  if (k < 1 || k > B) return null;
  const W = prefixes.length;
  const hi = new Int32Array(k + 1);
  const lo = new Int32Array(k + 1);
  // Forward: the farthest each boundary can reach with every earlier part under its caps.
  for (let i = 1; i <= k; i++) {
    const y = hi[i - 1];
    let r = B;
    for (let w = 0; w < W && r > y; w++) {
      const p = prefixes[w];
      const limit = p[y] + caps[w];
      // Largest x in [y, r] with p[x] ≤ limit.
      let a = y;
      let c = r;
      while (a < c) {
        const m = (a + c + 1) >> 1;
        if (p[m] <= limit) a = m;
        else c = m - 1;
      }
      r = a;
    }
    if (r <= y) return null;
    hi[i] = Math.min(r, B - (k - i));
  }
  if (hi[k] < B) return null;
  // Backward: the nearest each boundary can sit with every later part under its caps.
  lo[k] = B;
  for (let i = k - 1; i >= 0; i--) {
    const x = lo[i + 1];
    let l = 0;
    for (let w = 0; w < W && l < x; w++) {
      const p = prefixes[w];
      const need = p[x] - caps[w];
      // Smallest y in [l, x] with p[y] ≥ need.
      let a = l;
      let c = x;
      while (a < c) {
        const m = (a + c) >> 1;
        if (p[m] < need) a = m + 1;
        else c = m;
      }
      l = a;
    }
    if (l >= x) return null;
    lo[i] = Math.max(l, i);
  }
  lo[0] = 0;
  hi[0] = 0;
  for (let i = 0; i <= k; i++) if (lo[i] > hi[i]) return null;
  return { lo, hi };
}

/**
 * The cheapest cut of `[0, B)` into `k` parts under `caps[w]` in every window `prefixes[w]`,
 * where placing boundary i (1 … k − 1) at x costs `cost(i, x)`. Returns the `k + 1` boundaries,
 * or null when no cut fits the caps. Ties go to the leftmost predecessor (deterministic).
 *
 * size-ok: one DP kernel (per boundary, a sliding-window minimum over a monotone deque with one
 * pointer per window, on flat scratch); its loop state is shared by every line of it, and split
 * into functions it would be passed around on every position of the hot loop.
 */
export function cheapestCappedCut(
  prefixes: readonly Float64Array[],
  caps: Float64Array,
  k: number,
  cost: (i: number, x: number) => number,
  band?: { readonly around: Int32Array; readonly radius: number },
  intervals?: { lo: Int32Array; hi: Int32Array },
): Int32Array | null {
  const iv = intervals ?? feasibleIntervals(prefixes, caps, k);
  if (!iv) return null;
  const { lo, hi } = iv;
  if (band) {
    for (let i = 1; i < k; i++) {
      lo[i] = Math.max(lo[i], band.around[i] - band.radius);
      hi[i] = Math.min(hi[i], band.around[i] + band.radius);
      if (lo[i] > hi[i]) return null;
    }
  }
  const B = prefixes[0].length - 1;
  const W = prefixes.length;
  // f and arg of boundary i over positions lo[i] … hi[i], flat at off[i] … off[i + 1] − 1.
  const off = new Int32Array(k + 2);
  for (let i = 0; i <= k; i++) off[i + 1] = off[i] + hi[i] - lo[i] + 1;
  const total = off[k + 1];
  if (fBuf.length < total) {
    fBuf = new Float64Array(2 * total);
    argBuf = new Int32Array(2 * total);
  }
  if (dqBuf.length < B + 1) dqBuf = new Int32Array(B + 1);
  const f = fBuf;
  const arg = argBuf;
  const dq = dqBuf;
  f[0] = 0;
  arg[0] = -1;
  const ptr = new Int32Array(W);
  for (let i = 1; i <= k; i++) {
    const l0 = lo[i - 1];
    const h0 = hi[i - 1];
    const prev = off[i - 1] - l0; // f[prev + y] is boundary i − 1's value at position y
    const here = off[i] - lo[i];
    ptr.fill(l0);
    let head = 0;
    let tail = 0;
    let next = l0; // next predecessor position to push into the deque
    let all = true;
    for (let x = lo[i]; x <= hi[i]; x++) {
      // Earliest feasible predecessor: every window's part [y, x) under its cap.
      let from = l0;
      for (let w = 0; w < W; w++) {
        const p = prefixes[w];
        let y = ptr[w];
        const need = p[x] - caps[w];
        while (y < x && p[y] < need) y++;
        ptr[w] = y;
        if (y > from) from = y;
      }
      const upto = Math.min(x - 1, h0);
      while (next <= upto) {
        const v = f[prev + next];
        while (tail > head && f[prev + dq[tail - 1]] > v) tail--;
        dq[tail++] = next++;
      }
      while (tail > head && dq[head] < from) head++;
      if (tail === head) {
        f[here + x] = Infinity;
        arg[here + x] = -1;
        continue;
      }
      all = false;
      const y = dq[head];
      f[here + x] = f[prev + y] + (i < k ? cost(i, x) : 0);
      arg[here + x] = y;
    }
    if (all) return null;
  }
  if (!(f[off[k]] < Infinity)) return null;
  const b = new Int32Array(k + 1);
  b[k] = B;
  for (let i = k; i >= 1; i--) b[i - 1] = arg[off[i] - lo[i] + b[i]];
  return b;
}

/** Scratch of the DP (grown on demand; the DP is synchronous, so one set serves every call). */
let fBuf = new Float64Array(1024);
let argBuf = new Int32Array(1024);
let dqBuf = new Int32Array(1024);

/**
 * True when some cut keeps every boundary i within `radius` of `base[i]`, inside its feasible
 * interval, with every part under its caps: a forward pass keeps the reachable positions of each
 * boundary, which form an interval (the farthest one: as far as the previous farthest reaches).
 */
function fitsNear(prefixes: readonly Float64Array[], caps: Float64Array, lo: Int32Array, hi: Int32Array, base: Int32Array, radius: number): boolean {
  const k = base.length - 1;
  const B = prefixes[0].length - 1;
  const W = prefixes.length;
  let farthest = 0;
  let nearest = 0;
  for (let i = 1; i <= k; i++) {
    const L = i < k ? Math.max(lo[i], base[i] - radius) : B;
    const H = i < k ? Math.min(hi[i], base[i] + radius) : B;
    let r = H;
    for (let w = 0; w < W && r > farthest; w++) {
      const p = prefixes[w];
      const limit = p[farthest] + caps[w];
      let a = farthest;
      let c = r;
      while (a < c) {
        const m = (a + c + 1) >> 1;
        if (p[m] <= limit) a = m;
        else c = m - 1;
      }
      r = a;
    }
    const low = Math.max(L, nearest + 1);
    if (r < low) return false;
    farthest = r;
    nearest = low;
  }
  return farthest === B;
}

/**
 * `cheapestCappedCut` with every boundary kept within a radius of its base position: the least
 * power of two from `radius0` at which a cut fits (found with the cheap `fitsNear` test), times
 * `room` (a wider band lets the DP trade a longer shift here for a shorter one there). Costs grow with the distance a boundary shifts, so the cheapest cut is usually
 * near the base, and the band keeps the DP's work near O(W · k · radius). Null when no cut fits
 * within `maxRadius`.
 */
export function cheapestCutNear(
  prefixes: readonly Float64Array[],
  caps: Float64Array,
  base: Int32Array,
  cost: (i: number, x: number) => number,
  radius0 = 8,
  maxRadius = Infinity,
  room = 2,
): Int32Array | null {
  const k = base.length - 1;
  const B = prefixes[0].length - 1;
  const iv = feasibleIntervals(prefixes, caps, k);
  if (!iv) return null;
  let r = Math.max(1, radius0);
  while (!fitsNear(prefixes, caps, iv.lo, iv.hi, base, r)) {
    r *= 2;
    if (r > maxRadius || r > 2 * B) return null;
  }
  r *= room;
  if (r >= B) return cheapestCappedCut(prefixes, caps, k, cost, undefined, iv);
  return cheapestCappedCut(prefixes, caps, k, cost, { around: base, radius: r }, iv);
}

/**
 * What shifting the base layout's boundary i to x costs under the model's movement and latency
 * weights: the state bytes handed between parts i − 1 and i when their nodes differ (as a share
 * of all state, like the `movement` term), their moved load's pause, and the split and merge
 * pauses of a new boundary (like the `latency` term). Zero at the base boundary itself.
 */
export function shiftCost(ctx: PlanContext, base: Int32Array, nodes: Int32Array, wMove: number, wLatency: number): (i: number, x: number) => number {
  const sp = ctx.statePrefix;
  const mp = ctx.meanPrefix;
  const byteScale = ctx.totalState > 0 ? wMove / ctx.totalState : 0;
  const loadScale = wLatency * ctx.movePenaltyPerLoad;
  return (i, x) => {
    const b = base[i];
    if (x === b) return 0;
    let c = 0;
    if (nodes[i - 1] !== nodes[i]) {
      const a = Math.min(b, x);
      const z = Math.max(b, x);
      c += byteScale * (sp[z] - sp[a]) + loadScale * (mp[z] - mp[a]);
    }
    const mergeB = ctx.isBeforeBoundary[b] ? ctx.mergePenalty[b] : 0;
    const splitX = ctx.isBeforeBoundary[x] ? -ctx.mergePenalty[x] : ctx.splitPenalty[x];
    return c + wLatency * (mergeB + splitX);
  };
}

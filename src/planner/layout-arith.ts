/**
 * The arithmetic a layout's aggregates share (`LayoutState` and the reshape estimate): node loads
 * with their tracked maximum, the penalty of a boundary, the moved bytes and load of a range that
 * changes node, and the scratch of a batch of boundary shifts. Each sum keeps one order, so
 * states that make the same changes round the same way.
 */
import type { PlanContext } from './context.ts';

/** max(0, largest value): the scan the node terms make. */
export function scanMax(a: Float64Array): number {
  let m = 0;
  for (let n = 0; n < a.length; n++) if (a[n] > m) m = a[n];
  return m;
}

/**
 * `load[n] += d` (the same rounding), keeping `max[w]` the largest load unless `dirty[w]`: a load
 * above it becomes it, the largest one falling marks the window dirty.
 */
export function nodeAdd(load: Float64Array, max: Float64Array, dirty: Uint8Array, w: number, n: number, d: number): void {
  const o = load[n];
  const v = o + d;
  load[n] = v;
  if (v > max[w]) max[w] = v;
  else if (v < o && o === max[w]) dirty[w] = 1;
}

/** Change in the operation penalty when a layout has a boundary at `x` (vs not): a split, or a merge avoided. */
export function boundaryTerm(ctx: PlanContext, x: number): number {
  return ctx.isBeforeBoundary[x] ? -ctx.mergePenalty[x] : ctx.splitPenalty[x];
}

/** `moveDelta`'s result: [change in moved bytes, change in moved load]. */
const delta = new Float64Array(2);

/**
 * What buckets `[lo, hi)` changing node from `from` to `to` changes in moved bytes and load:
 * what is off `to` minus what was off `from` (`offNode` for both prefixes and both nodes in one
 * walk over the current partitions, each sum in the same order), into `delta` (read at once).
 */
export function moveDelta(ctx: PlanContext, lo: number, hi: number, to: number, from: number): Float64Array {
  let bytesTo = 0;
  let bytesFrom = 0;
  let loadTo = 0;
  let loadFrom = 0;
  if (lo < hi) {
    const bb = ctx.beforeBounds;
    const bn = ctx.beforeNodes;
    const sp = ctx.statePrefix;
    const mp = ctx.meanPrefix;
    for (let p = ctx.beforeOwner[lo]; p < bn.length && bb[p] < hi; p++) {
      const a = Math.max(lo, bb[p]);
      const z = Math.min(hi, bb[p + 1]);
      const ds = sp[z] - sp[a];
      const dm = mp[z] - mp[a];
      if (bn[p] !== to) {
        bytesTo += ds;
        loadTo += dm;
      }
      if (bn[p] !== from) {
        bytesFrom += ds;
        loadFrom += dm;
      }
    }
  }
  delta[0] = bytesTo - bytesFrom;
  delta[1] = loadTo - loadFrom;
  return delta;
}

/**
 * Buckets `[lo, hi)` owned by node `to` in a layout: `sign` × the state bytes that reach it from
 * other nodes, added to each sending node's and to `to`'s entry of `through` (what each node sends
 * or receives; a transfer takes serving capacity on both ends).
 */
export function addThrough(ctx: PlanContext, lo: number, hi: number, to: number, sign: number, through: Float64Array): void {
  const bb = ctx.beforeBounds;
  const bn = ctx.beforeNodes;
  const sp = ctx.statePrefix;
  let moved = 0;
  for (let p = ctx.beforeOwner[lo]; lo < hi && p < bn.length && bb[p] < hi; p++) {
    if (bn[p] === to) continue;
    const ds = sign * (sp[Math.min(hi, bb[p + 1])] - sp[Math.max(lo, bb[p])]);
    through[bn[p]] += ds;
    moved += ds;
  }
  through[to] += moved;
}

/**
 * The scratch of a batch of boundary shifts (`LayoutState.applyShifts`): per shift the boundary
 * `j` and its new position `x`, then the moved range `[lo, hi)` and the partitions that gain and
 * lose it. Grown by `growShifts`; read through this object (its arrays may be replaced).
 */
export const shifts = {
  j: new Int32Array(64),
  x: new Int32Array(64),
  lo: new Int32Array(64),
  hi: new Int32Array(64),
  gain: new Int32Array(64),
  lose: new Int32Array(64),
};

/** Room for at least `n` shifts (what is there is kept). */
export function growShifts(n: number): void {
  if (shifts.j.length >= n) return;
  const grow = (a: Int32Array) => {
    const g = new Int32Array(2 * n);
    g.set(a);
    return g;
  };
  shifts.j = grow(shifts.j);
  shifts.x = grow(shifts.x);
  shifts.lo = grow(shifts.lo);
  shifts.hi = grow(shifts.hi);
  shifts.gain = grow(shifts.gain);
  shifts.lose = grow(shifts.lose);
}

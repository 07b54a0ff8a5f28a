/**
 * The drift model of the key distribution: a hot spot that travels along the key space (a daily
 * peak following the sun, a band of fresh keys) is forecast by moving it, not by re-weighting
 * fixed ranges. Shares = a static baseline (each micro-group's lowest block share over the last
 * primary season) + the moving part (recent shares above the baseline) translated at the velocity
 * that best maps the moving part of one block ago onto now's (circular cross-correlation, refined
 * to a fraction of a group by a parabola through the best shift and its neighbours).
 */
import type { GroupHistory } from './group-history.ts';

/** A drift forecast: the micro-group shares at forecast step k (window index closed + k), written into `out` and returned. */
export type DriftPicture = (k: number, out: Float64Array) => Float64Array;

/** Below this share of moving mass there is nothing to translate. */
const MIN_MOVING_MASS = 0.05;

/**
 * A ring of the micro-group shares of the last `capacity` closed blocks of `blockWindows` windows
 * each (one primary season of blocks), the drift model's baseline.
 */
export class BlockShares {
  private readonly shares: Float64Array;
  private readonly open: Float64Array;
  private openWindows = 0;
  private closedBlocks = 0;

  constructor(
    readonly groups: number,
    readonly blockWindows: number,
    readonly capacity: number,
  ) {
    this.shares = new Float64Array(capacity * groups);
    this.open = new Float64Array(groups);
  }

  /** Adds closed window `w` of `history` into the open block; closes the block every `blockWindows` windows. */
  add(history: GroupHistory, w: number): void {
    history.addMean(this.open, 0, this.groups, w, w);
    if (++this.openWindows < this.blockWindows) return;
    let t = 0;
    for (let g = 0; g < this.groups; g++) t += this.open[g];
    const row = (this.closedBlocks % this.capacity) * this.groups;
    for (let g = 0; g < this.groups; g++) this.shares[row + g] = t > 0 ? this.open[g] / t : 1 / this.groups;
    this.closedBlocks++;
    this.open.fill(0);
    this.openWindows = 0;
  }

  /** Each group's lowest share over the ring; null until the ring is full. */
  baseline(): Float64Array | null {
    if (this.closedBlocks < this.capacity) return null;
    const base = new Float64Array(this.groups).fill(Infinity);
    for (let i = 0; i < this.capacity; i++) for (let g = 0; g < this.groups; g++) base[g] = Math.min(base[g], this.shares[i * this.groups + g]);
    return base;
  }
}

/**
 * Fits the drift picture from the baseline and the group shares now and `lagWindows` earlier
 * (each the mean of `recentWindows` windows ending one window before step 0 and `lagWindows`
 * before that). Null when the moving part carries less than 5 % of the load.
 */
export function fitDrift(base: Float64Array, now: Float64Array, then: Float64Array, lagWindows: number, recentWindows: number): DriftPicture | null {
  const groups = base.length;
  const movingNow = new Float64Array(groups);
  const movingThen = new Float64Array(groups);
  let mass = 0;
  for (let g = 0; g < groups; g++) {
    movingNow[g] = Math.max(0, now[g] - base[g]);
    movingThen[g] = Math.max(0, then[g] - base[g]);
    mass += movingNow[g];
  }
  if (mass < MIN_MOVING_MASS) return null;
  const shift = bestShift(movingNow, movingThen, Math.max(2, Math.floor(groups / 8)));
  const groupsPerWindow = shift / lagWindows;
  const centre = (recentWindows - 1) / 2 + 1; // the recent shares are centred this many windows before step 0
  return (k, out) => {
    const d = groupsPerWindow * (k + centre);
    const di = Math.floor(d);
    const fr = d - di;
    let t = 0;
    for (let g = 0; g < groups; g++) {
      const a = movingNow[wrap(g - di, groups)];
      const b = movingNow[wrap(g - di - 1, groups)];
      out[g] = base[g] + (1 - fr) * a + fr * b;
      t += out[g];
    }
    for (let g = 0; g < groups; g++) out[g] /= t;
    return out;
  };
}

/**
 * The circular shift in `-maxShift..maxShift` groups that best maps `then` onto `now` (largest
 * cross-correlation; the first of equals), refined between its neighbours by a parabola.
 */
export function bestShift(now: Float64Array, then: Float64Array, maxShift: number): number {
  const groups = now.length;
  const corr = (sh: number) => {
    let c = 0;
    for (let g = 0; g < groups; g++) c += now[g] * then[wrap(g - sh, groups)];
    return c;
  };
  let best = 0;
  let bestC = -Infinity;
  const cs = new Map<number, number>();
  for (let sh = -maxShift; sh <= maxShift; sh++) {
    const c = corr(sh);
    cs.set(sh, c);
    if (c > bestC) {
      bestC = c;
      best = sh;
    }
  }
  let shift = best;
  const cm = cs.get(best - 1);
  const cp = cs.get(best + 1);
  if (cm !== undefined && cp !== undefined) {
    const den = cm - 2 * bestC + cp;
    if (den < 0) shift += (0.5 * (cm - cp)) / den;
  }
  return shift;
}

function wrap(i: number, n: number): number {
  return ((i % n) + n) % n;
}

/**
 * The drift picture from `history`: the blocks' baseline, the shares of the last `recent` windows
 * and of those `lag` windows earlier; null before a season of blocks or when nothing moves.
 */
export function driftPictureOf(blocks: BlockShares, history: GroupHistory, lag: number, recent: number): DriftPicture | null {
  const base = blocks.baseline();
  if (!base) return null;
  const closed = history.closed;
  const now = history.sharesOf(closed - recent, closed - 1);
  const then = history.sharesOf(closed - lag - recent, closed - lag - 1);
  if (!now || !then) return null;
  return fitDrift(base, now, then, lag, recent);
}

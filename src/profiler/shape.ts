/**
 * Shape candidates: how a range's forecast load is spread over its micro-groups. `recent` = as in
 * the last few windows (a persistence forecast of the shape); `seasonal` = as one primary season
 * before the forecast window (a moving hot spot that repeats daily is exactly there). Each range
 * scores both on every closed window at a near and a far lead (the total-variation distance to
 * the shape observed, exponentially weighted) and uses, per lead, the one that scored better.
 */
import type { GroupHistory } from './group-history.ts';

export const SHAPES = ['recent', 'seasonal'] as const;
export type Shape = (typeof SHAPES)[number];

/** Weight of the newest window in a candidate's smoothed error. */
const ALPHA = 0.05;

/** What the candidates are built from. */
export interface ShapeSettings {
  /** Windows the `recent` shape averages. */
  readonly recentWindows: number;
  /** Windows in one primary season (undefined: no season, so no `seasonal` candidate). */
  readonly seasonWindows: number | undefined;
  /** The near and the far lead (windows) the candidates are scored at; near < far. */
  readonly leads: readonly [number, number];
}

/**
 * Candidate `shape` for window `w` as forecast at `lead` (window w − lead − 1 being the last it
 * could see): the groups `g0..g1`'s loads written into `out` (indexed from g0); null when the
 * history does not reach back far enough.
 */
export function shapeCandidate(history: GroupHistory, g0: number, g1: number, shape: Shape, w: number, lead: number, settings: ShapeSettings, out: Float64Array): Float64Array | null {
  out.fill(0);
  if (shape === 'recent') {
    const last = w - lead - 1;
    return history.addMean(out, g0, g1, last - settings.recentWindows + 1, last) ? out : null;
  }
  const m = settings.seasonWindows;
  // one season back, ±1 window to smooth counting noise; it must be older than the origin
  if (!m || w - m + 1 > w - lead - 1) return null;
  return history.addMean(out, g0, g1, w - m - 1, w - m + 1) ? out : null;
}

/**
 * The group shape range `s` uses at step `k` of a forecast made with `closed` windows closed (its
 * chosen candidate). The recent shape is the same at every step (the mean of the last windows), so
 * it is computed once a forecast and kept in `recent[i]`; a seasonal one is written into `buf`.
 */
export function rangeShape(
  history: GroupHistory,
  s: { readonly g0: number; readonly g1: number; readonly shapes: ShapeScores },
  k: number,
  closed: number,
  settings: ShapeSettings,
  recent: (Float64Array | null | undefined)[],
  i: number,
  buf: Float64Array,
): Float64Array | null {
  const shape = s.shapes.choose(k, settings.leads);
  if (shape !== 'recent') return shapeCandidate(history, s.g0, s.g1, shape, closed + k, k, settings, buf.subarray(0, s.g1 - s.g0));
  if (recent[i] === undefined) recent[i] = shapeCandidate(history, s.g0, s.g1, shape, closed + k, k, settings, new Float64Array(s.g1 - s.g0));
  return recent[i];
}

/** One range's backtest of the shape candidates. */
export class ShapeScores {
  /** Error of candidate c at lead l (0 near, 1 far) at index 2c + l; NaN until scored. */
  readonly error = new Float64Array(2 * SHAPES.length).fill(NaN);

  /** Scratch for `score`: the window's group loads and a candidate's. */
  private readonly actual: Float64Array;
  private readonly cand: Float64Array;

  constructor(
    readonly g0: number,
    readonly g1: number,
  ) {
    this.actual = new Float64Array(g1 - g0);
    this.cand = new Float64Array(g1 - g0);
  }

  /** Scores every candidate at both leads on the closed window `w` (skipped if it carried no load). */
  score(history: GroupHistory, w: number, settings: ShapeSettings): void {
    const n = this.g1 - this.g0;
    const actual = this.actual.fill(0);
    if (!history.addMean(actual, this.g0, this.g1, w, w)) return;
    let at = 0;
    for (let g = 0; g < n; g++) at += actual[g];
    if (at <= 0) return;
    const cand = this.cand;
    for (let c = 0; c < SHAPES.length; c++) {
      for (let l = 0; l < 2; l++) {
        const shaped = shapeCandidate(history, this.g0, this.g1, SHAPES[c], w, settings.leads[l], settings, cand);
        if (!shaped) continue;
        const tv = totalVariation(actual, at, shaped);
        const i = 2 * c + l;
        this.error[i] = Number.isNaN(this.error[i]) ? tv : this.error[i] + ALPHA * (tv - this.error[i]);
      }
    }
  }

  /**
   * The candidate to use at forecast lead `lead` (0-based windows after the last closed one): the
   * lower error, interpolated linearly between the near and the far lead; `recent` until both
   * leads of a candidate are scored.
   */
  choose(lead: number, leads: readonly [number, number]): Shape {
    const [l1, l2] = leads;
    const f = Math.max(0, Math.min(1, (lead + 1 - l1) / (l2 - l1)));
    let best: Shape = 'recent';
    let bestErr = Infinity;
    for (let c = 0; c < SHAPES.length; c++) {
      const e1 = this.error[2 * c];
      const e2 = this.error[2 * c + 1];
      if (Number.isNaN(e1) || Number.isNaN(e2)) continue;
      const e = e1 + f * (e2 - e1);
      if (e < bestErr) {
        bestErr = e;
        best = SHAPES[c];
      }
    }
    return best;
  }
}

/** Total-variation distance between `actual` (summing to `actualTotal` > 0) and `shaped`, both normalised (uniform where `shaped` is empty). */
function totalVariation(actual: Float64Array, actualTotal: number, shaped: Float64Array): number {
  const n = actual.length;
  let ct = 0;
  for (let g = 0; g < n; g++) ct += shaped[g];
  let tv = 0;
  for (let g = 0; g < n; g++) tv += Math.abs(actual[g] / actualTotal - (ct > 0 ? shaped[g] / ct : 1 / n));
  return tv / 2;
}

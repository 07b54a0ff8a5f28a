/**
 * How good the predictive policy's two guesses of a coming window were, per lead: its forecast
 * and persistence (the load observed at decision time), scored against the windows as they are
 * observed, apart for the two things a picture says: where the load is (the total-variation
 * distance of the per-bucket shapes) and how much of it there is (the relative error of the
 * total). From these the near windows of its picture blend observation and forecast with the
 * weights that minimise the blend's squared error, one for the shape (`blendWeight`) and one for
 * the level (`levelWeight`): a stream whose key shape barely moves but whose total climbs keeps
 * the observed shape and the forecast's climb. Kept per policy instance; deterministic (ordered
 * loops only).
 */
import type { Forecast } from '../model/forecast.ts';
import { totalLoad } from '../model/load.ts';

export class LeadScores {
  /** Recent decisions' observed load and forecast windows, newest last (for `score`). */
  private past: { t: number; observed: Float64Array; total: number; start: number; windows: Float64Array[]; totals: number[] }[] = [];
  /**
   * Per lead (windows ahead of the decision), exponentially weighted squared errors of the
   * forecast and of persistence: TV distance of the shapes (f, p) and relative error of the
   * totals (lf, lp).
   */
  private leadErr: Err[] = [];

  /** Total-variation distance between two per-bucket load vectors' shapes (0 when either is empty). */
  static tv(a: Float64Array, b: Float64Array): number {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < a.length; i++) {
      sa += a[i];
      sb += b[i];
    }
    if (sa <= 0 || sb <= 0) return 0;
    let d = 0;
    for (let i = 0; i < a.length; i++) d += Math.abs(a[i] / sa - b[i] / sb);
    return d / 2;
  }

  /**
   * Scores the past decisions' pictures against the window just observed: the forecast of that
   * window made `lead` windows earlier, and persistence (the load observed back then), by
   * total-variation distance of the per-bucket shapes, `W` being the window (ms). Then remembers
   * this decision.
   */
  score(nowMs: number, W: number, observed: Float64Array, f: Forecast): void {
    const obsStart = nowMs - W;
    const total = totalLoad(observed);
    const keep: typeof this.past = [];
    for (const e of this.past) {
      const lead = Math.round((nowMs - e.t) / W) - 1; // window index ahead of e's observation
      const j = Math.floor((obsStart - e.start) / W);
      if (j < 0 || j >= e.windows.length || lead < 0) continue;
      const ef = LeadScores.tv(e.windows[j], observed);
      const ep = LeadScores.tv(e.observed, observed);
      const lf = total > 0 ? (e.totals[j] - total) / total : 0;
      const lp = total > 0 ? (e.total - total) / total : 0;
      const s = (this.leadErr[lead] ??= { f: 0, p: 0, lf: 0, lp: 0, n: 0 });
      const a = s.n < 10 ? 1 / (s.n + 1) : 0.1;
      s.f += a * (ef * ef - s.f);
      s.p += a * (ep * ep - s.p);
      s.lf += a * (lf * lf - s.lf);
      s.lp += a * (lp * lp - s.lp);
      s.n++;
      keep.push(e);
    }
    const windows = f.windows.map((w) => w.expectedLoad);
    keep.push({ t: nowMs, observed, total, start: f.windows[0]?.startMs ?? nowMs, windows, totals: windows.map(totalLoad) });
    this.past = keep;
  }

  /**
   * Weight of the observation in picture window k (k windows after the one holding now): the
   * mean-squared-error optimal blend of two independent guesses, eF² / (eF² + eP²), with eF and
   * eP interpolated from the nearest scored leads (persistence error taken as growing in
   * proportion to the lead below the first scored one); the linear schedule
   * max(0, 1 − k/blend) until three decisions have been scored.
   */
  blendWeight(k: number, blendWindows: number): number {
    return this.weight(k, blendWindows, 'f', 'p');
  }

  /** As `blendWeight`, for the level: the weight of the observed total in window k's total. */
  levelWeight(k: number, blendWindows: number): number {
    return this.weight(k, blendWindows, 'lf', 'lp');
  }

  private weight(k: number, blendWindows: number, fk: 'f' | 'lf', pk: 'p' | 'lp'): number {
    const scored: number[] = [];
    for (let l = 0; l < this.leadErr.length; l++) if (this.leadErr[l] && this.leadErr[l].n >= 3) scored.push(l);
    if (scored.length === 0) return Math.max(0, 1 - k / blendWindows);
    let f: number;
    let p: number;
    const lo = scored.filter((l) => l <= k).at(-1);
    const hi = scored.find((l) => l >= k);
    if (lo === undefined) {
      const e = this.leadErr[hi!];
      f = e[fk];
      p = e[pk] * ((k + 1) / (hi! + 1)) ** 2;
    } else if (hi === undefined || hi === lo) {
      const e = this.leadErr[lo];
      f = e[fk];
      p = e[pk];
    } else {
      const u = (k - lo) / (hi - lo);
      f = this.leadErr[lo][fk] + u * (this.leadErr[hi][fk] - this.leadErr[lo][fk]);
      p = this.leadErr[lo][pk] + u * (this.leadErr[hi][pk] - this.leadErr[lo][pk]);
    }
    return f + p > 0 ? f / (f + p) : 0;
  }
}

interface Err {
  f: number;
  p: number;
  lf: number;
  lp: number;
  n: number;
}

/**
 * Model choice by rolling-origin backtest, done prequentially: at every origin each candidate's
 * forecast of the next `leads` windows is stored; as those windows close its absolute errors are
 * scored (on data it was never fitted on). Per series the candidate with the lowest exponentially
 * weighted error (newer origins weigh more) is used, so the choice follows the stream; a series
 * without scores yet uses the pooled choice of all series (errors normalised per series).
 */
import type { ForecastSeries } from './series.ts';

/** Weight of a new error once a candidate has been scored from more than one origin. */
const ALPHA = 0.02;
/** A forecast below this (records/s) gives no relative error (0 is recorded). */
const TINY = 1e-9;

/** A pending backtest: forecasts of every candidate made when window `origin` was the next to close. */
interface Origin {
  readonly origin: number;
  /** Per series (in the order given), per candidate (in `candidates` order): forecasts of `leads` windows; null for a range re-cut since. */
  readonly forecasts: (readonly Float64Array[] | null)[];
  /** The candidate in use at the origin, per series. */
  readonly used: string[];
}

export class Backtest {
  private origins: Origin[] = [];

  /**
   * @param candidates candidate names in order of preference on ties (`ensemble` included)
   * @param leads windows each origin's forecasts cover
   */
  constructor(
    readonly candidates: readonly string[],
    readonly leads: number,
  ) {}

  /** Stores every candidate's forecast of every series (ranges, then the total) at origin `origin`. */
  addOrigin(origin: number, series: readonly ForecastSeries[]): void {
    this.origins.push({
      origin,
      forecasts: series.map((s) => {
        const made = new Map<string, Float64Array>();
        return this.candidates.map((c) => s.candidateForecast(c, this.leads, made));
      }),
      used: series.map((s) => s.chosen),
    });
  }

  /**
   * Scores the pending origins on closed window `w` with the series' actual `values` (same order
   * as at `addOrigin`), drops origins whose leads are all scored, and re-chooses every series'
   * candidate.
   */
  score(w: number, series: readonly ForecastSeries[], values: readonly number[]): void {
    const keep: Origin[] = [];
    for (const o of this.origins) {
      const lead = w - o.origin; // 0-based step of window w in that origin's forecast
      if (lead < 0 || lead >= this.leads) continue;
      for (let i = 0; i < series.length; i++) {
        const f = o.forecasts[i];
        if (f) scoreOne(series[i], this.candidates, f, o.used[i], lead, values[i]);
      }
      if (lead + 1 < this.leads) keep.push(o);
    }
    this.origins = keep;
    chooseModels(series, this.candidates);
  }

  /**
   * After the ranges were re-cut: `kept[i]` is the old index of new range i when that range is
   * unchanged, else -1. Pending forecasts of a changed range no longer apply; those of unchanged
   * ranges and of the total (last) stay.
   */
  resetRanges(kept: readonly number[]): void {
    this.origins = this.origins.map((o) => ({
      ...o,
      forecasts: [...kept.map((i) => (i >= 0 ? o.forecasts[i] : null)), o.forecasts[o.forecasts.length - 1]],
      used: [...kept.map((i) => (i >= 0 ? o.used[i] : '')), o.used[o.used.length - 1]],
    }));
  }
}

/** Scores one series' candidates at `lead` against `actual`; the candidate that was in use also adds a relative error. */
function scoreOne(s: ForecastSeries, candidates: readonly string[], forecasts: readonly Float64Array[], used: string, lead: number, actual: number): void {
  for (let c = 0; c < candidates.length; c++) {
    const name = candidates[c];
    const f = forecasts[c];
    const e = Math.abs(actual - f[lead]);
    let sc = s.scores.get(name);
    if (!sc) s.scores.set(name, (sc = { ew: e, origins: 0 }));
    if (lead === 0) sc.origins++;
    sc.ew += (sc.origins <= 1 ? 1 / (lead + 1) : ALPHA) * (e - sc.ew);
    if (name === used) s.addRelativeError(lead, f[lead] > TINY ? actual / f[lead] - 1 : 0);
  }
}

/** Sets each series' `chosen` to its lowest-error candidate, else the pooled best, else the first candidate. */
export function chooseModels(series: readonly ForecastSeries[], candidates: readonly string[]): void {
  const pooled = new Map<string, number>();
  for (const s of series) {
    let level = 0;
    for (const sc of s.scores.values()) level = Math.max(level, sc.ew);
    if (level <= 0) continue;
    for (const [name, sc] of s.scores) pooled.set(name, (pooled.get(name) ?? 0) + sc.ew / level);
  }
  const pooledBest = lowest((c) => pooled.get(c), candidates);
  for (const s of series) s.chosen = lowest((c) => s.scores.get(c)?.ew, candidates) ?? pooledBest ?? candidates[0];
}

/** The candidate with the lowest error by `errorOf` (the earlier candidate on ties); undefined if none is scored. */
function lowest(errorOf: (c: string) => number | undefined, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestError = 0;
  for (const c of candidates) {
    const v = errorOf(c);
    if (v !== undefined && (best === undefined || v < bestError)) {
      best = c;
      bestError = v;
    }
  }
  return best;
}

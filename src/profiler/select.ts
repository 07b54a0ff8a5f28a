/**
 * Forecasting one whole series with dynamic model choice (what `keycast forecast` and the
 * benchmark run): rolling-origin backtests at the last `origins` multiples of the horizon choose
 * the model with the best mean of relative sMAPE and relative MASE (each divided by the arena's
 * mean, so neither dominates); the winner is refitted on the whole series. The backtest errors of
 * the winner also give the p10/p90 band: empirical quantiles of its errors at nearby horizon steps.
 */
import './models/index.ts';
import type { RandomStream } from '../engine/random.ts';
import { AUTO_ARENA, ENSEMBLE_MEMBERS, createForecaster, type BaseModelName, type ModelName } from './forecaster.ts';
import { combine } from './models/ensemble.ts';
import { maseScale, smape } from './metrics.ts';
import { quantile } from './util.ts';

/** Factor on the backtest error quantiles (calibrated on the M4 Hourly validation split, see docs/profiler.md). */
export const INTERVAL_WIDEN = 2.3;

export interface SeriesOptions {
  readonly horizon: number;
  /** Seasonal periods in points, primary first. */
  readonly seasons: readonly number[];
  /** `['auto']` (the default arena), one model, or several to choose among. */
  readonly models: readonly ModelName[];
  /** Also compute p10/p90. */
  readonly quantiles?: boolean;
  readonly rng: RandomStream;
  /** Backtest origins (default 2: n − h and n − 2h, as far as the history allows). */
  readonly origins?: number;
}

export interface SeriesForecast {
  readonly mean: Float64Array;
  readonly p10?: Float64Array;
  readonly p90?: Float64Array;
  /** The chosen model. */
  readonly model: BaseModelName;
  /** Backtest score per candidate (lower is better), for reporting. */
  readonly scores: Readonly<Record<string, number>>;
  /** The chosen model's backtest errors (mean over origins), when a backtest ran. */
  readonly backtest?: { readonly smape: number; readonly mase: number; readonly origins: number };
}

/** The candidate list a `models` option stands for. */
export function expandModels(models: readonly ModelName[]): BaseModelName[] {
  const out: BaseModelName[] = [];
  for (const m of models.length ? models : (['auto'] as const)) {
    for (const n of m === 'auto' ? AUTO_ARENA : [m]) if (!out.includes(n)) out.push(n);
  }
  return out;
}

function fitForecast(name: BaseModelName, y: ArrayLike<number>, h: number, opts: SeriesOptions, cache: Map<string, Float64Array>, key: string): Float64Array {
  const k = `${name}@${key}`;
  const hit = cache.get(k);
  if (hit) return hit;
  let f: Float64Array;
  if (name === 'ensemble') {
    f = combine(ENSEMBLE_MEMBERS.map((m) => fitForecast(m, y, h, opts, cache, key)), h);
  } else {
    const model = createForecaster(name, { seasons: opts.seasons, rng: opts.rng.fork(name) });
    model.fit(y);
    f = model.forecast(h);
  }
  cache.set(k, f);
  return f;
}

/** A forecast error of a backtest, at `step` steps after its origin. */
interface StepError {
  readonly step: number;
  readonly e: number;
}

/** Backtest origins: the last `origins` (default 2) multiples of `h` before the end that leave `minTrain` to fit on. */
function backtestOrigins(n: number, h: number, minTrain: number, count: number): number[] {
  const origins: number[] = [];
  for (let k = 1; k <= count; k++) {
    const o = n - k * h;
    if (o >= minTrain) origins.push(o);
  }
  return origins;
}

/** One candidate's backtest over the origins: mean sMAPE, mean MASE (season `m`) and its errors by step. */
function backtestModel(
  name: BaseModelName,
  y: ArrayLike<number>,
  origins: readonly number[],
  m: number,
  opts: SeriesOptions,
  cache: Map<string, Float64Array>,
): { smape: number; mase: number; errors: StepError[] } {
  const h = opts.horizon;
  const n = y.length;
  let s = 0;
  let a = 0;
  const errors: StepError[] = [];
  for (const o of origins) {
    const train = Array.prototype.slice.call(y, 0, o) as number[];
    const len = Math.min(h, n - o);
    const f = fitForecast(name, train, h, opts, cache, `o${o}`);
    const act = Array.prototype.slice.call(y, o, o + len) as number[];
    s += smape(act, f.subarray(0, len));
    const scale = maseScale(train, m) || 1;
    let ae = 0;
    for (let i = 0; i < len; i++) {
      ae += Math.abs(act[i] - f[i]);
      errors.push({ step: i, e: act[i] - f[i] });
    }
    a += ae / len / scale;
  }
  return { smape: s / origins.length, mase: a / origins.length, errors };
}

/** Each candidate's score: the mean of its sMAPE and MASE, each relative to the candidates' average. */
function relativeScores(cands: readonly BaseModelName[], sm: ReadonlyMap<BaseModelName, number>, ms: ReadonlyMap<BaseModelName, number>): Record<string, number> {
  const scores: Record<string, number> = {};
  const avgS = [...sm.values()].reduce((p, q) => p + q, 0) / sm.size || 1;
  const avgM = [...ms.values()].reduce((p, q) => p + q, 0) / ms.size || 1;
  for (const name of cands) scores[name] = 0.5 * ((sm.get(name) ?? 0) / (avgS || 1) + (ms.get(name) ?? 0) / (avgM || 1));
  return scores;
}

/** Forecasts `y` `opts.horizon` steps ahead with the chosen or given model (see the module comment). */
export function forecastSeries(y: ArrayLike<number>, opts: SeriesOptions): SeriesForecast {
  const h = opts.horizon;
  const cands = expandModels(opts.models);
  const m = Math.max(1, Math.round(opts.seasons[0] ?? 1));
  const origins = backtestOrigins(y.length, h, Math.max(2 * m, 8), opts.origins ?? 2);
  const cache = new Map<string, Float64Array>();
  let scores: Record<string, number> = {};
  const errs = new Map<BaseModelName, StepError[]>();
  const backtests = new Map<BaseModelName, { smape: number; mase: number; origins: number }>();
  if ((cands.length > 1 || !!opts.quantiles) && origins.length) {
    const sm = new Map<BaseModelName, number>();
    const ms = new Map<BaseModelName, number>();
    for (const name of cands) {
      const bt = backtestModel(name, y, origins, m, opts, cache);
      sm.set(name, bt.smape);
      ms.set(name, bt.mase);
      backtests.set(name, { smape: bt.smape, mase: bt.mase, origins: origins.length });
      errs.set(name, bt.errors);
    }
    scores = relativeScores(cands, sm, ms);
  }
  let chosen = cands[0];
  for (const name of cands) if ((scores[name] ?? Infinity) < (scores[chosen] ?? Infinity)) chosen = name;
  const mean = fitForecast(chosen, y, h, opts, cache, 'full');
  const backtest = backtests.get(chosen);
  if (!opts.quantiles) return { mean, model: chosen, scores, ...(backtest ? { backtest } : {}) };
  const { p10, p90 } = quantileBands(y, mean, errs.get(chosen) ?? [], h, m);
  return { mean, p10, p90, model: chosen, scores, ...(backtest ? { backtest } : {}) };
}

/**
 * The p10 and p90 around `mean` per step: the widened quantiles of the backtest errors at nearby
 * steps, or without enough of them ±1.28 × the in-sample seasonal-naive error growing with
 * √step; never inside the mean, and not below 0 for a series that never was.
 */
function quantileBands(y: ArrayLike<number>, mean: Float64Array, list: readonly StepError[], h: number, m: number): { p10: Float64Array; p90: Float64Array } {
  const p10 = new Float64Array(h);
  const p90 = new Float64Array(h);
  let nonNeg = true;
  for (let i = 0; i < y.length; i++) if (y[i] < 0) nonNeg = false;
  for (let s = 0; s < h; s++) {
    let near: number[] = [];
    for (let w = 2; near.length < 12 && w <= h; w *= 2) near = list.filter((x) => Math.abs(x.step - s) <= w).map((x) => x.e);
    let lo: number;
    let hi: number;
    if (near.length >= 4) {
      // backtest errors understate the winner's future errors (it was picked for small ones):
      // widen the empirical band by INTERVAL_WIDEN
      lo = INTERVAL_WIDEN * quantile(near, 0.1);
      hi = INTERVAL_WIDEN * quantile(near, 0.9);
    } else {
      // no backtest: ±1.28 × the in-sample seasonal-naive error, growing with √step
      const sc = maseScale(y, m) * Math.sqrt(1 + s / Math.max(1, m));
      lo = -1.2816 * sc;
      hi = 1.2816 * sc;
    }
    p10[s] = Math.min(mean[s], mean[s] + lo);
    p90[s] = Math.max(mean[s], mean[s] + hi);
    if (nonNeg && p10[s] < 0) p10[s] = 0;
  }
  return { p10, p90 };
}

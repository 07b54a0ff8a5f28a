/**
 * The one interface every forecasting model implements, and the registry that builds them by name.
 *
 * A `Forecaster` works on one univariate series of equally spaced points (a window's records/s, an
 * hourly M4 series): `fit(y)` estimates its parameters and state from the whole history,
 * `update(v)` advances the state by one new point with the parameters kept (cheap, O(1)–O(p) per
 * point: the profiler calls it once per closed window between refits), and `forecast(h)` returns the
 * next `h` point forecasts (the median on the original scale). Intervals are not the models' job:
 * the profiler and `forecastSeries` derive them from rolling-origin backtest errors, the same way for
 * every model, so that coverage is comparable and measured.
 *
 * Seasons are given in points (24 for hourly data with a daily cycle; 1440 and 10080 for 1-minute
 * windows with day and week). A model uses a season only when the history holds at least two full
 * cycles of it; shorter histories degrade gracefully (seasonal naive becomes naive, and so on).
 */
import type { RandomStream } from '../engine/random.ts';

/** Every model name of the scenario contract, including the two meta-models. */
export const MODEL_NAMES = ['seasonal-naive', 'ets', 'arima', 'mstl', 'prophet', 'lstm', 'ensemble', 'auto'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
/** Models that `createForecaster` builds (everything but `auto`, which is a selection strategy). */
export type BaseModelName = Exclude<ModelName, 'auto'>;

/** The fast arena `auto` chooses from by default (LSTM and Prophet are opt-in: slower or weaker). */
export const AUTO_ARENA: readonly BaseModelName[] = ['seasonal-naive', 'ets', 'mstl', 'arima', 'ensemble'];
/** Members of `ensemble` by default: the mean of their forecasts. */
export const ENSEMBLE_MEMBERS: readonly BaseModelName[] = ['ets', 'mstl', 'arima'];

/** What a model needs besides the data. */
export interface ModelOptions {
  /** Seasonal periods in points, primary first (e.g. `[24, 168]`). */
  readonly seasons: readonly number[];
  /** Seeded stream for models that draw (LSTM initial weights); never `Math.random`. */
  readonly rng: RandomStream;
  /** Members of an ensemble (default `ENSEMBLE_MEMBERS`). */
  readonly members?: readonly BaseModelName[];
}

/** A univariate forecasting model (see the module comment for the contract). */
export interface Forecaster {
  readonly name: BaseModelName;
  /** Estimates parameters and state from `y` (time order, finite values, length ≥ 1). */
  fit(y: ArrayLike<number>): void;
  /** Appends one observation, keeping the fitted parameters. */
  update(value: number): void;
  /** Point forecasts for the next `h` points (finite; non-negative when the data were). */
  forecast(h: number): Float64Array;
}

/** True for a name in `MODEL_NAMES`. */
export function isModelName(s: string): s is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(s);
}

type Factory = (opts: ModelOptions) => Forecaster;
const registry = new Map<BaseModelName, Factory>();

/** Registers a model's factory (each model module does this once on import). */
export function registerModel(name: BaseModelName, factory: Factory): void {
  registry.set(name, factory);
}

/** Builds a fresh, unfitted model by name. Import `./models/index.ts` first (the profiler's index does). */
export function createForecaster(name: BaseModelName, opts: ModelOptions): Forecaster {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown or unregistered model '${name}'`);
  return f(opts);
}

/**
 * The scale a model works on: `log` when every fitted value was positive (multiplicative
 * seasonality and relative errors), otherwise the identity. New values at or below zero on a log
 * scale are floored at half the smallest positive value seen.
 */
export class ScaleTransform {
  private constructor(
    readonly log: boolean,
    private readonly floor: number,
  ) {}

  static identity(): ScaleTransform {
    return new ScaleTransform(false, 0);
  }

  /** Log when `useLog` and every value is positive. */
  static choose(y: ArrayLike<number>, useLog: boolean): ScaleTransform {
    if (!useLog || y.length === 0) return ScaleTransform.identity();
    let min = Infinity;
    for (let i = 0; i < y.length; i++) {
      if (!(y[i] > 0)) return ScaleTransform.identity();
      if (y[i] < min) min = y[i];
    }
    return new ScaleTransform(true, min / 2);
  }

  fwd(v: number): number {
    return this.log ? Math.log(Math.max(v, this.floor)) : v;
  }

  fwdAll(y: ArrayLike<number>): Float64Array {
    const out = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) out[i] = this.fwd(y[i]);
    return out;
  }

  inv(v: number): number {
    return this.log ? Math.exp(Math.min(v, 700)) : v;
  }
}

/** Clamps forecasts to finite values, and to ≥ 0 when `nonNegative`; falls back to `fallback`. */
export function sanitize(f: Float64Array, nonNegative: boolean, fallback: number): Float64Array {
  for (let i = 0; i < f.length; i++) {
    let v = f[i];
    if (!Number.isFinite(v)) v = fallback;
    if (nonNegative && v < 0) v = 0;
    f[i] = v;
  }
  return f;
}

/** True when no value is negative. */
export function nonNegative(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (y[i] < 0) return false;
  return true;
}

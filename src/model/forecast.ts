/**
 * The KDP's output as values: per future window, the share of each key range
 * (`{ key_range: probability }`), the total-rate forecast with quantiles, and the expected
 * per-bucket load the planner consumes. Anomaly flags ride along so a policy can fall back.
 */
import type { KeyRange } from './key-range.ts';

/** Quantiles of a forecast quantity (records/s for rates). */
export interface Quantiles {
  readonly mean: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** One range's forecast share within a window. */
export interface RangeShare {
  readonly range: KeyRange;
  /** Probability that a record of this window falls in the range; shares of a window sum to 1. */
  readonly probability: number;
  /** Name of the model chosen for this range (reporting). */
  readonly model?: string;
}

/** The forecast for one future window `[startMs, startMs + windowMs)`. */
export interface ForecastWindow {
  readonly startMs: number;
  /** Total records/s over the whole key space. */
  readonly totalRate: Quantiles;
  readonly ranges: readonly RangeShare[];
  /** Expected records/s per fine bucket (length B): `totalRate.mean × share`, spread inside each range. */
  readonly expectedLoad: Float64Array;
  /** Upper (p90) records/s per bucket, for tail-aware planning. */
  readonly upperLoad?: Float64Array;
}

/** Kind of an anomaly the KDP flags. */
export type AnomalyKind = 'residual' | 'level-shift' | 'new-keys';

/** An anomaly flag: when, where in the key space, how strong. */
export interface AnomalyFlag {
  readonly timeMs: number;
  readonly kind: AnomalyKind;
  readonly range?: KeyRange;
  /** Robust z-like score; larger is more anomalous. */
  readonly score: number;
}

/** A forecast issued at `issuedAtMs` for consecutive windows starting there. */
export interface Forecast {
  /** Stable id (e.g. `f<issuedAtMs>`) that plans reference. */
  readonly id: string;
  readonly issuedAtMs: number;
  readonly windowMs: number;
  readonly buckets: number;
  readonly windows: readonly ForecastWindow[];
  readonly anomalies: readonly AnomalyFlag[];
}

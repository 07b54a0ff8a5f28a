/**
 * One KDP forecast series: a range's (or the total's) records/s per window, with one instance of
 * every candidate model, their backtest scores (`backtest.ts`), the candidate in use, the recent
 * relative errors its intervals come from, an anomaly detector and, for ranges, the shape backtest.
 */
import type { KeyRange } from '../model/key-range.ts';
import { OnlineAnomalyDetector } from './anomaly.ts';
import { ENSEMBLE_MEMBERS, type BaseModelName, type Forecaster } from './forecaster.ts';
import { ShapeScores } from './shape.ts';
import { quantileOfSorted, RecentSorted } from './util.ts';

/** Relative errors kept per lead. */
const ERRORS_PER_LEAD = 40;
/** Relative errors needed (over the nearby leads) before the band comes from them. */
const MIN_ERRORS = 10;
/** The band before there are enough errors: ±20 %. */
const DEFAULT_BAND: [number, number] = [-0.2, 0.2];

/** A candidate's backtest record on one series: its exponentially weighted absolute error and the origins it was scored from. */
export interface Score {
  ew: number;
  origins: number;
}

export class ForecastSeries {
  readonly models = new Map<BaseModelName, Forecaster>();
  readonly scores = new Map<string, Score>();
  readonly detector: OnlineAnomalyDetector;
  readonly shapes: ShapeScores;
  /** The candidate in use (a model name, `ensemble` included). */
  chosen: string;
  /** False until the models are first fitted: forecasts repeat the last value. */
  fitted = false;
  /** Recent relative errors (actual/forecast − 1) of the candidate in use, per lead. */
  private readonly relErr: RecentSorted[] = [];
  /**
   * The bands' ends per lead, valid while their stamp equals `errorsAdded` (a new error changes the
   * bands near its lead; a forecast reads every lead once, so one counter invalidates all).
   */
  private bandLo = new Float64Array(0);
  private bandHi = new Float64Array(0);
  private stampLo = new Int32Array(0);
  private stampHi = new Int32Array(0);
  private errorsAdded = 1;

  constructor(
    readonly range: KeyRange,
    /** Micro-groups `g0..g1` (exclusive) the series sums. */
    readonly g0: number,
    readonly g1: number,
    detectorThreshold: number,
    seasonMs: number,
    defaultModel: string,
  ) {
    this.detector = new OnlineAnomalyDetector({ seasonMs, threshold: detectorThreshold });
    this.chosen = defaultModel;
    this.shapes = new ShapeScores(g0, g1);
  }

  /** Candidate `name`'s point forecasts for `h` windows (the ensemble is the mean of its members; zeros for a model not instantiated). */
  candidateForecast(name: string, h: number): Float64Array {
    if (name === 'ensemble') {
      const out = new Float64Array(h);
      const mem = ENSEMBLE_MEMBERS.filter((m) => this.models.has(m));
      for (const m of mem) {
        const f = this.models.get(m)!.forecast(h);
        for (let i = 0; i < h; i++) out[i] += f[i] / mem.length;
      }
      return out;
    }
    return this.models.get(name as BaseModelName)?.forecast(h) ?? new Float64Array(h);
  }

  /** Adds a relative error of the candidate in use at `lead`. */
  addRelativeError(lead: number, rel: number): void {
    (this.relErr[lead] ??= new RecentSorted(ERRORS_PER_LEAD)).push(rel);
    this.errorsAdded++;
  }

  /**
   * The [p10, p90] relative error of the candidate in use near `lead` (leads within ±2, capped at
   * `lastLead`), widened to include 0; ±20 % before 10 errors are known.
   */
  errorBand(lead: number, lastLead: number): [number, number] {
    const l = Math.min(lead, lastLead);
    return [this.bandEnd(l, 0.1), this.bandEnd(l, 0.9)];
  }

  /** The upper end of `errorBand` alone (half the work: the ranges' upper loads need no lower end). */
  upperBand(lead: number, lastLead: number): number {
    return this.bandEnd(Math.min(lead, lastLead), 0.9);
  }

  /** One end of the band at (capped) lead `l`: q = 0.1 or 0.9, cached until the next error. */
  private bandEnd(l: number, q: 0.1 | 0.9): number {
    if (l >= this.bandLo.length) this.growBands(l + 1);
    const low = q === 0.1;
    const stamp = low ? this.stampLo : this.stampHi;
    const ends = low ? this.bandLo : this.bandHi;
    if (stamp[l] === this.errorsAdded) return ends[l];
    const v = this.computeEnd(l, q);
    ends[l] = v;
    stamp[l] = this.errorsAdded;
    return v;
  }

  private growBands(n: number): void {
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.bandLo = grow(this.bandLo, (k) => new Float64Array(k));
    this.bandHi = grow(this.bandHi, (k) => new Float64Array(k));
    this.stampLo = grow(this.stampLo, (k) => new Int32Array(k));
    this.stampHi = grow(this.stampHi, (k) => new Int32Array(k));
  }

  /** The nearby leads' sorted errors of the band being computed (reused). */
  private readonly near: number[][] = [];

  private computeEnd(l: number, q: 0.1 | 0.9): number {
    const lists = this.near;
    lists.length = 0;
    let n = 0;
    for (let k = Math.max(0, l - 2); k <= l + 2; k++) {
      const r = this.relErr[k];
      if (r && r.length > 0) {
        lists.push(r.sorted);
        n += r.length;
      }
    }
    if (n < MIN_ERRORS) return q === 0.1 ? DEFAULT_BAND[0] : DEFAULT_BAND[1];
    // The 10% or 90% order statistics of the nearby leads' errors, walked from the nearer end.
    return q === 0.1 ? Math.min(0, quantileOfSorted(lists, n, 0.1)) : Math.max(0, quantileOfSorted(lists, n, 0.9));
  }
}

/**
 * One KDP forecast series: a range's (or the total's) records/s per window, with one instance of
 * every candidate model, their backtest scores (`backtest.ts`), the candidate in use, the recent
 * relative errors its intervals come from, an anomaly detector and, for ranges, the shape backtest.
 */
import type { KeyRange } from '../model/key-range.ts';
import { OnlineAnomalyDetector } from './anomaly.ts';
import { ENSEMBLE_MEMBERS, type BaseModelName, type Forecaster } from './forecaster.ts';
import { ShapeScores } from './shape.ts';
import { NearbySorted } from './util.ts';

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
  /** Recent relative errors (actual/forecast − 1) of the candidate in use, per lead, and those of leads within ±2 sorted together. */
  private relErr = new NearbySorted(ERRORS_PER_LEAD, 2);

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

  /**
   * Candidate `name`'s point forecasts for `h` windows (the ensemble is the mean of its members;
   * zeros for a model not instantiated). `made` holds forecasts of this call's batch already made
   * (the ensemble reuses its members'; each new one is added).
   */
  candidateForecast(name: string, h: number, made?: Map<string, Float64Array>): Float64Array {
    const done = made?.get(name);
    if (done) return done;
    let out: Float64Array;
    if (name === 'ensemble') {
      out = new Float64Array(h);
      const mem = ENSEMBLE_MEMBERS.filter((m) => this.models.has(m));
      for (const m of mem) {
        const f = this.candidateForecast(m, h, made);
        for (let i = 0; i < h; i++) out[i] += f[i] / mem.length;
      }
    } else out = this.models.get(name as BaseModelName)?.forecast(h) ?? new Float64Array(h);
    made?.set(name, out);
    return out;
  }

  /**
   * Starts a range made by a re-cut with the record of `donor`, the old range it mostly came from
   * (range-cut.ts `donorOf`): its candidates' scores, the candidate in use and that candidate's
   * relative errors. Without it the new range's band would be the ±20 % default until its own
   * errors come in (two backtest origins, hours), and ranges are re-cut every few refits where the
   * load moves. Re-cuts are to equal load, so donor and heir carry comparable shares.
   */
  inherit(donor: ForecastSeries): void {
    for (const [name, sc] of donor.scores) this.scores.set(name, { ...sc });
    this.chosen = donor.chosen;
    this.relErr = donor.relErr.clone();
  }

  /** Adds a relative error of the candidate in use at `lead`. */
  addRelativeError(lead: number, rel: number): void {
    this.relErr.push(lead, rel);
  }

  /**
   * The [p10, p90] relative error of the candidate in use near `lead` (leads within ±2, capped at
   * `lastLead`), widened to include 0; ±20 % before 10 errors are known.
   */
  errorBand(lead: number, lastLead: number): [number, number] {
    const l = Math.min(lead, lastLead);
    if (this.relErr.nearCount(l) < MIN_ERRORS) return DEFAULT_BAND;
    return [Math.min(0, this.relErr.nearQuantile(l, 0.1)), Math.max(0, this.relErr.nearQuantile(l, 0.9))];
  }

  /** The upper end of `errorBand` alone. */
  upperBand(lead: number, lastLead: number): number {
    const l = Math.min(lead, lastLead);
    return this.relErr.nearCount(l) < MIN_ERRORS ? DEFAULT_BAND[1] : Math.max(0, this.relErr.nearQuantile(l, 0.9));
  }
}

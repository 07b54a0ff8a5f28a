/**
 * Accuracy of the KDP's issued total-rate forecasts: every forecast window issued for a window not
 * yet closed is kept and scored when that window closes (sMAPE, absolute error scaled by the
 * in-sample seasonal-naive error as in MASE, and whether the actual fell inside [p10, p90]).
 */
import type { ForecastAccuracy as AccuracyFigures } from '../model/policy-outcome.ts';

/**
 * Accuracy of the issued total-rate forecasts (`KeyDistributionProfiler.accuracy()`): the
 * summary's figures (model/policy-outcome.ts) and how many pairs they cover.
 */
export interface ForecastAccuracy extends Readonly<AccuracyFigures> {
  /** Evaluated (forecast, window) pairs. */
  readonly windows: number;
}

/** One issued total-rate forecast of a window, records/s. */
export interface IssuedRate {
  readonly mean: number;
  readonly p10: number;
  readonly p90: number;
}

export class AccuracyTracker {
  private readonly issued = new Map<number, IssuedRate[]>();
  private smapeSum = 0;
  private scaledErrSum = 0;
  private covered = 0;
  private scored = 0;
  private seasonalDiffSum = 0;
  private seasonalDiffs = 0;

  /** Adds one in-sample seasonal-naive absolute error of the total rate (the MASE scale). */
  addSeasonalDiff(absDiff: number): void {
    this.seasonalDiffSum += absDiff;
    this.seasonalDiffs++;
  }

  /** Keeps a forecast issued for the window starting at `startMs`. */
  record(startMs: number, rate: IssuedRate): void {
    let list = this.issued.get(startMs);
    if (!list) this.issued.set(startMs, (list = []));
    list.push(rate);
  }

  /** Scores (and forgets) the forecasts issued for the window starting at `startMs`, whose total rate was `actual`. */
  score(startMs: number, actual: number): void {
    const list = this.issued.get(startMs);
    if (!list) return;
    this.issued.delete(startMs);
    const scale = this.seasonalDiffs ? this.seasonalDiffSum / this.seasonalDiffs : 0;
    for (const q of list) {
      const d = Math.abs(actual) + Math.abs(q.mean);
      this.smapeSum += d > 0 ? (200 * Math.abs(actual - q.mean)) / d : 0;
      this.scaledErrSum += scale > 0 ? Math.abs(actual - q.mean) / scale : 0;
      if (actual >= q.p10 && actual <= q.p90) this.covered++;
      this.scored++;
    }
  }

  summary(): ForecastAccuracy {
    const n = this.scored;
    return { smape: n ? this.smapeSum / n : 0, mase: n ? this.scaledErrSum / n : 0, coverage80: n ? this.covered / n : 0, windows: n };
  }
}

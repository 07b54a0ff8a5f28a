/**
 * How bursty the total rate is within a window: a cluster serves tick by tick, so load that the
 * window mean hides still queues. The KDP widens its upper load by this excess.
 */

/** The normal quantile of 0.9: p90 = mean × (1 + Z90 × cv). */
const Z90 = 1.2816;
/** Weight of the newest window in the smoothed coefficient of variation. */
const ALPHA = 0.05;

export class TickVariation {
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  /** Exponentially weighted coefficient of variation of the tick rates within a window. */
  private cv = NaN;

  /** Adds one tick's total rate (records/s). */
  add(rate: number): void {
    this.n++;
    this.sum += rate;
    this.sumSq += rate * rate;
  }

  /** Folds the open window's ticks into the smoothed variation (windows with fewer than two ticks or no load add nothing). */
  closeWindow(): void {
    if (this.n >= 2 && this.sum > 0) {
      const mean = this.sum / this.n;
      const cv = Math.sqrt(Math.max(0, this.sumSq / this.n - mean * mean)) / mean;
      this.cv = Number.isNaN(this.cv) ? cv : this.cv + ALPHA * (cv - this.cv);
    }
    this.n = this.sum = this.sumSq = 0;
  }

  /** The p90 relative excess of a tick's rate over its window's mean; 0 before any window had two ticks. */
  get excess(): number {
    return Number.isNaN(this.cv) ? 0 : Z90 * this.cv;
  }
}

/**
 * When the KDP re-estimates its models' parameters (kdp.ts): at 16, 32, 64, … closed windows
 * while learning, up to `every`; then every `every` windows (`fixed`, the default), or, with the
 * `error` schedule, at a due time only if the chosen models' measured error (`modelError`) has
 * grown by more than REFIT_SLACK since the last refit or the last is REFIT_MAX_SKIPS periods old,
 * and between due times when that error reaches REFIT_EARLY × (a changed regime).
 */
import type { ForecastSeries } from './series.ts';

/** A due refit runs when the measured error exceeds the one at the last refit by this share. */
const REFIT_SLACK = 0.1;
/** A refit runs between due ones when the measured error reaches this multiple of the one at the last refit. */
const REFIT_EARLY = 1.5;
/** A refit runs at the latest after this many refit periods. */
const REFIT_MAX_SKIPS = 4;

export class RefitSchedule {
  private nextFit = 16;
  /** Window count at the last refit, and the measured error then. */
  private lastFit = 0;
  private fitError: number | null = null;
  refits = 0;
  refitsSkipped = 0;

  constructor(
    private readonly every: number,
    private readonly originEvery: number,
    private readonly mode: 'error' | 'fixed',
  ) {}

  /** Whether to refit now that `closed` windows have closed; `error` measures the models' error (read only when the schedule needs it). */
  due(closed: number, error: () => number | null): boolean {
    const every = this.every;
    const err = closed > every && this.fitError !== null && this.mode === 'error' ? error() : null;
    if (closed >= this.nextFit) {
      const run = err === null || err > (1 + REFIT_SLACK) * this.fitError! || closed - this.lastFit >= REFIT_MAX_SKIPS * every;
      if (!run) this.refitsSkipped++;
      this.nextFit = closed < every ? Math.min(closed * 2, every) : closed + every;
      return run;
    }
    if (err !== null && closed - this.lastFit >= every / 4 && closed % this.originEvery === 0 && err > REFIT_EARLY * this.fitError!) {
      this.nextFit = closed + every;
      return true;
    }
    return false;
  }

  /** Notes a refit at `closed` windows, with the measured error just before it. */
  fitted(closed: number, error: number | null): void {
    this.fitError = error;
    this.lastFit = closed;
    this.refits++;
  }
}

/**
 * The chosen models' measured error: their backtest errors (exponentially weighted mean absolute
 * error over the scored leads, backtest.ts) summed over `series`, over the series' mean rates
 * (`groupMeanRate` summed over their micro-groups); null before any is scored.
 */
export function modelError(series: readonly ForecastSeries[], groupMeanRate: Float64Array): number | null {
  let err = 0;
  let level = 0;
  for (const s of series) {
    const sc = s.scores.get(s.chosen);
    if (!sc) continue;
    err += sc.ew;
    for (let g = s.g0; g < s.g1; g++) level += groupMeanRate[g];
  }
  return level > 0 ? err / level : null;
}

/** The forecast source interface of the predictive code path, apart so that its sources need not import the policy. */
import type { KeyBatch } from '../model/batch.ts';
import type { Forecast } from '../model/forecast.ts';

/**
 * Where the predictive code path gets its forecasts: the KDP (`predictive`), or the workload's
 * truth (`oracle`, perfect-forecast.ts). `tickExcess` is the p90 relative excess of a tick's
 * load over its window's mean, for the observed window's tail.
 */
export interface ForecastSource {
  observe(batch: KeyBatch): void;
  forecast(nowMs: number, horizonWindows: number): Forecast;
  readonly tickExcess: number;
}

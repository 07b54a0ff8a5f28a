/** The Key Distribution Profiler (KDP): windows, ranges, models, model choice, probabilistic forecasts, anomalies. */
import './models/index.ts';
export * from './forecaster.ts';
export { KeyDistributionProfiler, type ProfilerOptions, type ForecastAccuracy, type ModelChoice } from './kdp.ts';
export { forecastSeries, expandModels, INTERVAL_WIDEN, type SeriesOptions, type SeriesForecast } from './select.ts';
export { OnlineAnomalyDetector, scoreSeries, evaluateWindows, type DetectorOptions, type PointScore, type WindowEvaluation } from './anomaly.ts';
export { smape, mase, maseScale, naive2, snaive, owa, isSeasonal } from './metrics.ts';

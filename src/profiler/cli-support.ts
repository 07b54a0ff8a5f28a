/** What the `forecast` and `anomalies` commands load lazily: parsing, formatting, models, detector. */
export { parseSeriesCsv, parseTimedCsv, fmt, nextTimes } from './series-csv.ts';
export { forecastSeries } from './select.ts';
export { isModelName, MODEL_NAMES } from './forecaster.ts';
export { OnlineAnomalyDetector } from './anomaly.ts';

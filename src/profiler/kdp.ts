/**
 * The Key Distribution Profiler (KDP): the continuous forecasting service a predictive policy
 * drives inside the simulation (and that runs unchanged on a real system's per-bucket counts).
 * This file is the facade: it owns the open window and wires the parts below, one per file.
 *
 * ```ts
 * const kdp = new KeyDistributionProfiler({ buckets: 4096, windowMs: 60_000, models: ['auto'],
 *   seasonsMs: [DAY, WEEK], historyMs: 8 * DAY, rng: random.fork('kdp/predictive') });
 * workload.subscribe((b) => kdp.observe(b));          // every tick
 * const f = kdp.forecast(nowMs, 30);                  // every few minutes: 30 windows ahead
 * f.windows[0].ranges;        // [{ range: {start,end}, probability, model }], probabilities sum to 1
 * f.windows[0].totalRate;     // { mean, p10, p50, p90 } records/s
 * f.windows[0].expectedLoad;  // records/s per bucket (and upperLoad: p90)
 * f.anomalies;                // recent flags: residual | level-shift | new-keys
 * kdp.accuracy();             // { smape, mase, coverage80, windows } of the issued forecasts so far
 * ```
 *
 * How it works (costs in brackets, B buckets, G micro-groups, R ranges):
 * - Windows: `observe` adds each batch into the open window's per-bucket counts [O(B) per
 *   batch]; a batch belongs to the window holding its `timeMs`. Closing a window turns it into
 *   records/s per micro-group (G = min(B, 256) equal groups of buckets) kept in a ring of
 *   `historyMs` (`group-history.ts`) [O(B) per window, no rescan of history], updates per-bucket
 *   weights (for spreading a range's load over its buckets), new-key detection (`new-keys.ts`)
 *   and the within-window burstiness (`tick-variation.ts`).
 * - Ranges: R (default 16) forecast ranges (`series.ts`) are unions of micro-groups. They start
 *   equal-width and are re-cut to equal load at a refit when out of balance (`range-cut.ts`); a
 *   re-cut rebuilds range histories from the group ring [O(history × G), at refits only]. A range
 *   it leaves as it was keeps its series; a new one starts with the record (scores, model in use,
 *   relative errors) of the old range it shares most load with, not with the ±20 % default band.
 * - Models: each range and the total rate has one instance of every candidate model (`auto`:
 *   seasonal-naive, ets, mstl, arima and their ensemble; name others to opt in, e.g. `lstm`). All
 *   are updated incrementally every window [O(1)–O(p) each]; parameters are re-estimated on the
 *   last `fitWindows` of history at refits: at 16, 32, 64, … windows while learning, then every
 *   `refitEveryWindows` (default 6 h of windows), warm-started from the previous parameters
 *   (`refitSchedule: 'error'` ties the refits to measured error: refit-schedule.ts).
 * - Choice (`backtest.ts`): every `originEveryWindows` (default 10) each candidate's forecast of
 *   the next `evalHorizonWindows` (default 30) is stored and scored as those windows close; per
 *   series the candidate with the lowest weighted error is used.
 * - Output: shares = the ranges' forecasts normalised to 1 per window; total-rate quantiles from
 *   the chosen model's recent relative errors at nearby lead times (±20 % before ten); per-bucket
 *   expected load = total mean × range share × the range's shape (`shape.ts`: `recent` or
 *   `seasonal`, chosen per range and lead by backtest) × bucket weight in the group (`spread.ts`);
 *   or, at leads where it backtests better (`picture-choice.ts`), the drift picture (`drift.ts`: a
 *   static baseline plus the moving part translated at its measured velocity) × total mean.
 *   `upperLoad` uses the range's p90 combined with the tick excess (`tickExcess`).
 * - Anomalies: an `OnlineAnomalyDetector` per range and for the total (residual and level-shift
 *   scores), plus new keys once the profiler has warmed up.
 * - Accuracy (`accuracy.ts`): the issued total-rate forecasts, scored as their windows close.
 *
 * Byte-deterministic: no wall clock, no `Math.random` (the LSTM draws from `rng`), ordered loops only.
 */
import './models/index.ts';
import type { KeyBatch } from '../model/batch.ts';
import type { AnomalyFlag, Forecast, ForecastWindow, RangeShare } from '../model/forecast.ts';
import type { KeyRange } from '../model/key-range.ts';
import { AccuracyTracker, type ForecastAccuracy } from './accuracy.ts';
import { Backtest } from './backtest.ts';
import { BlockShares, driftPictureOf, type DriftPicture } from './drift.ts';
import { createForecaster } from './forecaster.ts';
import { GroupHistory } from './group-history.ts';
import { NewKeyDetector } from './new-keys.ts';
import { PictureChoice } from './picture-choice.ts';
import { equalWidthCuts, recut, recutRanges } from './range-cut.ts';
import { modelError, RefitSchedule } from './refit-schedule.ts';
import { ForecastSeries } from './series.ts';
import { resolveSettings, type ProfilerSettings } from './settings.ts';
import { rangeShape } from './shape.ts';
import { groupSharesOf, shareWithinSpans, spreadGroups, spreadShapedPair } from './spread.ts';
import { TickVariation } from './tick-variation.ts';

export type { ForecastAccuracy } from './accuracy.ts';
export type { ProfilerOptions } from './settings.ts';
import type { ProfilerOptions } from './settings.ts';

/** Flags kept for `anomalies()`. */
const MAX_FLAGS = 1000;
/** New-key records must be at least this share of a window's records to raise a flag. */
const NEW_KEY_MIN_SHARE = 0.001;

/** The chosen model per series (`'total'` or a range label). */
export interface ModelChoice {
  readonly range: KeyRange | 'total';
  readonly model: string;
  readonly scores: Readonly<Record<string, number>>;
}

/** What one `forecast` call shares between its windows. */
interface ForecastFrame {
  /** Start of the window at step 0 (the open window) and the first step returned. */
  readonly firstMs: number;
  readonly skip: number;
  /** Point forecasts of the total and of each range, per step. */
  readonly total: Float64Array;
  readonly ranges: readonly Float64Array[];
  /** Each bucket's share within its micro-group, and within its range. */
  readonly inGroup: Float64Array;
  readonly inRange: Float64Array;
  readonly drift: DriftPicture | null;
  readonly tickExcess: number;
  /** Each range's recent shape once computed (null: none), the same at every step. */
  readonly recentShapes: (Float64Array | null | undefined)[];
}

export class KeyDistributionProfiler {
  readonly buckets: number;
  readonly windowMs: number;
  readonly seasonsMs: readonly number[];
  private readonly settings: ProfilerSettings;

  /** The open window: its start and per-bucket counts. */
  private openStartMs = NaN;
  private readonly openCounts: Float64Array;
  private readonly ticks = new TickVariation();
  private readonly history: GroupHistory;
  private readonly newKeys: NewKeyDetector;
  private readonly blocks: BlockShares;
  private readonly pictures = new PictureChoice();
  private readonly accuracyTracker = new AccuracyTracker();
  private readonly backtest: Backtest;
  private series: ForecastSeries[];
  private readonly total: ForecastSeries;
  /** When the models are refit; its `refits` and `refitsSkipped` count them. */
  readonly schedule: RefitSchedule;
  private flags: AnomalyFlag[] = [];

  constructor(opts: ProfilerOptions) {
    const settings = resolveSettings(opts);
    this.settings = settings;
    this.buckets = settings.buckets;
    this.windowMs = settings.windowMs;
    this.seasonsMs = settings.seasonsMs;
    const groups = settings.groups;
    this.openCounts = new Float64Array(this.buckets);
    this.history = new GroupHistory(this.buckets, groups, settings.historyWindows);
    this.newKeys = new NewKeyDetector(this.buckets);
    this.blocks = new BlockShares(groups, settings.blockWindows, settings.blockCapacity);
    this.backtest = new Backtest(settings.candidates, settings.backtestLeads);
    this.schedule = new RefitSchedule(settings.refitEvery, settings.originEvery, settings.refitSchedule);
    this.series = this.makeRanges(equalWidthCuts(groups, settings.rangeCount));
    this.total = this.makeSeries(0, groups);
  }

  private makeSeries(g0: number, g1: number): ForecastSeries {
    const start = this.history.groupStart;
    return new ForecastSeries({ start: start[g0], end: start[g1] }, g0, g1, this.settings.anomalyThreshold, this.seasonsMs[0] ?? 0, this.settings.candidates[0]);
  }

  private makeRanges(cuts: readonly number[]): ForecastSeries[] {
    const out: ForecastSeries[] = [];
    for (let r = 0; r + 1 < cuts.length; r++) out.push(this.makeSeries(cuts[r], cuts[r + 1]));
    return out;
  }

  /**
   * The p90 relative excess of the rate over a tick above its window's mean (1.2816 × the
   * windows' coefficient of variation of per-tick totals, exponentially weighted; 0 before two
   * ticks in a window). A cluster serves tick by tick: load the window mean hides still queues.
   */
  get tickExcess(): number {
    return this.ticks.excess;
  }

  /** Windows closed so far. */
  get windowsObserved(): number {
    return this.history.closed;
  }

  /** The current forecast ranges. */
  get ranges(): readonly KeyRange[] {
    return this.series.map((s) => s.range);
  }

  /** Adds one tick's batch (its buffer is read, not kept). */
  observe(batch: KeyBatch): void {
    if (batch.counts.length !== this.buckets) throw new Error(`batch has ${batch.counts.length} buckets, profiler ${this.buckets}`);
    if (Number.isNaN(this.openStartMs)) this.openStartMs = Math.floor(batch.timeMs / this.windowMs) * this.windowMs;
    while (batch.timeMs >= this.openStartMs + this.windowMs) this.closeWindow();
    const c = batch.counts;
    const open = this.openCounts;
    for (let b = 0; b < open.length; b++) open[b] += c[b];
    if (batch.durationMs > 0) this.ticks.add((batch.total * 1000) / batch.durationMs);
  }

  /** Closes every window that ends at or before `timeMs` (call before `forecast` if no batch came lately). */
  advanceTo(timeMs: number): void {
    if (Number.isNaN(this.openStartMs)) return;
    while (timeMs >= this.openStartMs + this.windowMs) this.closeWindow();
  }

  /** Every series: the ranges, then the total (the order of `values` and of the backtest). */
  private allSeries(): ForecastSeries[] {
    return [...this.series, this.total];
  }

  private closeWindow(): void {
    const w = this.history.closed;
    const startMs = this.openStartMs;
    const warm = w >= Math.max(60, this.settings.seasonWindows[0] ?? 0);
    const fresh = this.newKeys.check(this.openCounts, warm);
    const records = this.history.append(this.openCounts, this.windowMs / 1000);
    this.openCounts.fill(0);
    this.ticks.closeWindow();
    if (fresh && records > 0 && fresh.records / records >= NEW_KEY_MIN_SHARE) {
      this.flags.push({ timeMs: startMs, kind: 'new-keys', range: { start: fresh.start, end: fresh.end }, score: (100 * fresh.records) / records });
    }
    this.openStartMs += this.windowMs;
    const all = this.allSeries();
    const values = all.map((s) => this.history.spanRate(s.g0, s.g1, w));
    this.scoreWindow(w, startMs, all, values);
    for (let i = 0; i < all.length; i++) {
      const s = all[i];
      if (s.fitted) for (const mdl of s.models.values()) mdl.update(values[i]);
      const sc = s.detector.push(startMs, values[i]);
      if (sc.anomaly) this.flags.push({ timeMs: startMs, kind: sc.kind ?? 'residual', range: s.range, score: sc.score });
    }
    if (this.flags.length > MAX_FLAGS) this.flags.splice(0, this.flags.length - MAX_FLAGS);
    const closed = this.history.closed;
    if (this.schedule.due(closed, () => modelError(this.allSeries(), this.history.groupMeanRate))) {
      const err = modelError(this.allSeries(), this.history.groupMeanRate);
      this.refit();
      this.schedule.fitted(closed, err);
    }
    if (closed % this.settings.originEvery === 0 && this.total.fitted) this.backtest.addOrigin(closed, this.allSeries());
  }

  /** Scores everything that was waiting for window `w` (starting at `startMs`, series `values`), before the models see it. */
  private scoreWindow(w: number, startMs: number, all: readonly ForecastSeries[], values: readonly number[]): void {
    const totalValue = values[values.length - 1];
    // the in-sample seasonal-naive error of the total: the MASE scale
    const m = this.settings.seasonWindows[0] && w >= this.settings.seasonWindows[0] ? this.settings.seasonWindows[0] : 1;
    if (w >= m) this.accuracyTracker.addSeasonalDiff(Math.abs(totalValue - this.history.spanRate(this.total.g0, this.total.g1, w - m)));
    this.backtest.score(w, all, values);
    this.accuracyTracker.score(startMs, totalValue);
    this.pictures.score(startMs, this.pictures.has(startMs) ? this.history.sharesOf(w, w) : null);
    this.blocks.add(this.history, w);
    for (const s of this.series) s.shapes.score(this.history, w, this.settings.shapes);
  }

  private refit(): void {
    this.maybeRecut();
    for (const s of this.allSeries()) {
      const y = this.history.recent(s.g0, s.g1, this.settings.fitWindows);
      if (!s.fitted) {
        for (const name of this.settings.instanceModels) s.models.set(name, createForecaster(name, { seasons: this.settings.seasonWindows, rng: this.settings.rng.fork(`${name}/${s.range.start}-${s.range.end}`) }));
      }
      for (const mdl of s.models.values()) mdl.fit(y);
      s.fitted = true;
    }
  }

  /**
   * Re-cuts the ranges to equal load when out of balance. A range it leaves as it was keeps its
   * series whole; a new one inherits the record of the old range it shares most load with
   * (`ForecastSeries.inherit`), its detector and shape scores warmed on recent history.
   */
  private maybeRecut(): void {
    const old = this.series;
    const current = [...old.map((s) => s.g0), this.history.groups];
    const cuts = recut(this.history.groupMeanRate, current);
    if (!cuts) return;
    const { ranges, kept, fresh } = recutRanges(old, cuts, this.history.groupMeanRate, (g0, g1, donor) => {
      const s = this.makeSeries(g0, g1);
      if (donor) s.inherit(donor);
      return s;
    });
    this.series = ranges;
    this.backtest.resetRanges(kept);
    const closed = this.history.closed;
    const replay = Math.min(closed, this.history.windows, 2 * (this.settings.seasonWindows[0] ?? 144));
    for (let i = replay; i > 0; i--) {
      const t = this.openStartMs - i * this.windowMs;
      for (const s of fresh) s.detector.push(t, this.history.spanRate(s.g0, s.g1, closed - i));
    }
    const replayShapes = Math.min(closed, this.history.windows, 120);
    for (let i = replayShapes; i > 0; i--) for (const s of fresh) s.shapes.score(this.history, closed - i, this.settings.shapes);
  }

  /** Point forecasts of a series for `h` windows (the chosen model; the last value before any fit). */
  private seriesForecast(s: ForecastSeries, h: number): Float64Array {
    if (s.fitted) return s.candidateForecast(s.chosen, h);
    const out = new Float64Array(h);
    const closed = this.history.closed;
    if (closed > 0) out.fill(this.history.spanRate(s.g0, s.g1, closed - 1));
    return out;
  }

  /**
   * The forecast for `horizonWindows` windows, the first being the window that contains `nowMs`
   * (windows not yet closed up to `nowMs` are closed first, as empty if no batch came).
   */
  forecast(nowMs: number, horizonWindows: number): Forecast {
    this.advanceTo(nowMs);
    const horizon = Math.max(1, Math.floor(horizonWindows));
    const firstMs = Number.isNaN(this.openStartMs) ? Math.floor(nowMs / this.windowMs) * this.windowMs : this.openStartMs;
    const skip = Math.max(0, Math.floor((nowMs - firstMs) / this.windowMs));
    const steps = skip + horizon;
    const rangeCuts = [...this.series.map((s) => s.range.start), this.buckets];
    const frame: ForecastFrame = {
      firstMs,
      skip,
      total: this.seriesForecast(this.total, steps),
      ranges: this.series.map((s) => this.seriesForecast(s, steps)),
      inGroup: shareWithinSpans(this.history.bucketWeight, this.history.groupStart, new Float64Array(this.buckets)),
      inRange: shareWithinSpans(this.history.bucketWeight, rangeCuts, new Float64Array(this.buckets)),
      drift: driftPictureOf(this.blocks, this.history, this.settings.blockWindows, this.settings.shapes.recentWindows),
      tickExcess: this.tickExcess,
      recentShapes: new Array(this.series.length),
    };
    const windows: ForecastWindow[] = [];
    for (let k = skip; k < steps; k++) windows.push(this.forecastWindow(frame, k));
    const since = nowMs - this.settings.lookbackMs;
    return {
      id: `f${nowMs}`,
      issuedAtMs: nowMs,
      windowMs: this.windowMs,
      buckets: this.buckets,
      windows,
      anomalies: this.flags.filter((f) => f.timeMs >= since),
    };
  }

  /** The forecast of step `k` (window index closed + k); records what it issued for scoring. */
  private forecastWindow(frame: ForecastFrame, k: number): ForecastWindow {
    const startMs = frame.firstMs + k * this.windowMs;
    const mean = Math.max(0, frame.total[k]);
    const [lo, hi] = this.total.errorBand(k, this.settings.backtestLeads - 1);
    const totalRate = { mean, p50: mean, p10: Math.max(0, mean * (1 + lo)), p90: mean * (1 + hi) };
    const probabilities = this.rangeProbabilities(frame, k);
    const expectedLoad = new Float64Array(this.buckets);
    const upperLoad = new Float64Array(this.buckets);
    this.spreadByRanges(frame, k, mean, probabilities, expectedLoad, upperLoad);
    let drift = false;
    if (frame.drift) {
      const lead = k - frame.skip;
      const driftShares = frame.drift(k, new Float64Array(this.history.groups));
      if (startMs >= this.openStartMs) this.pictures.record(startMs, lead, groupSharesOf(expectedLoad, this.history.groupStart), driftShares);
      if (this.pictures.prefersDrift(lead)) {
        drift = true;
        // the drift picture: total mean × group share, spread in a group by bucket weights
        spreadGroups(expectedLoad, this.history.groupStart, frame.inGroup, driftShares, mean);
        const upFactor = 1 + Math.hypot(hi, frame.tickExcess);
        for (let b = 0; b < this.buckets; b++) upperLoad[b] = expectedLoad[b] * upFactor;
        this.series.forEach((s, i) => {
          let p = 0;
          for (let g = s.g0; g < s.g1; g++) p += driftShares[g];
          probabilities[i] = p;
        });
      }
    }
    const ranges: RangeShare[] = this.series.map((s, i) => ({
      range: s.range,
      probability: probabilities[i],
      model: drift ? 'drift' : s.fitted ? s.chosen : 'last-value',
    }));
    if (startMs >= this.openStartMs) this.accuracyTracker.record(startMs, { mean, p10: totalRate.p10, p90: totalRate.p90 });
    return { startMs, totalRate, ranges, expectedLoad, upperLoad };
  }

  /** Each range's share of the total at step `k`: its forecast over the sum (by width when all are 0). */
  private rangeProbabilities(frame: ForecastFrame, k: number): number[] {
    const raw = frame.ranges.map((f) => Math.max(0, f[k]));
    let sum = 0;
    for (const v of raw) sum += v;
    return this.series.map((s, i) => (sum > 0 ? raw[i] / sum : (s.range.end - s.range.start) / this.buckets));
  }

  /** Per-bucket loads from the ranges: each range's share of `mean`, spread over its groups by its shape, then over buckets by weight. */
  private spreadByRanges(frame: ForecastFrame, k: number, mean: number, probabilities: readonly number[], expectedLoad: Float64Array, upperLoad: Float64Array): void {
    const closed = this.history.closed;
    const groupStart = this.history.groupStart;
    const groupBuf = new Float64Array(this.history.groups);
    this.series.forEach((s, i) => {
      const rMean = mean * probabilities[i];
      const rUp = rMean * (1 + Math.hypot(s.upperBand(k, this.settings.backtestLeads - 1), frame.tickExcess));
      // micro-group spread of the range by its shape (absolute window index closed + k)
      const shaped = closed > 0 ? rangeShape(this.history, s, k, closed, this.settings.shapes, frame.recentShapes, i, groupBuf) : null;
      spreadShapedPair(expectedLoad, rMean, upperLoad, rUp, shaped, s, groupStart, frame.inGroup, frame.inRange);
    });
  }

  /** Flags raised at or after `sinceMs` (all kept flags by default; the last 1000 are kept). */
  anomalies(sinceMs = -Infinity): AnomalyFlag[] {
    return this.flags.filter((f) => f.timeMs >= sinceMs);
  }

  /** Accuracy of the total-rate forecasts issued by `forecast` and evaluated so far. */
  accuracy(): ForecastAccuracy {
    return this.accuracyTracker.summary();
  }

  /** The model in use per range and for the total, with each candidate's backtest error. */
  modelChoices(): ModelChoice[] {
    const one = (s: ForecastSeries, range: KeyRange | 'total'): ModelChoice => ({
      range,
      model: s.fitted ? s.chosen : 'last-value',
      scores: Object.fromEntries([...s.scores].map(([k, v]) => [k, v.ew])),
    });
    return [...this.series.map((s) => one(s, s.range)), one(this.total, 'total')];
  }
}

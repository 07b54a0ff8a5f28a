/**
 * The Key Distribution Profiler (KDP): the continuous forecasting service a predictive policy
 * drives inside the simulation (and that runs unchanged on a real system's per-bucket counts).
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
 *   `historyMs` [O(B) per window, no rescan of history], updates per-bucket weights (an
 *   exponentially weighted mean, for spreading a range's load over its buckets) and new-key
 *   detection.
 * - Ranges: R (default 16) forecast ranges are unions of micro-groups. They start equal-width and
 *   are re-cut to equal load (by the groups' slowly weighted mean load) at a refit when the
 *   heaviest range carries more than 1.5× or the lightest less than 0.5× its fair share; a re-cut
 *   rebuilds range histories from the group ring [O(history × G), at refits only].
 * - Models: each range and the total rate has one instance of every candidate model (`auto`:
 *   seasonal-naive, ets, mstl, arima and their ensemble; name others to opt in, e.g. `lstm`). All
 *   are updated incrementally every window [O(1)–O(p) each]; parameters are re-estimated on the
 *   last `fitWindows` of history at refits: at 16, 32, 64, … windows while learning, then every
 *   `refitEveryWindows` (default 6 h of windows), warm-started from the previous parameters.
 * - Choice: every `originEveryWindows` (default 10) each candidate's forecast of the next
 *   `evalHorizonWindows` (default 30) is stored; as those windows close its absolute errors are
 *   scored (a rolling-origin backtest done prequentially, on data never fitted). Per series the
 *   candidate with the lowest exponentially weighted error (newer origins weigh more) is used, so
 *   the choice follows the stream; a series without scores yet uses the pooled choice of all.
 * - Output: shares = the ranges' forecasts normalised to 1 per window; total-rate quantiles from
 *   the chosen model's recent relative errors at nearby lead times (±20 % before any); per-bucket
 *   expected load = total mean × range share × the range's shape (`recent` or `seasonal` spread
 *   over its micro-groups, chosen per range and lead by backtest) × bucket weight in the group;
 *   or, at leads where it backtests better, the drift picture (`driftModel`: a static baseline
 *   plus the moving part translated at its measured velocity) × total mean. `upperLoad` uses the
 *   range's p90 combined with the tick excess (`tickExcess`).
 * - Anomalies: an `OnlineAnomalyDetector` per range and for the total (residual and level-shift
 *   scores), plus new keys: records in buckets never seen before, once the profiler has warmed up.
 *
 * Byte-deterministic: no wall clock, no `Math.random` (the LSTM draws from `rng`), ordered loops only.
 */
import './models/index.ts';
import type { RandomStream } from '../engine/random.ts';
import type { KeyBatch } from '../model/batch.ts';
import type { AnomalyFlag, Forecast, ForecastWindow, RangeShare } from '../model/forecast.ts';
import type { KeyRange } from '../model/key-range.ts';
import { createForecaster, ENSEMBLE_MEMBERS, type BaseModelName, type Forecaster, type ModelName } from './forecaster.ts';
import { expandModels } from './select.ts';
import { OnlineAnomalyDetector } from './anomaly.ts';
import { quantileOfSorted, RecentSorted } from './util.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Options of the profiler; everything but `buckets` and `rng` has a default. */
export interface ProfilerOptions {
  /** Fine buckets of the key space (the batches' `counts` length). */
  readonly buckets: number;
  /** Aggregation window (default 1 minute). */
  readonly windowMs?: number;
  /** Candidate models (default `['auto']`). */
  readonly models?: readonly ModelName[];
  /** Seasonal periods in ms, primary first (default one day and one week). */
  readonly seasonsMs?: readonly number[];
  /** History kept (default 8 days). */
  readonly historyMs?: number;
  /** Seeded stream (for the LSTM's initial weights). */
  readonly rng: RandomStream;
  /** Forecast ranges (default 16, at most the micro-groups). */
  readonly ranges?: number;
  /** Micro-groups of buckets the history is kept at (default min(buckets, 256)). */
  readonly microGroups?: number;
  /** Parameter re-estimation cadence once warmed up (default 6 h of windows). */
  readonly refitEveryWindows?: number;
  /** Points of history a fit uses at most (default 4 primary seasons, at least 512). */
  readonly fitWindows?: number;
  /** Backtest origin cadence (default 10 windows) and lead (default 30 windows). */
  readonly originEveryWindows?: number;
  readonly evalHorizonWindows?: number;
  /** Anomaly score threshold (default 6) and how far back `forecast` reports flags (default 10 windows). */
  readonly anomalyThreshold?: number;
  readonly anomalyLookbackMs?: number;
}

/**
 * How a range's forecast load is spread over its micro-groups: `recent` = as in the last few
 * windows (a persistence forecast of the shape); `seasonal` = as one primary season before the
 * forecast window (a moving hot spot that repeats daily is exactly there). Chosen per range and
 * lead by backtest (`Series.shapeErr`).
 */
const SHAPES = ['recent', 'seasonal'] as const;
type Shape = (typeof SHAPES)[number];

/** A model's recent backtest record on one series. */
interface Score {
  ew: number;
  origins: number;
}

/** One forecast series: a range's (or the total's) records/s per window with its models. */
class Series {
  models = new Map<BaseModelName, Forecaster>();
  scores = new Map<string, Score>();
  /** Recent relative errors (actual/forecast − 1) of the candidate in use, per lead (last 40 each, also sorted). */
  relErr: RecentSorted[] = [];
  /** Cached p10/p90 bands per lead, cleared whenever `relErr` changes. */
  bandCache = new Map<number, [number, number]>();
  detector: OnlineAnomalyDetector;
  chosen: string;
  fitted = false;
  /**
   * Backtest error of each shape candidate (SHAPES) at the near and the far shape lead: an
   * exponentially weighted total-variation distance between the candidate's spread of the
   * range's load over its micro-groups and the spread observed. NaN until scored.
   */
  shapeErr = new Float64Array(2 * SHAPES.length).fill(NaN);
  constructor(
    readonly range: KeyRange,
    readonly g0: number,
    readonly g1: number,
    detectorThreshold: number,
    seasonMs: number,
    defaultModel: string,
  ) {
    this.detector = new OnlineAnomalyDetector({ seasonMs, threshold: detectorThreshold });
    this.chosen = defaultModel;
  }
}

/** A pending backtest: forecasts of every candidate made at window index `origin`. */
interface Origin {
  origin: number;
  /** Per series, per candidate. */
  fc: Map<string, Float64Array>[];
  /** The candidate in use at the origin, per series. */
  used: string[];
}

/** Accuracy of the issued total-rate forecasts (`accuracy()`). */
export interface ForecastAccuracy {
  /** Mean sMAPE (percent) over every (issued forecast, window) pair evaluated. */
  readonly smape: number;
  /** Mean absolute error ÷ the in-sample seasonal-naive error of the total rate. */
  readonly mase: number;
  /** Share of evaluated windows whose actual total rate fell inside [p10, p90]. */
  readonly coverage80: number;
  /** Evaluated (forecast, window) pairs. */
  readonly windows: number;
}

/** The chosen model per series (`'total'` or a range label). */
export interface ModelChoice {
  readonly range: KeyRange | 'total';
  readonly model: string;
  readonly scores: Readonly<Record<string, number>>;
}

export class KeyDistributionProfiler {
  readonly buckets: number;
  readonly windowMs: number;
  readonly seasonsMs: readonly number[];
  private readonly cands: BaseModelName[];
  private readonly instances: BaseModelName[];
  private readonly G: number;
  private readonly gStart: Int32Array;
  private readonly R: number;
  private readonly cap: number;
  private readonly seasonsW: number[];
  private readonly refitEvery: number;
  private readonly fitWindows: number;
  private readonly originEvery: number;
  private readonly evalH: number;
  private readonly threshold: number;
  private readonly lookbackMs: number;
  private readonly rng: RandomStream;
  /** Windows averaged by the `recent` shape, and the near/far leads shapes are scored at. */
  private readonly recentW: number;
  private readonly shapeLeads: readonly [number, number];

  private acc: Float64Array;
  /** Per-tick total rates of the open window: count, sum, sum of squares. */
  private tickN = 0;
  private tickSum = 0;
  private tickSq = 0;
  /** Exponentially weighted coefficient of variation of the tick rates within a window. */
  private tickCv = NaN;
  private accStart = NaN;
  private accAny = false;
  /** Ring of per-group records/s: window i at row i % cap. */
  private hist: Float64Array;
  private closed = 0;
  private bucketEw: Float64Array;
  private groupEw: Float64Array;
  private seen: Uint8Array;
  private series: Series[] = [];
  private total: Series;
  private origins: Origin[] = [];
  private nextFit = 16;
  private flags: AnomalyFlag[] = [];
  private issued = new Map<number, { mean: number; p10: number; p90: number }[]>();
  /**
   * Key-space pictures (micro-group shares) issued per window start, per lead: the range-based
   * one and the drift one, scored against the window's actual shares when it closes.
   */
  private issuedShapes = new Map<number, { lead: number; ranges: Float64Array; drift: Float64Array }[]>();
  /** Per lead: exponentially weighted TV error of the range-based and the drift picture. */
  private pictureErr: { ranges: number; drift: number; n: number }[] = [];
  /** Per micro-group share of each closed block of windows (ring of `blockCap` blocks) for the drift baseline. */
  private blockShares: Float64Array;
  private blockAcc: Float64Array;
  private blockN = 0;
  private blocks = 0;
  private readonly blockW: number;
  private readonly blockCap: number;
  private acc_ = { smape: 0, absErr: 0, covered: 0, n: 0 };
  private seasDiffSum = 0;
  private seasDiffN = 0;

  constructor(opts: ProfilerOptions) {
    if (!(opts.buckets >= 1)) throw new Error('buckets must be ≥ 1');
    this.buckets = opts.buckets;
    this.windowMs = opts.windowMs ?? MINUTE;
    this.seasonsMs = opts.seasonsMs ?? [DAY, WEEK];
    this.rng = opts.rng;
    this.cands = expandModels(opts.models ?? ['auto']);
    const inst: BaseModelName[] = this.cands.filter((c) => c !== 'ensemble');
    if (this.cands.includes('ensemble')) for (const m of ENSEMBLE_MEMBERS) if (!inst.includes(m)) inst.push(m);
    this.instances = inst;
    this.G = Math.max(1, Math.min(this.buckets, opts.microGroups ?? 256));
    this.gStart = new Int32Array(this.G + 1);
    for (let g = 0; g <= this.G; g++) this.gStart[g] = Math.floor((g * this.buckets) / this.G);
    this.R = Math.max(1, Math.min(this.G, opts.ranges ?? 16));
    this.cap = Math.max(16, Math.ceil((opts.historyMs ?? 8 * DAY) / this.windowMs));
    this.seasonsW = this.seasonsMs.map((s) => Math.round(s / this.windowMs)).filter((s) => s >= 2);
    this.refitEvery = Math.max(1, opts.refitEveryWindows ?? Math.round((6 * 3_600_000) / this.windowMs));
    this.fitWindows = Math.min(this.cap, opts.fitWindows ?? Math.max(512, 4 * (this.seasonsW[0] ?? 0)));
    this.originEvery = Math.max(1, opts.originEveryWindows ?? 10);
    this.evalH = Math.max(1, opts.evalHorizonWindows ?? 30);
    this.threshold = opts.anomalyThreshold ?? 6;
    this.lookbackMs = opts.anomalyLookbackMs ?? 10 * this.windowMs;
    this.recentW = Math.max(1, Math.round((5 * MINUTE) / this.windowMs));
    this.blockW = Math.max(1, Math.round(3_600_000 / this.windowMs));
    this.blockCap = Math.max(2, Math.round((this.seasonsMs[0] ?? DAY) / (this.blockW * this.windowMs)));
    this.blockShares = new Float64Array(this.blockCap * this.G);
    this.blockAcc = new Float64Array(this.G);
    this.shapeLeads = [1, Math.max(2, Math.round(this.evalH / 2))];
    this.acc = new Float64Array(this.buckets);
    this.hist = new Float64Array(this.cap * this.G);
    this.bucketEw = new Float64Array(this.buckets);
    this.groupEw = new Float64Array(this.G);
    this.seen = new Uint8Array(this.buckets);
    const cuts: number[] = [];
    for (let r = 0; r <= this.R; r++) cuts.push(Math.floor((r * this.G) / this.R));
    this.series = this.makeRanges(cuts);
    this.total = this.makeSeries(0, this.G);
  }

  private makeSeries(g0: number, g1: number): Series {
    return new Series({ start: this.gStart[g0], end: this.gStart[g1] }, g0, g1, this.threshold, this.seasonsMs[0] ?? 0, this.cands[0]);
  }

  private makeRanges(cuts: number[]): Series[] {
    const out: Series[] = [];
    for (let r = 0; r + 1 < cuts.length; r++) out.push(this.makeSeries(cuts[r], cuts[r + 1]));
    return out;
  }

  /**
   * The p90 relative excess of the rate over a tick above its window's mean (1.2816 × the
   * windows' coefficient of variation of per-tick totals, exponentially weighted; 0 before two
   * ticks in a window). A cluster serves tick by tick: load the window mean hides still queues.
   */
  get tickExcess(): number {
    return Number.isNaN(this.tickCv) ? 0 : 1.2816 * this.tickCv;
  }

  /** Windows closed so far. */
  get windowsObserved(): number {
    return this.closed;
  }

  /** The current forecast ranges. */
  get ranges(): readonly KeyRange[] {
    return this.series.map((s) => s.range);
  }

  /** Adds one tick's batch (its buffer is read, not kept). */
  observe(batch: KeyBatch): void {
    if (batch.counts.length !== this.buckets) throw new Error(`batch has ${batch.counts.length} buckets, profiler ${this.buckets}`);
    if (Number.isNaN(this.accStart)) this.accStart = Math.floor(batch.timeMs / this.windowMs) * this.windowMs;
    while (batch.timeMs >= this.accStart + this.windowMs) this.closeWindow();
    const c = batch.counts;
    const a = this.acc;
    for (let b = 0; b < a.length; b++) a[b] += c[b];
    this.accAny = true;
    if (batch.durationMs > 0) {
      const r = (batch.total * 1000) / batch.durationMs;
      this.tickN++;
      this.tickSum += r;
      this.tickSq += r * r;
    }
  }

  /** Closes every window that ends at or before `timeMs` (call before `forecast` if no batch came lately). */
  advanceTo(timeMs: number): void {
    if (Number.isNaN(this.accStart)) return;
    while (timeMs >= this.accStart + this.windowMs) this.closeWindow();
  }

  private seriesValue(s: Series, row: number): number {
    let v = 0;
    const base = row * this.G;
    for (let g = s.g0; g < s.g1; g++) v += this.hist[base + g];
    return v;
  }

  private closeWindow(): void {
    const w = this.closed;
    const startMs = this.accStart;
    const sec = this.windowMs / 1000;
    const row = (w % this.cap) * this.G;
    const a = this.acc;
    // per-group rates, bucket weights, new keys
    let newRecords = 0;
    let newLo = -1;
    let newHi = -1;
    let total = 0;
    const warm = w >= Math.max(60, this.seasonsW[0] ?? 0);
    for (let g = 0; g < this.G; g++) {
      let s = 0;
      for (let b = this.gStart[g]; b < this.gStart[g + 1]; b++) {
        const v = a[b];
        s += v;
        this.bucketEw[b] += 0.05 * (v - this.bucketEw[b]);
        if (v > 0 && !this.seen[b]) {
          this.seen[b] = 1;
          if (warm) {
            newRecords += v;
            if (newLo < 0) newLo = b;
            newHi = b + 1;
          }
        }
      }
      this.hist[row + g] = s / sec;
      this.groupEw[g] += (w === 0 ? 1 : 0.01) * (s / sec - this.groupEw[g]);
      total += s;
    }
    a.fill(0);
    this.accAny = false;
    if (this.tickN >= 2 && this.tickSum > 0) {
      const mean = this.tickSum / this.tickN;
      const cv = Math.sqrt(Math.max(0, this.tickSq / this.tickN - mean * mean)) / mean;
      this.tickCv = Number.isNaN(this.tickCv) ? cv : this.tickCv + 0.05 * (cv - this.tickCv);
    }
    this.tickN = this.tickSum = this.tickSq = 0;
    if (newRecords > 0 && total > 0 && newRecords / total >= 0.001) {
      this.flags.push({ timeMs: startMs, kind: 'new-keys', range: { start: newLo, end: newHi }, score: (100 * newRecords) / total });
    }
    this.closed++;
    this.accStart += this.windowMs;
    const all = [...this.series, this.total];
    const values = all.map((s) => this.seriesValue(s, w % this.cap));
    // seasonal-naive scale for MASE of the total
    const m = this.seasonsW[0] && w >= this.seasonsW[0] ? this.seasonsW[0] : 1;
    if (w >= m) {
      this.seasDiffSum += Math.abs(values[values.length - 1] - this.seriesValue(this.total, (w - m) % this.cap));
      this.seasDiffN++;
    }
    // score pending backtests, then update models and detectors
    this.scoreOrigins(w, values);
    this.scoreIssued(startMs, values[values.length - 1]);
    this.scorePictures(startMs, w);
    this.addBlock(w);
    for (const s of this.series) this.scoreShapes(s, w);
    for (let i = 0; i < all.length; i++) {
      const s = all[i];
      if (s.fitted) for (const mdl of s.models.values()) mdl.update(values[i]);
      const sc = s.detector.push(startMs, values[i]);
      if (sc.anomaly) this.flags.push({ timeMs: startMs, kind: sc.kind ?? 'residual', range: s.range, score: sc.score });
    }
    if (this.flags.length > 1000) this.flags.splice(0, this.flags.length - 1000);
    if (this.closed >= this.nextFit) {
      this.refit();
      this.nextFit = this.closed < this.refitEvery ? Math.min(this.closed * 2, this.refitEvery) : this.closed + this.refitEvery;
    }
    if (this.closed % this.originEvery === 0 && this.total.fitted) this.makeOrigin();
  }

  private history(s: Series): Float64Array {
    const n = Math.min(this.closed, this.fitWindows, this.cap);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.seriesValue(s, (this.closed - n + i) % this.cap);
    return out;
  }

  private refit(): void {
    this.maybeRecut();
    for (const s of [...this.series, this.total]) {
      const y = this.history(s);
      if (!s.fitted) {
        for (const name of this.instances) s.models.set(name, createForecaster(name as BaseModelName, { seasons: this.seasonsW, rng: this.rng.fork(`${name}/${s.range.start}-${s.range.end}`) }));
      }
      for (const mdl of s.models.values()) mdl.fit(y);
      s.fitted = true;
    }
  }

  private maybeRecut(): void {
    const R = this.series.length;
    let sum = 0;
    for (let g = 0; g < this.G; g++) sum += this.groupEw[g];
    if (sum <= 0 || R < 2) return;
    const fair = sum / R;
    let worst = 0;
    let least = Infinity;
    for (const s of this.series) {
      let l = 0;
      for (let g = s.g0; g < s.g1; g++) l += this.groupEw[g];
      worst = Math.max(worst, l / fair);
      least = Math.min(least, l / fair);
    }
    if (worst <= 1.5 && least >= 0.5) return;
    // equal-load cut at group boundaries (a little uniform load keeps empty stretches in a range)
    const eps = (0.01 * sum) / this.G;
    const tot = sum + eps * this.G;
    const cuts = [0];
    let run = 0;
    for (let g = 0; g < this.G; g++) {
      run += this.groupEw[g] + eps;
      const r = cuts.length;
      if (r < R && run >= (r * tot) / R && this.G - (g + 1) >= R - r) cuts.push(g + 1);
    }
    while (cuts.length < R) cuts.push(cuts[cuts.length - 1] + 1);
    cuts.push(this.G);
    for (let i = 1; i < cuts.length; i++) if (cuts[i] <= cuts[i - 1]) cuts[i] = cuts[i - 1] + 1;
    if (cuts[cuts.length - 1] !== this.G) return;
    this.series = this.makeRanges(cuts);
    this.origins = this.origins.map((o) => ({ ...o, fc: [...this.series.map(() => new Map<string, Float64Array>()), o.fc[o.fc.length - 1]], used: [...this.series.map(() => ''), o.used[o.used.length - 1]] }));
    // warm the new ranges' detectors on recent history
    const replay = Math.min(this.closed, this.cap, 2 * (this.seasonsW[0] ?? 144));
    for (let i = replay; i > 0; i--) {
      const w = this.closed - i;
      const t = this.accStart - i * this.windowMs;
      for (const s of this.series) s.detector.push(t, this.seriesValue(s, w % this.cap));
    }
    const replayShapes = Math.min(this.closed, this.cap, 120);
    for (let i = replayShapes; i > 0; i--) for (const s of this.series) this.scoreShapes(s, this.closed - i);
  }

  /** Adds window `w`'s micro-group rates into the open block; closes it into the ring every `blockW` windows. */
  private addBlock(w: number): void {
    const base = (w % this.cap) * this.G;
    for (let g = 0; g < this.G; g++) this.blockAcc[g] += this.hist[base + g];
    if (++this.blockN < this.blockW) return;
    let t = 0;
    for (let g = 0; g < this.G; g++) t += this.blockAcc[g];
    const row = (this.blocks % this.blockCap) * this.G;
    for (let g = 0; g < this.G; g++) this.blockShares[row + g] = t > 0 ? this.blockAcc[g] / t : 1 / this.G;
    this.blocks++;
    this.blockAcc.fill(0);
    this.blockN = 0;
  }

  /** Micro-group shares of the mean of windows `from..to` (null if not in the ring or empty). */
  private sharesOf(from: number, to: number): Float64Array | null {
    const out = new Float64Array(this.G);
    if (!this.addMean(out, 0, this.G, from, to)) return null;
    let t = 0;
    for (let g = 0; g < this.G; g++) t += out[g];
    if (t <= 0) return null;
    for (let g = 0; g < this.G; g++) out[g] /= t;
    return out;
  }

  /**
   * The drift model of the key distribution: shares = a static baseline (each micro-group's
   * lowest hourly share over the last primary season) + a moving part (the recent shares above
   * the baseline) translated along the key space at the velocity that best maps the moving part
   * of an hour ago onto today's (circular cross-correlation, refined to a fraction of a group).
   * Returns a function of the forecast step k (window index closed + k), or null when there is
   * not a season of blocks yet or nothing moves.
   */
  private driftModel(): ((k: number, out: Float64Array) => Float64Array) | null {
    const G = this.G;
    const nb = Math.min(this.blocks, this.blockCap);
    if (nb < this.blockCap) return null;
    const lag = this.blockW; // one hour of windows
    const r = this.recentW;
    const now = this.sharesOf(this.closed - r, this.closed - 1);
    const then = this.sharesOf(this.closed - lag - r, this.closed - lag - 1);
    if (!now || !then) return null;
    const base = new Float64Array(G).fill(Infinity);
    for (let i = 0; i < nb; i++) for (let g = 0; g < G; g++) base[g] = Math.min(base[g], this.blockShares[i * G + g]);
    const mNow = new Float64Array(G);
    const mThen = new Float64Array(G);
    let mass = 0;
    for (let g = 0; g < G; g++) {
      mNow[g] = Math.max(0, now[g] - base[g]);
      mThen[g] = Math.max(0, then[g] - base[g]);
      mass += mNow[g];
    }
    if (mass < 0.05) return null;
    const S = Math.max(2, Math.floor(G / 8));
    const corr = (sh: number) => {
      let c = 0;
      for (let g = 0; g < G; g++) c += mNow[g] * mThen[(((g - sh) % G) + G) % G];
      return c;
    };
    let best = 0;
    let bestC = -Infinity;
    const cs = new Map<number, number>();
    for (let sh = -S; sh <= S; sh++) {
      const c = corr(sh);
      cs.set(sh, c);
      if (c > bestC) {
        bestC = c;
        best = sh;
      }
    }
    let shift = best;
    const cm = cs.get(best - 1);
    const cp = cs.get(best + 1);
    if (cm !== undefined && cp !== undefined) {
      const den = cm - 2 * bestC + cp;
      if (den < 0) shift += (0.5 * (cm - cp)) / den;
    }
    const v = shift / lag; // groups per window
    const centre = (r - 1) / 2 + 1; // the recent shares are centred this many windows before step 0
    return (k, out) => {
      const d = v * (k + centre);
      const di = Math.floor(d);
      const fr = d - di;
      let t = 0;
      for (let g = 0; g < G; g++) {
        const a = mNow[(((g - di) % G) + G) % G];
        const b = mNow[(((g - di - 1) % G) + G) % G];
        out[g] = base[g] + (1 - fr) * a + fr * b;
        t += out[g];
      }
      for (let g = 0; g < G; g++) out[g] /= t;
      return out;
    };
  }

  /** Scores the key-space pictures issued for the window starting at `startMs` (index `w`). */
  private scorePictures(startMs: number, w: number): void {
    const list = this.issuedShapes.get(startMs);
    if (!list) return;
    this.issuedShapes.delete(startMs);
    const actual = this.sharesOf(w, w);
    if (!actual) return;
    for (const it of list) {
      let er = 0;
      let ed = 0;
      for (let g = 0; g < this.G; g++) {
        er += Math.abs(actual[g] - it.ranges[g]);
        ed += Math.abs(actual[g] - it.drift[g]);
      }
      const e = (this.pictureErr[it.lead] ??= { ranges: 0, drift: 0, n: 0 });
      const a = e.n < 10 ? 1 / (e.n + 1) : 0.05;
      e.ranges += a * (er / 2 - e.ranges);
      e.drift += a * (ed / 2 - e.drift);
      e.n++;
    }
  }

  /** Adds `weight` × the mean of windows `from..to` (absolute indices, inclusive) of groups g0..g1 into `out` (indexed from g0); false if not all are in the ring. */
  private addMean(out: Float64Array, g0: number, g1: number, from: number, to: number): boolean {
    if (from < 0 || to >= this.closed || from < this.closed - this.cap || to < from) return false;
    const n = to - from + 1;
    for (let i = from; i <= to; i++) {
      const base = (i % this.cap) * this.G;
      for (let g = g0; g < g1; g++) out[g - g0] += this.hist[base + g] / n;
    }
    return true;
  }

  /**
   * Shape candidate `shape` for window index `w` made at lead `lead` (w − lead − 1 being the last
   * window it could see), as micro-group loads over the series' groups; null if history is short.
   */
  private shapeOf(s: Series, shape: Shape, w: number, lead: number, out: Float64Array): Float64Array | null {
    out.fill(0);
    if (shape === 'recent') {
      const last = w - lead - 1;
      return this.addMean(out, s.g0, s.g1, last - this.recentW + 1, last) ? out : null;
    }
    const m = this.seasonsW[0];
    // one season back, ±1 window to smooth counting noise; it must be older than the origin
    if (!m || w - m + 1 > w - lead - 1) return null;
    return this.addMean(out, s.g0, s.g1, w - m - 1, w - m + 1) ? out : null;
  }

  /** Scores every shape candidate of series `s` on the just-closed window `w` at both leads. */
  private scoreShapes(s: Series, w: number): void {
    const n = s.g1 - s.g0;
    const actual = new Float64Array(n);
    if (!this.addMean(actual, s.g0, s.g1, w, w)) return;
    let at = 0;
    for (let g = 0; g < n; g++) at += actual[g];
    if (at <= 0) return;
    const cand = new Float64Array(n);
    for (let c = 0; c < SHAPES.length; c++) {
      for (let l = 0; l < 2; l++) {
        const shaped = this.shapeOf(s, SHAPES[c], w, this.shapeLeads[l], cand);
        if (!shaped) continue;
        let ct = 0;
        for (let g = 0; g < n; g++) ct += shaped[g];
        let tv = 0;
        for (let g = 0; g < n; g++) tv += Math.abs(actual[g] / at - (ct > 0 ? shaped[g] / ct : 1 / n));
        tv /= 2;
        const i = 2 * c + l;
        s.shapeErr[i] = Number.isNaN(s.shapeErr[i]) ? tv : s.shapeErr[i] + 0.05 * (tv - s.shapeErr[i]);
      }
    }
  }

  /** The shape a series uses at forecast lead `lead` (windows after the last closed one, 0-based). */
  private shapeFor(s: Series, lead: number): Shape {
    const [l1, l2] = this.shapeLeads;
    const f = Math.max(0, Math.min(1, (lead + 1 - l1) / (l2 - l1)));
    let best: Shape = 'recent';
    let bestErr = Infinity;
    for (let c = 0; c < SHAPES.length; c++) {
      const e1 = s.shapeErr[2 * c];
      const e2 = s.shapeErr[2 * c + 1];
      if (Number.isNaN(e1) || Number.isNaN(e2)) continue;
      const e = e1 + f * (e2 - e1);
      if (e < bestErr) {
        bestErr = e;
        best = SHAPES[c];
      }
    }
    return best;
  }

  /** A candidate's forecast for a series (the ensemble is the mean of its members). */
  private candidateForecast(s: Series, name: string, h: number): Float64Array {
    if (name === 'ensemble') {
      const out = new Float64Array(h);
      const mem = ENSEMBLE_MEMBERS.filter((m) => s.models.has(m));
      for (const m of mem) {
        const f = s.models.get(m)!.forecast(h);
        for (let i = 0; i < h; i++) out[i] += f[i] / mem.length;
      }
      return out;
    }
    return s.models.get(name as BaseModelName)?.forecast(h) ?? new Float64Array(h);
  }

  private makeOrigin(): void {
    const all = [...this.series, this.total];
    this.origins.push({
      origin: this.closed,
      fc: all.map((s) => new Map(this.cands.map((c) => [c, this.candidateForecast(s, c, this.evalH)] as const))),
      used: all.map((s) => s.chosen),
    });
  }

  private scoreOrigins(w: number, values: number[]): void {
    const all = [...this.series, this.total];
    const keep: Origin[] = [];
    for (const o of this.origins) {
      const lead = w - o.origin; // 0-based step of window w in that origin's forecast
      if (lead < 0 || lead >= this.evalH) continue;
      for (let i = 0; i < all.length; i++) {
        const s = all[i];
        const y = values[i];
        for (const [name, f] of o.fc[i]) {
          const e = Math.abs(y - f[lead]);
          let sc = s.scores.get(name);
          if (!sc) s.scores.set(name, (sc = { ew: e, origins: 0 }));
          if (lead === 0) sc.origins++;
          sc.ew += (sc.origins <= 1 ? 1 / (lead + 1) : 0.02) * (e - sc.ew);
          if (name === o.used[i]) {
            const rel = f[lead] > 1e-9 ? y / f[lead] - 1 : 0;
            (s.relErr[lead] ??= new RecentSorted(40)).push(rel);
            s.bandCache.clear();
          }
        }
      }
      if (lead + 1 < this.evalH) keep.push(o);
    }
    this.origins = keep;
    // re-choose per series; a series without scores follows the pooled choice
    const pooled = new Map<string, number>();
    for (const s of all) {
      let level = 0;
      for (const sc of s.scores.values()) level = Math.max(level, sc.ew);
      if (level <= 0) continue;
      for (const [name, sc] of s.scores) pooled.set(name, (pooled.get(name) ?? 0) + sc.ew / level);
    }
    const pick = (sc: Map<string, number>): string | undefined => {
      let best: string | undefined;
      for (const c of this.cands) {
        const v = sc.get(c);
        if (v !== undefined && (best === undefined || v < sc.get(best)!)) best = c;
      }
      return best;
    };
    const pooledBest = pick(pooled);
    for (const s of all) {
      const own = new Map([...s.scores].map(([k, v]) => [k, v.ew] as const));
      s.chosen = pick(own) ?? pooledBest ?? this.cands[0];
    }
  }

  private scoreIssued(startMs: number, actual: number): void {
    const list = this.issued.get(startMs);
    if (!list) return;
    this.issued.delete(startMs);
    const scale = this.seasDiffN ? this.seasDiffSum / this.seasDiffN : 0;
    for (const q of list) {
      const d = Math.abs(actual) + Math.abs(q.mean);
      this.acc_.smape += d > 0 ? (200 * Math.abs(actual - q.mean)) / d : 0;
      this.acc_.absErr += scale > 0 ? Math.abs(actual - q.mean) / scale : 0;
      if (actual >= q.p10 && actual <= q.p90) this.acc_.covered++;
      this.acc_.n++;
    }
  }

  /** Point forecasts of a series for `h` windows (the chosen model; the last value before any fit). */
  private seriesForecast(s: Series, h: number): Float64Array {
    if (s.fitted) return this.candidateForecast(s, s.chosen, h);
    const out = new Float64Array(h);
    if (this.closed > 0) out.fill(this.seriesValue(s, (this.closed - 1) % this.cap));
    return out;
  }

  /** Relative error quantiles of a series' chosen model near `lead` (±20 % before any). */
  private band(s: Series, lead: number): [number, number] {
    const l = Math.min(lead, this.evalH - 1);
    const hit = s.bandCache.get(l);
    if (hit) return hit;
    const b = this.computeBand(s, l);
    s.bandCache.set(l, b);
    return b;
  }

  private computeBand(s: Series, l: number): [number, number] {
    const lists: number[][] = [];
    let n = 0;
    for (let k = Math.max(0, l - 2); k <= l + 2; k++) {
      const r = s.relErr[k];
      if (r && r.length > 0) {
        lists.push(r.sorted);
        n += r.length;
      }
    }
    if (n < 10) return [-0.2, 0.2];
    // The 10% and 90% order statistics of the nearby leads' errors, walked from the nearer end.
    return [Math.min(0, quantileOfSorted(lists, n, 0.1)), Math.max(0, quantileOfSorted(lists, n, 0.9))];
  }

  /**
   * The forecast for `horizonWindows` windows, the first being the window that contains `nowMs`
   * (windows not yet closed up to `nowMs` are closed first, as empty if no batch came).
   */
  forecast(nowMs: number, horizonWindows: number): Forecast {
    this.advanceTo(nowMs);
    const H = Math.max(1, Math.floor(horizonWindows));
    const first = Number.isNaN(this.accStart) ? Math.floor(nowMs / this.windowMs) * this.windowMs : this.accStart;
    const skip = Math.max(0, Math.floor((nowMs - first) / this.windowMs));
    const steps = skip + H;
    const tot = this.seriesForecast(this.total, steps);
    const rf = this.series.map((s) => this.seriesForecast(s, steps));
    const windows: ForecastWindow[] = [];
    const groupBuf = new Float64Array(this.G);
    const tickX = this.tickExcess;
    const drift = this.driftModel();
    for (let k = skip; k < steps; k++) {
      const startMs = first + k * this.windowMs;
      const mean = Math.max(0, tot[k]);
      const [lo, hi] = this.band(this.total, k);
      const totalRate = { mean, p50: mean, p10: Math.max(0, mean * (1 + lo)), p90: mean * (1 + hi) };
      let sum = 0;
      const raw = rf.map((f) => Math.max(0, f[k]));
      for (const v of raw) sum += v;
      const ranges: RangeShare[] = this.series.map((s, i) => ({
        range: s.range,
        probability: sum > 0 ? raw[i] / sum : (s.range.end - s.range.start) / this.buckets,
        model: s.fitted ? s.chosen : 'last-value',
      }));
      const bands = this.series.map((s) => this.band(s, k));
      const expectedLoad = new Float64Array(this.buckets);
      const upperLoad = new Float64Array(this.buckets);
      this.series.forEach((s, i) => {
        const rMean = mean * ranges[i].probability;
        const rUp = rMean * (1 + Math.hypot(bands[i][1], tickX));
        // micro-group spread of the range by its shape (absolute window index closed + k)
        const shaped = this.closed > 0 ? this.shapeOf(s, this.shapeFor(s, k), this.closed + k, k, groupBuf.subarray(0, s.g1 - s.g0)) : null;
        let gsum = 0;
        if (shaped) for (let g = 0; g < shaped.length; g++) gsum += shaped[g];
        if (gsum > 0) {
          for (let g = s.g0; g < s.g1; g++) {
            const gShare = shaped![g - s.g0] / gsum;
            let wsum = 0;
            for (let b = this.gStart[g]; b < this.gStart[g + 1]; b++) wsum += this.bucketEw[b];
            const width = this.gStart[g + 1] - this.gStart[g];
            for (let b = this.gStart[g]; b < this.gStart[g + 1]; b++) {
              const wb = gShare * (wsum > 0 ? this.bucketEw[b] / wsum : 1 / width);
              expectedLoad[b] = rMean * wb;
              upperLoad[b] = rUp * wb;
            }
          }
          return;
        }
        let wsum = 0;
        for (let b = s.range.start; b < s.range.end; b++) wsum += this.bucketEw[b];
        const width = s.range.end - s.range.start;
        for (let b = s.range.start; b < s.range.end; b++) {
          const wb = wsum > 0 ? this.bucketEw[b] / wsum : 1 / width;
          expectedLoad[b] = rMean * wb;
          upperLoad[b] = rUp * wb;
        }
      });
      if (drift) {
        const lead = k - skip;
        const dShares = drift(k, new Float64Array(this.G));
        const rShares = new Float64Array(this.G);
        let et = 0;
        for (let g = 0; g < this.G; g++) {
          for (let b = this.gStart[g]; b < this.gStart[g + 1]; b++) rShares[g] += expectedLoad[b];
          et += rShares[g];
        }
        if (et > 0) for (let g = 0; g < this.G; g++) rShares[g] /= et;
        if (startMs >= this.accStart) {
          let list = this.issuedShapes.get(startMs);
          if (!list) this.issuedShapes.set(startMs, (list = []));
          list.push({ lead, ranges: rShares, drift: dShares });
        }
        const e = this.pictureErr[lead];
        if (e && e.n >= 10 && e.drift < e.ranges) {
          // the drift picture: total mean × share, spread in a group by bucket weights
          const up = 1 + Math.hypot(hi, tickX);
          for (let g = 0; g < this.G; g++) {
            let wsum = 0;
            for (let b = this.gStart[g]; b < this.gStart[g + 1]; b++) wsum += this.bucketEw[b];
            const width = this.gStart[g + 1] - this.gStart[g];
            for (let b = this.gStart[g]; b < this.gStart[g + 1]; b++) {
              const v = mean * dShares[g] * (wsum > 0 ? this.bucketEw[b] / wsum : 1 / width);
              expectedLoad[b] = v;
              upperLoad[b] = v * up;
            }
          }
          for (const rs of ranges as { range: KeyRange; probability: number; model?: string }[]) {
            let p = 0;
            for (let g = 0; g < this.G; g++) if (this.gStart[g] >= rs.range.start && this.gStart[g] < rs.range.end) p += dShares[g];
            rs.probability = p;
            rs.model = 'drift';
          }
        }
      }
      windows.push({ startMs, totalRate, ranges, expectedLoad, upperLoad });
      if (startMs >= this.accStart) {
        let list = this.issued.get(startMs);
        if (!list) this.issued.set(startMs, (list = []));
        list.push({ mean, p10: totalRate.p10, p90: totalRate.p90 });
      }
    }
    const since = nowMs - this.lookbackMs;
    return {
      id: `f${nowMs}`,
      issuedAtMs: nowMs,
      windowMs: this.windowMs,
      buckets: this.buckets,
      windows,
      anomalies: this.flags.filter((f) => f.timeMs >= since),
    };
  }

  /** Flags raised at or after `sinceMs` (all kept flags by default; the last 1000 are kept). */
  anomalies(sinceMs = -Infinity): AnomalyFlag[] {
    return this.flags.filter((f) => f.timeMs >= sinceMs);
  }

  /** Accuracy of the total-rate forecasts issued by `forecast` and evaluated so far. */
  accuracy(): ForecastAccuracy {
    const n = this.acc_.n;
    return { smape: n ? this.acc_.smape / n : 0, mase: n ? this.acc_.absErr / n : 0, coverage80: n ? this.acc_.covered / n : 0, windows: n };
  }

  /** The model in use per range and for the total, with each candidate's backtest error. */
  modelChoices(): ModelChoice[] {
    const one = (s: Series, range: KeyRange | 'total'): ModelChoice => ({
      range,
      model: s.fitted ? s.chosen : 'last-value',
      scores: Object.fromEntries([...s.scores].map(([k, v]) => [k, v.ew])),
    });
    return [...this.series.map((s) => one(s, s.range)), one(this.total, 'total')];
  }
}

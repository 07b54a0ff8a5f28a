/**
 * Online anomaly detection for one series, as the KDP runs it per range and `keycast anomalies`
 * runs it per file. Each point's score uses only the points before it and itself, so truncating
 * the input never changes earlier scores.
 *
 * Model: on log1p scale for non-negative data, expected = level + seasonal index of the point's
 * time-of-day slot (slot width = the first gap between points, period `seasonMs`, default one
 * day). Level and seasonal indices are exponentially weighted means updated with residuals clipped
 * at ±3 scales (so a spike does not drag them along); the scale is an exponentially weighted mean
 * absolute residual (×1.25, ≈ σ for normal residuals), at least 2 % on the log scale (0.1 % of
 * the level on the raw scale) so that a noise-free series does not flag rounding. Two scores:
 * - `residual`: |residual| / scale (a robust z);
 * - `level-shift`: two-sided CUSUM of the standardised residuals (clipped at ±3, drift 1), scaled
 *   so that it reaches the threshold when the CUSUM reaches 12; after a shift is flagged the level
 *   jumps to the recent mean and the CUSUM restarts.
 * The point's score is the larger; it is an anomaly when the score ≥ `threshold` (default 6) after
 * the warm-up (default: two seasons or 576 points, whichever is fewer, and at least 12). Seasonal
 * indices are running means over their first visits, then exponentially weighted.
 */

export interface DetectorOptions {
  /** Seasonal period in ms (default one day; 0 for none). */
  readonly seasonMs?: number;
  /** Score at or above which a point is an anomaly (default 6). */
  readonly threshold?: number;
  /** Points before scoring starts. */
  readonly warmup?: number;
  /** Smoothing of the level (default 0.02) and of the seasonal indices (default 0.2). */
  readonly levelAlpha?: number;
  readonly seasonAlpha?: number;
}

export interface PointScore {
  readonly score: number;
  readonly anomaly: boolean;
  readonly kind?: 'residual' | 'level-shift';
}

const DAY = 86_400_000;

/** The online detector (see the module comment). */
export class OnlineAnomalyDetector {
  private readonly threshold: number;
  private readonly seasonMs: number;
  private readonly a: number;
  private readonly g: number;
  private warmup: number;
  private n = 0;
  private t0 = NaN;
  private slotMs = 0;
  private season: Float64Array | undefined;
  private seasonSeen: Uint8Array | undefined;
  private level = 0;
  private scale = 0;
  private cusP = 0;
  private cusN = 0;
  private recent = 0;
  private log = true;
  private visits: Uint32Array | undefined;

  constructor(opts: DetectorOptions = {}) {
    this.threshold = opts.threshold ?? 6;
    this.seasonMs = opts.seasonMs ?? DAY;
    this.a = opts.levelAlpha ?? 0.02;
    this.g = opts.seasonAlpha ?? 0.2;
    this.warmup = opts.warmup ?? -1;
  }

  private setup(timeMs: number): void {
    this.slotMs = Math.max(1, timeMs - this.t0);
    const slots = this.seasonMs > 0 ? Math.round(this.seasonMs / this.slotMs) : 0;
    if (slots >= 2 && slots <= 100_000) {
      this.season = new Float64Array(slots);
      this.seasonSeen = new Uint8Array(slots);
      this.visits = new Uint32Array(slots);
    }
    if (this.warmup < 0) this.warmup = Math.max(12, Math.min(576, 2 * (slots || 288)));
  }

  /** Scores one point (times non-decreasing). */
  push(timeMs: number, value: number): PointScore {
    if (value < 0 && this.log) this.log = false;
    const x = this.log ? Math.log1p(value) : value;
    if (this.n === 0) {
      this.t0 = timeMs;
      this.level = x;
      this.recent = x;
      this.n++;
      return { score: 0, anomaly: false };
    }
    if (this.n === 1) this.setup(timeMs);
    const slots = this.season?.length ?? 0;
    const slot = slots ? Math.floor(((((timeMs - this.t0) % this.seasonMs) + this.seasonMs) % this.seasonMs) / this.slotMs) % slots : 0;
    const s = slots && this.seasonSeen![slot] ? this.season![slot] : 0;
    const r = x - (this.level + s);
    // scale floor: 2 % on the log scale, 0.1 % of the level on the raw scale (noise-free series)
    const floor = this.log ? 0.02 : Math.max(1e-9, 1e-3 * Math.abs(this.level));
    const sc = Math.max(floor, this.scale > 0 ? this.scale : Math.abs(r));
    const z = r / sc;
    const scoring = this.n >= this.warmup;
    if (scoring) {
      const zc = Math.max(-3, Math.min(3, z));
      this.cusP = Math.max(0, this.cusP + zc - 1);
      this.cusN = Math.max(0, this.cusN - zc - 1);
    }
    const cus = (Math.max(this.cusP, this.cusN) / 12) * this.threshold;
    let score = scoring ? Math.max(Math.abs(z), cus) : 0;
    if (!Number.isFinite(score)) score = 0;
    const kind: PointScore['kind'] = Math.abs(z) >= cus ? 'residual' : 'level-shift';
    // learn, with the residual clipped so spikes do not drag the baseline
    const rc = Math.max(-3 * sc, Math.min(3 * sc, r));
    this.recent += 0.2 * (x - this.recent);
    if (scoring && cus >= this.threshold) {
      this.level = this.recent - s;
      this.cusP = 0;
      this.cusN = 0;
    } else this.level += this.a * rc;
    if (slots) {
      if (this.seasonSeen![slot]) {
        // a running mean over the first visits, then exponential weighting
        const v = ++this.visits![slot];
        this.season![slot] += Math.max(this.g, 1 / (v + 1)) * (x - this.level - this.season![slot]);
      } else {
        this.season![slot] = x - this.level;
        this.seasonSeen![slot] = 1;
      }
    }
    const ar = Math.min(Math.abs(r), 5 * sc) * 1.25;
    this.scale = this.scale === 0 ? ar : this.scale + 0.02 * (ar - this.scale);
    this.n++;
    const anomaly = scoring && score >= this.threshold;
    return { score, anomaly, kind: anomaly ? kind : undefined };
  }
}

/** Scores a whole series online (each point from its prefix only). */
export function scoreSeries(points: readonly { timeMs: number; value: number }[], opts?: DetectorOptions): PointScore[] {
  const d = new OnlineAnomalyDetector(opts);
  return points.map((p) => d.push(p.timeMs, p.value));
}

/** Result of `evaluateWindows`. */
export interface WindowEvaluation {
  readonly windows: number;
  readonly caught: number;
  /** Flagged episodes (flags less than an hour apart merge) outside every window, after the probation. */
  readonly falseEpisodes: number;
  /** Weeks of data outside the windows, after the probation. */
  readonly weeksOutside: number;
  /** Mean hours from a caught window's start to its first flag. */
  readonly meanDelayHours: number;
}

/**
 * NAB-style evaluation: a window is caught when a flag falls inside it; flags outside every window
 * form false-alarm episodes. The first `probation` share of the rows (NAB: 15 %) is the detector's
 * learning period and is not counted for false alarms (windows there still count).
 */
export function evaluateWindows(times: readonly number[], flags: readonly boolean[], windows: readonly [number, number][], probation = 0.15): WindowEvaluation {
  const inside = (t: number): boolean => windows.some(([a, b]) => t >= a && t <= b);
  let caught = 0;
  let delay = 0;
  for (const [a, b] of windows) {
    const i = times.findIndex((t, k) => flags[k] && t >= a && t <= b);
    if (i >= 0) {
      caught++;
      delay += (times[i] - a) / 3_600_000;
    }
  }
  const start = Math.floor(probation * times.length);
  let episodes = 0;
  let lastFlag = -Infinity;
  let outsideMs = 0;
  for (let k = start; k < times.length; k++) {
    const t = times[k];
    if (k > start && !inside(t)) outsideMs += t - times[k - 1];
    if (flags[k] && !inside(t)) {
      if (t - lastFlag > 3_600_000) episodes++;
      lastFlag = t;
    }
  }
  return { windows: windows.length, caught, falseEpisodes: episodes, weeksOutside: outsideMs / (7 * DAY), meanDelayHours: caught ? delay / caught : NaN };
}

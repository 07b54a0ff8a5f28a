/**
 * `reactive`: the PRE and APM on the load observed over the last `window` — what a balancer
 * that watches current load does (Cruise Control, Slicer). One window, no look-ahead.
 *
 * Two forms. The plain one (`headroom: false`, the default) plans from the observed window's
 * mean alone. The fair baseline (`headroom: true`) is the predictive policy's own code path fed
 * persistence — the forecast of every window is the load just observed — so it gets the same
 * tail headroom (the observed load times 1 + the measured per-tick p90 excess, as the KDP's
 * `tickExcess`) and, when `every` exceeds a minute, the same surprise checks between decisions:
 * predictive − fair reactive is then what the forecast itself adds.
 */
import type { KeyBatch } from '../model/batch.ts';
import type { Forecast, ForecastWindow } from '../model/forecast.ts';
import { PlanningPolicy, type LoadPicture, type PlanningSpec } from './planning-policy.ts';
import type { PolicyContext } from './policy.ts';
import { PredictivePolicy, type ForecastSource } from './predictive.ts';

export interface ReactiveSpec extends PlanningSpec {
  readonly window: number;
  /** Span a plan must pay back its execution over (the observed load held for it). */
  readonly horizon?: number;
  /** The fair baseline: predictive's tail headroom and between-decision checks (see above). */
  readonly headroom?: boolean;
}

/**
 * Persistence as a forecast source: every window of the horizon is the load observed over the
 * last `windowMs`; its tail is that times 1 + z₉₀ × the coefficient of variation of per-tick
 * totals within a window, exponentially weighted over windows (the KDP's `tickExcess`).
 */
export class PersistenceSource implements ForecastSource {
  private tickN = 0;
  private tickSum = 0;
  private tickSq = 0;
  private accStart = NaN;
  private tickCv = NaN;

  constructor(
    private readonly ctx: PolicyContext,
    private readonly windowMs: number,
  ) {}

  observe(batch: KeyBatch): void {
    if (Number.isNaN(this.accStart)) this.accStart = Math.floor(batch.timeMs / this.windowMs) * this.windowMs;
    while (batch.timeMs >= this.accStart + this.windowMs) {
      if (this.tickN >= 2 && this.tickSum > 0) {
        const mean = this.tickSum / this.tickN;
        const cv = Math.sqrt(Math.max(0, this.tickSq / this.tickN - mean * mean)) / mean;
        this.tickCv = Number.isNaN(this.tickCv) ? cv : this.tickCv + 0.05 * (cv - this.tickCv);
      }
      this.tickN = this.tickSum = this.tickSq = 0;
      this.accStart += this.windowMs;
    }
    if (batch.durationMs > 0) {
      const r = (batch.total * 1000) / batch.durationMs;
      this.tickN++;
      this.tickSum += r;
      this.tickSq += r * r;
    }
  }

  get tickExcess(): number {
    return Number.isNaN(this.tickCv) ? 0 : 1.2816 * this.tickCv;
  }

  forecast(nowMs: number, horizonWindows: number): Forecast {
    const B = this.ctx.buckets;
    const W = this.windowMs;
    const obs = this.ctx.observedRate(W, new Float64Array(B));
    const up = 1 + this.tickExcess;
    const upper = obs.map((x) => x * up);
    let total = 0;
    for (let b = 0; b < B; b++) total += obs[b];
    const first = Math.floor(nowMs / W) * W;
    const windows: ForecastWindow[] = [];
    for (let k = 0; k < Math.max(1, Math.floor(horizonWindows)); k++) {
      windows.push({
        startMs: first + k * W,
        totalRate: { mean: total, p10: total, p50: total, p90: total * up },
        ranges: [{ range: { start: 0, end: B }, probability: 1, model: 'persistence' }],
        expectedLoad: obs,
        upperLoad: upper,
      });
    }
    return { id: `persistence@${nowMs}`, issuedAtMs: nowMs, windowMs: W, buckets: B, windows, anomalies: [] };
  }
}

/** The fair reactive baseline: predictive's code path fed persistence (see the file comment). */
export class HeadroomReactivePolicy extends PredictivePolicy {
  override readonly kind: string = 'reactive';
  constructor(private readonly rSpec: ReactiveSpec) {
    // One forecast window (persistence has no look-ahead); no warm-up, no fallbacks on shape
    // error (persistence's error is the change over one window, not a broken forecast).
    super({ ...rSpec, horizon: rSpec.window, models: ['seasonal-naive'], history: rSpec.window, minHistory: 0, fallbackError: 1, blend: 0 });
  }

  protected override createSource(ctx: PolicyContext): ForecastSource {
    return new PersistenceSource(ctx, this.rSpec.window);
  }

  protected override get minHistory(): number {
    return 0;
  }

  protected override heldHorizon(): number {
    return this.rSpec.horizon ?? this.rSpec.window;
  }
}

export class ReactivePolicy extends PlanningPolicy {
  readonly kind = 'reactive';
  constructor(protected override readonly spec: ReactiveSpec) {
    super(spec);
  }

  protected override paybackMs(): number | undefined {
    return this.spec.payback ?? this.spec.horizon;
  }

  protected picture(nowMs: number): LoadPicture | null {
    const w = this.ctx.observedRate(this.spec.window, new Float64Array(this.ctx.buckets));
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i];
    if (total <= 0) return null;
    return { windows: [w], windowMs: this.spec.window, basis: `observed@${nowMs}` };
  }
}

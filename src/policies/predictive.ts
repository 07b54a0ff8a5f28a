/**
 * `predictive`: the KDP's forecast → PRE → APM. The KDP observes every batch; every `every` the
 * policy asks it for the next `horizon` of windows and plans over the observed current window
 * followed by the forecast windows (expected load, with p90 plus tick headroom for the
 * tail-aware cost), so the chosen configuration is good now and through the coming peak: its
 * actions start as soon as a peak within the horizon makes the saving clear the threshold, i.e.
 * up to `horizon` ahead of it (the lead time), and the plan's estimated execution time is part
 * of its impact. Within `blend`, forecast window k is mixed with the observation: its shape and
 * its total each by the weight that minimises the blend's squared error, from the errors
 * forecast and persistence had at that lead over past decisions (lead-scores.ts).
 *
 * Fallback to reactive (plan from the observed window only) when the KDP flagged an anomaly on
 * the total rate, or strong ones on ranges carrying at least `anomalyShare` of the load, since the
 * last decision, when it has seen less than `minHistory` of the stream, or when its
 * last forecast of the key distribution was poor: the total-variation distance between the
 * forecast and the observed range shares above `fallbackError`. Between decisions a check every
 * minute plans at once from the last minute's observation when more than 8% of that load lies
 * above the last forecast's tail (a surprise: a flash crowd), as promptly as a reactive policy, or
 * when a node of the current map was over capacity in that minute, no plan is running, and moves
 * off it land within a minute (`quickOverload`: what a forecast lagging a ramp leaves; where moves
 * are slow the next regular decision judges; the oracle too: a cluster over capacity builds
 * backlogs its truth of arrivals does not show).
 * These detectors are pure functions in fallbacks.ts, the blend and tail arithmetic in
 * picture-blend.ts; this file keeps the decision (when and from what a picture is built) and wires
 * them in, with the regret analysis (planner/regret.ts) when `regret` is on.
 *
 * The tail the plans keep within capacity is the forecast's p90 band scaled to `tailQuantile`
 * (default 0.99: a p99 SLO of 100 ms on ticks of seconds is broken by any tick a node spends over
 * capacity, so the plans keep a node within it in 99 ticks of 100; more headroom, more moves).
 */
import { KeyDistributionProfiler } from '../profiler/kdp.ts';
import { decisionRegret, RegretTally } from '../planner/regret.ts';
import type { PlanResult } from '../planner/types.ts';
import type { ModelName } from '../profiler/forecaster.ts';
import type { KeyBatch } from '../model/batch.ts';
import type { Forecast } from '../model/forecast.ts';
import { PlanningPolicy, type LoadPicture, type PlanningReport, type PlanningSpec } from './planning-policy.ts';
import type { ForecastLogRow, PolicyContext } from './policy.ts';
import { Priority } from '../engine/virtual-scheduler.ts';
import { TruthSource } from './truth-source.ts';
import { forecastPicture } from './picture-blend.ts';
import type { ForecastSource } from './forecast-source.ts';
import { LeadScores } from './lead-scores.ts';
import { SAMPLE_MS, ShapeHold, shapeHoldKeepMs } from './shape-hold.ts';
import { Thinned } from '../model/thinned.ts';
import { FORECAST_LIMITS } from '../model/binned.ts';
import type { RegretReport } from '../model/policy-outcome.ts';
import type { Strategy } from './spread.ts';
import {
  anomalous,
  forecastErrorFallback,
  isSurprise,
  quickOverload,
  observedLead,
  SURPRISE_CHECK_MS,
  surpriseCheckDue,
  surpriseWindow,
  unforecastShare,
  warmingUp,
  type FallbackReason,
} from './fallbacks.ts';

export interface PredictiveSpec extends PlanningSpec {
  readonly horizon: number;
  readonly window: number;
  readonly models: readonly string[];
  readonly history: number;
  readonly minHistory?: number;
  readonly fallbackError?: number;
  /** Forecast ranges of the KDP (finer ranges localise moving hot spots). */
  readonly ranges?: number;
  /** Share of the forecast load in strongly flagged ranges that triggers the fallback. */
  readonly anomalyShare?: number;
  /** Measure the regret decomposition against the true future at every decision (doubles planning). */
  readonly regret?: boolean;
  /** Span (ms) over which the picture moves from the observed load to the forecast (default 1h). */
  readonly blend?: number;
  /** Quantile of per-tick load the tail picture stands for (default 0.9, the forecast's band). */
  readonly tailQuantile?: number;
}

export type { ForecastSource } from './forecast-source.ts';

/** `tailQuantile` of a spec built without a scenario (the default p99 SLO's; scenarios set theirs from `slo.percentile`). */
export const DEFAULT_TAIL_QUANTILE = 0.99;

export class PredictivePolicy extends PlanningPolicy {
  readonly kind: string = 'predictive';
  protected kdp!: ForecastSource;
  private lastForecast: Forecast | null = null;
  private seenMs = 0;
  /** Decisions that fell back to the observed picture, by reason. */
  readonly fallbacks = { anomaly: 0, error: 0, warmup: 0, surprise: 0, overload: 0 };

  constructor(protected override readonly spec: PredictiveSpec) {
    super(spec);
  }

  /** Predictive's code path (the oracle and the fair baseline too) holds a striped layout where it serves better (spread.ts). */
  protected override defaultStrategy(): Strategy {
    return 'auto';
  }

  /** The span a plan must pay back over: the scenario's `payback`, else the span the stream's shape has held for (shape-hold.ts). */
  protected override paybackMs(): number | undefined {
    if (this.spec.payback !== undefined) return this.spec.payback;
    // A decision between regular ones answers a shape that just broke (or an overload now).
    return this.shapeHold && this.surprised === null ? this.shapeHold.span(this.heldHorizon()) : this.heldHorizon();
  }

  /**
   * Where the stream's shape has held (the payback span longer than the horizon), a layout over
   * capacity for good stays so however long the moves: a plan ending it gains for a horizon past
   * its end (`PlanInput.gainAfterMs`).
   */
  protected override gainAfterMs(paybackMs: number | undefined): number | undefined {
    const h = this.heldHorizon();
    return this.spec.payback === undefined && paybackMs !== undefined && paybackMs > h ? h : undefined;
  }

  /** The horizon the payback span starts from. */
  protected heldHorizon(): number {
    return this.spec.horizon;
  }

  /** The source's tick noise: measured by the KDP or persistence, known to the truth. */
  protected override tickNoise(): number {
    return this.kdp.tickExcess;
  }

  /** The forecast source (the KDP here; the truth in the oracle). */
  protected createSource(ctx: PolicyContext): ForecastSource {
    return new KeyDistributionProfiler({
      buckets: ctx.buckets,
      windowMs: this.spec.window,
      models: this.spec.models as ModelName[],
      historyMs: this.spec.history,
      ranges: this.spec.ranges,
      // history at bucket resolution up to 1024 buckets: a moving hot spot's edges fall inside
      // 256 micro-groups and were spread by stale bucket weights (append-hotspot: bucket-level
      // TV error of the forecast 0.05–0.08 with 256 groups, 0.012–0.022 with one per bucket)
      microGroups: Math.min(ctx.buckets, 1024),
      rng: ctx.rng.fork('kdp'),
    });
  }

  /** Stream seen before forecasts are trusted (reactive fallback until then). */
  protected get minHistory(): number {
    return this.spec.minHistory ?? 2 * 3_600_000;
  }

  override start(ctx: PolicyContext): void {
    this.kdp = this.createSource(ctx);
    if (this.spec.payback === undefined) {
      // Sampled before the decisions of the same instant (scheduled first).
      const hold = new ShapeHold(ctx.buckets, shapeHoldKeepMs(this.heldHorizon()), (span, out) => ctx.observedRate(span, out));
      this.shapeHold = hold;
      const sample = () => {
        hold.sample(ctx.scheduler.now());
        const next = ctx.scheduler.now() + SAMPLE_MS;
        if (next < ctx.endMs) ctx.scheduler.at(next, sample, Priority.policy);
      };
      ctx.scheduler.at(ctx.startMs + SAMPLE_MS, sample, Priority.policy);
    }
    super.start(ctx);
    // Between decisions, a check every minute for load the forecast did not expect (a surprise,
    // e.g. a flash crowd): it plans from the observation at once, as often as a reactive policy.
    const check = () => {
      this.checkSurprise();
      const next = ctx.scheduler.now() + SURPRISE_CHECK_MS;
      if (next < ctx.endMs) ctx.scheduler.at(next, check, Priority.policy);
    };
    if (this.spec.every > SURPRISE_CHECK_MS) ctx.scheduler.at(ctx.startMs + SURPRISE_CHECK_MS, check, Priority.policy);
  }

  /** A decision triggered by a surprise is never skipped (planning-policy.ts, incremental decisions). */
  protected override mayskip(): boolean {
    return this.surprised === null;
  }

  /** The key space's shape over time, for the payback span (none with a `payback` set). */
  private shapeHold: ShapeHold | null = null;

  /** Time of the last decision (regular or surprise). */
  private lastDecisionMs = -Infinity;
  /** Set while a decision triggered between regular ones runs (a surprise or an overload): its picture is the last minute observed. */
  private surprised: 'surprise' | 'overload' | null = null;

  /**
   * Share of the load observed over the last minute that lies above the last forecast's tail
   * (p90 per bucket, with tick headroom) for that minute: load nobody forecast.
   */
  private surprise(nowMs: number, recent?: Float64Array): number {
    const w = surpriseWindow(this.lastForecast, nowMs);
    return w ? unforecastShare(w, recent ?? this.recentRate()) : 0;
  }

  /** Records/s per bucket over the last SURPRISE_CHECK_MS. */
  private recentRate(): Float64Array {
    return this.ctx.observedRate(SURPRISE_CHECK_MS, new Float64Array(this.ctx.buckets));
  }

  private checkSurprise(): void {
    const now = this.ctx.scheduler.now();
    if (!surpriseCheckDue(now, this.ctx.startMs, this.spec.every, this.lastDecisionMs, this.seenMs, this.minHistory)) return;
    const recent = this.recentRate();
    const surprise = isSurprise(this.surprise(now, recent));
    if (!surprise && !(!this.manager.busy && this.quickOverload(recent))) return;
    this.surprised = surprise ? 'surprise' : 'overload';
    try {
      this.decide();
    } finally {
      this.surprised = null;
    }
  }

  /** A node of the current map over capacity in the last minute, where a move off it lands within a minute (fallbacks.ts). */
  private quickOverload(recent: Float64Array): boolean {
    const c = this.ctx.cluster;
    return quickOverload(this.ctx.control.currentMap(), recent, this.stateNow(), c.nodeCapacity, c.moveBandwidth);
  }

  observe(batch: KeyBatch): void {
    this.kdp.observe(batch);
    this.seenMs = batch.timeMs + batch.durationMs;
  }

  /**
   * The picture after a surprise: the last SURPRISE_CHECK_MS observed (a burst that began within
   * the planning window is diluted in its mean).
   */
  private surprisePicture(nowMs: number, why: 'surprise' | 'overload'): LoadPicture {
    this.fallbacks[why]++;
    this.lastPictureForecast = false;
    return { windows: [this.recentRate()], windowMs: SURPRISE_CHECK_MS, basis: `observed@${nowMs} (fallback: ${why})` };
  }

  protected picture(nowMs: number): LoadPicture | null {
    const observed = this.ctx.observedRate(this.spec.window, new Float64Array(this.ctx.buckets));
    let total = 0;
    for (let i = 0; i < observed.length; i++) total += observed[i];
    if (total <= 0) return null;
    const reactive = (why: FallbackReason): LoadPicture => {
      this.fallbacks[why]++;
      this.lastPictureForecast = false;
      return { windows: [observed], windowMs: this.spec.window, basis: `observed@${nowMs} (fallback: ${why})` };
    };
    this.lastDecisionMs = nowMs;
    if (this.surprised) return this.surprisePicture(nowMs, this.surprised);
    const prev = this.lastForecast;
    const surprise = prev ? this.surprise(nowMs) : 0;
    const n = Math.max(1, Math.round(this.spec.horizon / this.spec.window));
    const f = this.kdp.forecast(nowMs, n);
    this.lastForecast = f;
    this.leads.score(nowMs, this.spec.window, observed, f);
    if (prev) this.logForecast(prev, observedLead(prev, nowMs, this.spec.window), nowMs, observed, total);
    if (warmingUp(this.seenMs, this.minHistory)) return reactive('warmup');
    if (anomalous(f, prev, this.spec.anomalyShare ?? 0.25)) return reactive('anomaly');
    if (isSurprise(surprise)) return this.surprisePicture(nowMs, 'surprise');
    // The window just observed was forecast by the previous decision's forecast at lead `every`.
    if (forecastErrorFallback(prev, nowMs, this.spec.window, observed, this.spec.fallbackError ?? 0.25)) return reactive('error');
    // The near windows lean on what is observed now as far as that is the better guess: window k
    // blends observed and forecast shapes, and observed and forecast totals, each with the weight
    // on the observation that minimises the squared error of the blend, from the errors both had
    // at that lead over the past decisions (`LeadScores.blendWeight`, `levelWeight`); beyond
    // `blend` the forecast alone (its measured effect: docs/bench-log.md, 2026-11-25).
    const blend = (this.spec.blend ?? 3_600_000) / this.spec.window;
    const shapeW = f.windows.map((_, k) => (k < blend ? this.leads.blendWeight(k, blend) : 0));
    const levelW = f.windows.map((_, k) => (k < blend ? this.leads.levelWeight(k, blend) : 0));
    // Headroom for what a window's mean hides: ticks above it (the forecast's p90 has it too).
    const tickUp = 1 + this.kdp.tickExcess;
    const observedUp = tickUp > 1 ? scaled(observed, tickUp) : observed;
    this.lastPictureForecast = true;
    const expected = f.windows.map((w) => w.expectedLoad);
    const p90 = f.windows.map((w) => w.upperLoad ?? w.expectedLoad);
    const { windows, upper } = forecastPicture(observed, observedUp, expected, p90, { shape: shapeW, level: levelW }, this.spec.tailQuantile ?? DEFAULT_TAIL_QUANTILE);
    return { windows, upper, windowMs: f.windowMs, basis: f.id };
  }

  /**
   * Scored forecast windows, for the report (`forecast.csv`); never read by decisions. Every one
   * goes to `ctx.forecastSink` when there is one, and memory keeps the charts' share
   * (FORECAST_LIMITS.charts); without a sink, every window up to FORECAST_LIMITS.kept, then
   * every 2nd, 4th, … (model/thinned.ts).
   */
  private readonly forecastLog: ForecastLogRow[] = [];
  private forecastSeries: Thinned<ForecastLogRow> | undefined;
  private forecastCount = 0;

  /** Records the previous forecast's window at `lead` against the window observed up to `nowMs`. */
  private logForecast(prev: Forecast, lead: number, nowMs: number, observed: Float64Array, total: number): void {
    const w = prev.windows[lead];
    // Only the KDP's forecasts are reported (`finish`); the oracle's truth is not logged or kept.
    if (!w || !(this.kdp instanceof KeyDistributionProfiler)) return;
    const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
    const series = (this.forecastSeries ??= new Thinned(this.forecastLog, this.ctx.forecastSink ? FORECAST_LIMITS.charts : FORECAST_LIMITS.kept));
    series.sink = this.ctx.forecastSink;
    series.keeps = !this.ctx.summaryOnly;
    series.push(this.forecastCount++, {
      timeMs: nowMs - this.spec.window,
      windowMs: this.spec.window,
      issuedAtMs: prev.issuedAtMs,
      rate: { mean: r6(w.totalRate.mean), p10: r6(w.totalRate.p10), p90: r6(w.totalRate.p90), actual: r6(total) },
      ranges: w.ranges.map((r) => {
        let s = 0;
        for (let b = r.range.start; b < r.range.end; b++) s += observed[b];
        return { range: `${r.range.start}-${r.range.end}`, share: r6(r.probability), actual: r6(s / total) };
      }),
    });
  }

  /** How well the forecast and persistence did at each lead, for the blend of the near windows. */
  private readonly leads = new LeadScores();

  /** Regret decomposition, summed over forecast-based decisions (cost units of the PRE). */
  private readonly regret = new RegretTally();

  /**
   * A decision, and with `regret` on, its regret against the true future over the horizon
   * (planner/regret.ts: forecast error and optimizer gap, from the PRE's input over the true
   * windows and the same base). Execution lag is measured separately (time from a plan's
   * proposal to its end).
   */
  override decide(): PlanResult | null {
    const res = super.decide();
    if (!this.spec.regret || !res || !this.lastPictureForecast) return res;
    const now = this.ctx.scheduler.now();
    // The truth the oracle plans from (perfect-forecast.ts): expected load and its true tail.
    const n = Math.max(1, Math.round(this.spec.horizon / this.spec.window));
    const tf = (this.truthSource ??= new TruthSource(this.ctx, this.spec.window, this.spec.ranges ?? 32)).forecast(now, n);
    const truth = this.input({ windows: tf.windows.map((w) => w.expectedLoad), upper: tf.windows.map((w) => w.upperLoad ?? w.expectedLoad), basis: tf.id }, res.plan.before);
    const chosen = res.proposed ? res.plan.after : res.plan.before;
    this.regret.add(decisionRegret(truth, chosen, { optimizer: this.spec.optimizer, iterations: this.spec.iterations, rng: this.regretRng, nowMs: now }));
    return res;
  }

  private lastPictureForecast = false;
  private truthSource: TruthSource | undefined;

  private regretReport(): RegretReport {
    return this.regret.report(this.meanExecutionLagMs());
  }
  private get regretRng() {
    return (this._regretRng ??= this.ctx.rng.fork('regret'));
  }
  private _regretRng: ReturnType<PolicyContext['rng']['fork']> | undefined;

  override finish(): PlanningReport {
    const base = super.finish();
    const extra = { fallbacks: { ...this.fallbacks } };
    if (!(this.kdp instanceof KeyDistributionProfiler)) return { ...base, ...(this.spec.regret ? { regret: this.regretReport() } : {}), extra };
    const acc = this.kdp.accuracy();
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    return {
      ...base,
      forecast: { smape: round(acc.smape), mase: round(acc.mase), coverage80: round(acc.coverage80) },
      forecastLog: this.forecastLog,
      ...(this.spec.regret ? { regret: this.regretReport() } : {}),
      extra: { ...extra, models: this.kdp.modelChoices().map((c) => ({ range: c.range === 'total' ? 'total' : `${c.range.start}-${c.range.end}`, model: c.model })) },
    };
  }
}

/** `x` times `k`, bucket by bucket (a plain loop: typed-array `map` calls back per bucket). */
function scaled(x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * k;
  return out;
}

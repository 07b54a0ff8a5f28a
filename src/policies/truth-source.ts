/**
 * The workload's truth as a forecast source, for the oracle (perfect-forecast.ts) and the
 * predictive policy's regret decomposition. A window's truth: the expected records/s per bucket
 * (the mean of `SAMPLES` instants of the workload model's expected rates, bursts included) and
 * its tail, the per-tick p90 the planner's tail term wants, from what the workload model knows
 * of its arrivals: the within-window swing of the expected rate (largest sample above the mean)
 * combined in quadrature (like the KDP's bands) with the per-tick noise of a node's load — the
 * lognormal tick noise (`shape.noise.cv`) and Poisson arrivals at a node's expected count per
 * tick, z₉₀·√(cv² + 1/λ_node). A trace replays its realised rates (no noise, no Poisson).
 *
 * A window's expected load and its within-window peak are a function of its start time alone,
 * so they are kept from one forecast to the next (decisions `every` apart share all but `every`
 * of their windows) and dropped once their window has passed; the tail, which depends on the
 * nodes active now through the noise, is kept with the noise it was computed for and recomputed
 * when that changes. The forecasts are the same as without the cache, to the bit.
 */
import type { KeyBatch } from '../model/batch.ts';
import { totalLoad } from '../model/load.ts';
import type { Forecast, ForecastWindow, RangeShare } from '../model/forecast.ts';
import type { PolicyContext } from './policy.ts';
import type { ForecastSource } from './forecast-source.ts';

/** z of the 90th percentile of a standard normal. */
export const Z90 = 1.2815515655446004;
/** Instants sampled per window of the truth. */
const SAMPLES = 8;

/** The workload's truth as a forecast source (see the file comment). */
export class TruthSource implements ForecastSource {
  private excess = 0;
  private readonly tmp: Float64Array;
  /** Each window's mean and per-bucket peak of the sampled expected rates, by start time. */
  private readonly sampled = new Map<number, Sampled>();

  constructor(
    private readonly ctx: PolicyContext,
    private readonly windowMs: number,
    /** Equal-width ranges the forecast's range shares are reported over. */
    private readonly ranges: number,
  ) {
    this.tmp = new Float64Array(ctx.buckets);
  }

  observe(_batch: KeyBatch): void {}

  /** The p90 relative excess of a node's tick load over its expected value, at the last forecast. */
  get tickExcess(): number {
    return this.excess;
  }

  /** Relative p90 tick noise of a node's load at `totalRate` records/s over the whole space. */
  private noiseExcess(totalRate: number): number {
    const n = this.ctx.arrivalNoise;
    if (!n) return 0;
    const nodes = Math.max(1, this.ctx.control.activeNodes().length);
    const perTick = (totalRate * n.tickMs) / 1000 / nodes;
    const poisson = n.poisson && perTick > 0 ? 1 / perTick : 0;
    return Z90 * Math.sqrt(n.cv * n.cv + poisson);
  }

  /** The mean and per-bucket peak of SAMPLES instants of the expected rates in the window from `startMs` (kept). */
  private sample(startMs: number): Sampled {
    const kept = this.sampled.get(startMs);
    if (kept) return kept;
    const B = this.ctx.buckets;
    const W = this.windowMs;
    const mean = new Float64Array(B);
    const peak = new Float64Array(B);
    for (let j = 0; j < SAMPLES; j++) {
      this.ctx.expectedRate(startMs + ((j + 0.5) / SAMPLES) * W, this.tmp);
      for (let b = 0; b < B; b++) {
        const v = this.tmp[b];
        mean[b] += v / SAMPLES;
        if (v > peak[b]) peak[b] = v;
      }
    }
    const out: Sampled = { mean, peak, total: totalLoad(mean), upper: null, noise: NaN };
    this.sampled.set(startMs, out);
    return out;
  }

  /** The true windows from the one holding `nowMs`, `horizonWindows` of them. */
  forecast(nowMs: number, horizonWindows: number): Forecast {
    const B = this.ctx.buckets;
    const W = this.windowMs;
    const first = Math.floor(nowMs / W) * W;
    const H = Math.max(1, Math.floor(horizonWindows));
    const windows: ForecastWindow[] = [];
    const R = Math.max(1, Math.min(this.ranges, B));
    for (const t of this.sampled.keys()) if (t < first) this.sampled.delete(t);
    for (let k = 0; k < H; k++) {
      const startMs = first + k * W;
      const w = this.sample(startMs);
      const { mean, peak, total } = w;
      const noise = this.noiseExcess(total);
      if (k === 0) this.excess = noise;
      if (w.upper === null || w.noise !== noise) {
        const upper = new Float64Array(B);
        for (let b = 0; b < B; b++) upper[b] = mean[b] + Math.hypot(peak[b] - mean[b], mean[b] * noise);
        w.upper = upper;
        w.noise = noise;
      }
      const upper = w.upper;
      const shares: RangeShare[] = [];
      for (let r = 0; r < R; r++) {
        const start = Math.floor((r * B) / R);
        const end = Math.floor(((r + 1) * B) / R);
        let s = 0;
        for (let b = start; b < end; b++) s += mean[b];
        shares.push({ range: { start, end }, probability: total > 0 ? s / total : (end - start) / B, model: 'truth' });
      }
      const rel = noise;
      windows.push({
        startMs,
        totalRate: { mean: total, p10: Math.max(0, total * (1 - rel)), p50: total, p90: total * (1 + rel) },
        ranges: shares,
        expectedLoad: mean.slice(),
        upperLoad: upper,
      });
    }
    return { id: `truth@${nowMs}`, issuedAtMs: nowMs, windowMs: W, buckets: B, windows, anomalies: [] };
  }
}

/** A window's sampled truth: mean and per-bucket peak of the expected rates, their total, and the tail for `noise` (kept until the noise changes; never written once handed out). */
interface Sampled {
  readonly mean: Float64Array;
  readonly peak: Float64Array;
  readonly total: number;
  upper: Float64Array | null;
  noise: number;
}

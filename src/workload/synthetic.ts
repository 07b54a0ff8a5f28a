/**
 * The synthetic generator: per tick, expected records per bucket from the rate, the shape, the
 * key components and the bursts, then arrivals per bucket (`arrivals.ts`: Poisson, or its
 * table-driven skew-corrected normal from λ 4 up) from the workload's own random stream. Every
 * policy of a run consumes the same batches (common random numbers).
 */
import type { KeyBatch } from '../model/batch.ts';
import type { RandomSource, RandomStream } from '../engine/random.ts';
import { ArrivalSampler } from './arrivals.ts';
import { addUniform, bandCenter, tailTop, ZIPF_EXACT_RANKS, zipfTable } from './key-distribution.ts';
import { lognormalParams, shapeFactor } from './shape.ts';
import type { KeyspaceSpec, WorkloadSpec } from './spec.ts';
import type { Workload } from './workload.ts';

/** A synthetic workload built from a scenario's `keyspace` and `workload` sections. */
export class SyntheticWorkload implements Workload {
  readonly buckets: number;
  readonly recordBytes: number;
  readonly badRows = 0;
  /** Static per-bucket probability (zipf + uniform components, weighted by share). */
  private readonly staticP: Float64Array;
  private readonly staticShare: number;
  private readonly counts: Float64Array;
  private readonly lambda: Float64Array;
  private readonly arrivals: ArrivalSampler;
  private readonly noise: RandomStream;
  private readonly noiseParams: { sigma: number; mu: number } | null;
  /** Records/s of the static components' whole-space rate in the last tick (for `staticFraction`). */
  private lastStaticScale = 0;
  /**
   * Static weight per key position (zipf + uniform components, shares included), kept only when
   * asked for (`keycast generate --format records`) and the universe is small enough; null else.
   */
  readonly staticKeyWeights: Float64Array | null;

  constructor(
    private readonly spec: WorkloadSpec,
    keyspace: KeyspaceSpec,
    readonly tickMs: number,
    random: RandomSource,
    opts: { readonly keepKeyWeights?: boolean } = {},
  ) {
    const B = keyspace.buckets;
    this.buckets = B;
    this.recordBytes = spec.recordBytes;
    this.staticP = new Float64Array(B);
    let staticShare = 0;
    const keyRng = random.fork('workload/keyspace');
    const K = keyspace.keys;
    const perKey = opts.keepKeyWeights && K <= ZIPF_EXACT_RANKS ? new Float64Array(K) : null;
    for (const c of spec.keys) {
      if (c.zipf) {
        const t = zipfTable(K, c.zipf.s, c.zipf.shuffle, B, keyRng, perKey ? { weights: perKey, share: c.share } : undefined);
        for (let i = 0; i < B; i++) this.staticP[i] += c.share * t[i];
        staticShare += c.share;
      } else if (c.uniform) {
        addUniform(this.staticP, c.uniform.from, c.uniform.to, c.share);
        if (perKey) addUniform(perKey, c.uniform.from, c.uniform.to, c.share);
        staticShare += c.share;
      }
    }
    this.staticKeyWeights = perKey;
    this.staticShare = staticShare;
    this.counts = new Float64Array(B);
    this.lambda = new Float64Array(B);
    this.arrivals = new ArrivalSampler(random.fork('workload/arrivals'), spec.arrivals ?? 'fast');
    this.noise = random.fork('workload/noise');
    this.noiseParams = spec.shape.noise && spec.shape.noise.cv > 0 ? lognormalParams(spec.shape.noise.cv) : null;
  }

  /** Lognormal tick noise and Poisson arrivals (`arrivals.ts`) around the expected rates. */
  get arrivalNoise(): { cv: number; poisson: boolean } {
    return { cv: this.spec.shape.noise?.cv ?? 0, poisson: true };
  }

  /** Records/s over the whole key space at `tMs`, noise excluded, bursts excluded. */
  baseRate(tMs: number): number {
    return this.spec.rate * shapeFactor(this.spec.shape, tMs);
  }

  /**
   * Writes expected records/s per bucket into `out`: `scale × baseRate(t) × P_b(t)` plus bursts.
   * `scale` carries the tick's noise factor for arrivals (1 for expectations).
   */
  private rates(tMs: number, out: Float64Array, scale: number): Float64Array {
    const B = this.buckets;
    const base = this.baseRate(tMs) * scale;
    const sp = this.staticP;
    for (let i = 0; i < B; i++) out[i] = base * sp[i];
    for (const c of this.spec.keys) {
      if (c.band) {
        const ctr = bandCenter(c.band, tMs);
        addUniform(out, ctr - c.band.width / 2, ctr + c.band.width / 2, base * c.share);
      } else if (c.tail) {
        addUniform(out, c.tail.start, tailTop(c.tail, tMs, B), base * c.share);
      }
    }
    for (const { burst } of this.spec.events) {
      if (tMs >= burst.at && tMs < burst.at + burst.duration && burst.multiplier !== 1) {
        const lo = Math.max(0, burst.center - burst.width / 2);
        const hi = Math.min(1, burst.center + burst.width / 2);
        addUniform(out, lo, hi, (burst.multiplier - 1) * this.spec.rate * scale * (hi - lo));
      }
    }
    return out;
  }

  expectedRates(tMs: number, out: Float64Array): Float64Array {
    return this.rates(tMs, out, 1);
  }

  nextBatch(timeMs: number): KeyBatch {
    const np = this.noiseParams;
    const noise = np ? Math.exp(np.mu + np.sigma * this.noise.normal()) : 1;
    const dtS = this.tickMs / 1000;
    // Rates at the tick's midpoint, so a tick's expected count is the rate integral to O(dt²).
    const mid = timeMs + this.tickMs / 2;
    const lam = this.rates(mid, this.lambda, noise * dtS);
    this.lastStaticScale = this.baseRate(mid) * noise * dtS;
    const counts = this.counts;
    const total = this.arrivals.fill(lam, counts, this.buckets);
    return { timeMs, durationMs: this.tickMs, counts, total, max: this.arrivals.lastMax, bytes: total * this.recordBytes };
  }

  /**
   * Of bucket `b`'s expected records in the last tick produced by `nextBatch`, the fraction that
   * came from the static components (zipf, uniform); the rest is uniform within the bucket.
   */
  staticFraction(b: number): number {
    const lam = this.lambda[b];
    return lam > 0 ? Math.min(1, (this.lastStaticScale * this.staticP[b]) / lam) : 0;
  }

  /** Share of the static components (for reports). */
  get staticComponentShare(): number {
    return this.staticShare;
  }
}

/**
 * A log-bucketed latency histogram weighted by record counts. Bin i holds latencies in
 * [MIN·γ^i, MIN·γ^(i+1)) with γ = 1.02; a quantile is reported as the bin's geometric midpoint,
 * so its relative error is at most √γ − 1 ≈ 0.995% (≤ 1%). Latencies below MIN (1 µs) fall in
 * bin 0; the range reaches past 10^6 s.
 */

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
const MIN_MS = 0.001;
const BINS = Math.ceil(Math.log(1e9 / MIN_MS) / LOG_GAMMA) + 1;

/** Bin index of a latency in ms. */
export function latencyBin(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const i = Math.floor(Math.log(ms / MIN_MS) / LOG_GAMMA);
  return i >= BINS ? BINS - 1 : i;
}

/** Representative latency of a bin (its geometric midpoint). */
export function binLatency(i: number): number {
  return MIN_MS * Math.pow(GAMMA, i + 0.5);
}

export class LatencyHistogram {
  readonly weights = new Float64Array(BINS);
  total = 0;
  maxMs = 0;

  /** Adds `count` records of latency `ms`. */
  add(ms: number, count: number): void {
    if (count <= 0) return;
    this.weights[latencyBin(ms)] += count;
    this.total += count;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Records with latency above `ms` (by whole bins above the bin of `ms`, plus that bin when it lies above). */
  countAbove(ms: number): number {
    const b = latencyBin(ms);
    let s = 0;
    for (let i = b + 1; i < BINS; i++) s += this.weights[i];
    return s;
  }

  /** The `q`-quantile (0 < q ≤ 1) in ms; 0 when empty. */
  quantile(q: number): number {
    if (this.total <= 0) return 0;
    const target = q * this.total;
    let acc = 0;
    for (let i = 0; i < BINS; i++) {
      acc += this.weights[i];
      if (acc >= target - 1e-9) return Math.min(binLatency(i), this.maxMs);
    }
    return this.maxMs;
  }

  reset(): void {
    this.weights.fill(0);
    this.total = 0;
    this.maxMs = 0;
  }
}

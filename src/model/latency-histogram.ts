/**
 * A log-bucketed latency histogram weighted by record counts. Bin i holds latencies in
 * [MIN·γ^i, MIN·γ^(i+1)) with γ = 1.02; a quantile is reported as the bin's geometric midpoint,
 * so its relative error is at most √γ − 1 ≈ 0.995% (≤ 1%). Latencies below MIN (1 µs) fall in
 * bin 0; the range reaches past 10^6 s. Binning reads a table by the value's floating-point
 * exponent and top mantissa bits (no logarithm per record: it runs for every served cohort).
 */

const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
const MIN_MS = 0.001;
const BINS = Math.ceil(Math.log(1e9 / MIN_MS) / LOG_GAMMA) + 1;
/** Lower edge of every bin: EDGE[i] = MIN·γ^i (EDGE[0] = 0: bin 0 also takes everything below MIN). */
const EDGE = Float64Array.from({ length: BINS + 1 }, (_, i) => (i === 0 ? 0 : MIN_MS * Math.pow(GAMMA, i)));

// Bins without a logarithm per record: a double's top bits (exponent and 8 mantissa bits) name a
// cell of relative width ≤ 1/256, narrower than a bin (2%), so a cell holds at most one bin edge;
// a table gives the bin of the cell's lower end and one comparison settles which side of that
// edge the value lies. Cells span [2^-10, 2^31) ms; outside, the ends.
const f64 = new Float64Array(1);
const hiWord = new Uint32Array(f64.buffer, new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 4 : 0, 1);
const CELL_SHIFT = 12;
const cellOf = (ms: number): number => {
  f64[0] = ms;
  return hiWord[0] >>> CELL_SHIFT;
};
const CELL_LO = cellOf(2 ** -10);
const CELL_HI = cellOf(2 ** 31);
const CELL_BIN = new Int16Array(CELL_HI - CELL_LO);
for (let c = CELL_LO, i = 0; c < CELL_HI; c++) {
  f64[0] = 0;
  hiWord[0] = c << CELL_SHIFT;
  const lo = f64[0];
  while (i + 1 < BINS && lo >= EDGE[i + 1]) i++;
  CELL_BIN[c - CELL_LO] = i;
}

/** Bin index of a latency in ms: the i with MIN·γ^i ≤ ms < MIN·γ^(i+1) (0 below MIN, clamped at the top). */
export function latencyBin(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  f64[0] = ms;
  const c = (hiWord[0] >>> CELL_SHIFT) - CELL_LO;
  if (c >= CELL_BIN.length) return BINS - 1;
  const i = CELL_BIN[c];
  return i + 1 < BINS && ms >= EDGE[i + 1] ? i + 1 : i;
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
    this.addToBin(latencyBin(ms), ms, count);
  }

  /** `add` with the bin already known (`latencyBin(ms)`), for several histograms of one value. */
  addToBin(bin: number, ms: number, count: number): void {
    if (count <= 0) return;
    this.weights[bin] += count;
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

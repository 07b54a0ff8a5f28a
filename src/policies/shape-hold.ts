/**
 * How long a layout planned now keeps paying: the payback span of predictive's code path
 * (predictive, the oracle, the fair reactive baseline) when the scenario sets no `payback`.
 *
 * A plan is priced while it runs (planner/execution.ts): its moves must pay back within a span,
 * the picture's last window held until its end. With the forecast horizon as that span (30
 * minutes) a move that takes twenty never pays where the load stays put — a tail that grows in
 * place, a total that grows — and the cluster sits unbalanced into its next peak; with a longer
 * span, a layout built for a band that moves on is paid for with load that has left it. Which of
 * the two holds is measured on the stream, not assumed: every `SAMPLE_MS` the observed load's
 * shape over the key space (shares of `RANGES` equal-width ranges over the last `SAMPLE_MS`) is
 * kept, and the span is twice the horizon where that shape has held that long (the
 * total-variation distance between the latest sample and every sample since then at most
 * `HELD_TV`), else the horizon: what has held for a span is taken to hold for as long again. The
 * last minute must still have that shape (a burst begun since the latest sample gets the horizon),
 * and a decision triggered between regular ones by a surprise or an overload gets the horizon
 * (predictive.ts). Every policy of a run samples the same stream at the same times.
 */

/** Sampling period of the key space's shape, ms. */
export const SAMPLE_MS = 5 * 60_000;
/** Equal-width ranges the shape is measured over (fewer when the key space has fewer buckets). */
export const RANGES = 64;
/** Share of the traffic that may have moved elsewhere for the shape to count as held. */
export const HELD_TV = 0.1;
/** The recent load compared with the latest sample before a span is granted, ms. */
export const RECENT_MS = 60_000;
/**
 * Multiples of the horizon tried, in order. Four times was tried as a further step: more moves in
 * the quiet hours between unforecastable bursts, which then ran into them (docs/study.md).
 */
const STEPS = [2];

/** The key space's shape sampled every SAMPLE_MS, and the span it has held for. */
export class ShapeHold {
  private readonly ranges: number;
  private readonly times: number[] = [];
  private readonly shapes: Float64Array[] = [];
  private readonly buf: Float64Array;
  /** The shape of the last RECENT_MS, at the latest `span`. */
  private readonly recent: Float64Array;

  constructor(
    private readonly buckets: number,
    /** The longest look back kept, ms (the horizon × the last step). */
    private readonly keepMs: number,
    private readonly observed: (spanMs: number, out: Float64Array) => Float64Array,
  ) {
    this.ranges = Math.max(1, Math.min(RANGES, buckets));
    this.buf = new Float64Array(buckets);
    this.recent = new Float64Array(this.ranges);
  }

  /** Writes the shares of `rates` over the ranges into `out`; returns the total (0: `out` undefined). */
  private shapeOf(rates: Float64Array, out: Float64Array): number {
    out.fill(0);
    let total = 0;
    for (let b = 0; b < this.buckets; b++) {
      out[Math.floor((b * this.ranges) / this.buckets)] += rates[b];
      total += rates[b];
    }
    if (total > 0) for (let r = 0; r < this.ranges; r++) out[r] /= total;
    return total > 0 ? total : 0;
  }

  /** Takes a sample of the shape over the SAMPLE_MS before `nowMs` (called every SAMPLE_MS). */
  sample(nowMs: number): void {
    const shape = new Float64Array(this.ranges);
    if (this.shapeOf(this.observed(SAMPLE_MS, this.buf), shape) === 0) return;
    this.times.push(nowMs);
    this.shapes.push(shape);
    while (this.times.length > 1 && this.times[0] < nowMs - this.keepMs - SAMPLE_MS) {
      this.times.shift();
      this.shapes.shift();
    }
  }

  /**
   * The largest total-variation distance between the latest shape and any sampled since `lagMs`
   * before it (the shape must have held throughout, not only at both ends); NaN without a sample
   * that far back (within half a period).
   */
  distance(lagMs: number): number {
    const n = this.times.length;
    if (n === 0) return NaN;
    const from = this.times[n - 1] - lagMs - SAMPLE_MS / 2;
    if (!(this.times[0] <= from + SAMPLE_MS)) return NaN;
    let d = 0;
    for (let i = n - 2; i >= 0 && this.times[i] >= from; i--) d = Math.max(d, tv(this.shapes[n - 1], this.shapes[i]));
    return d;
  }

  /**
   * The payback span for a policy looking `horizonMs` ahead, from the samples so far (see the file
   * comment); the horizon when the last `RECENT_MS` left the latest sample's shape (a burst
   * begun since).
   */
  span(horizonMs: number): number {
    const n = this.shapes.length;
    if (n === 0 || this.shapeOf(this.observed(RECENT_MS, this.buf), this.recent) === 0 || tv(this.recent, this.shapes[n - 1]) > HELD_TV) return horizonMs;
    let span = horizonMs;
    for (const k of STEPS) {
      if (!(this.distance(k * horizonMs) <= HELD_TV)) break;
      span = k * horizonMs;
    }
    return span;
  }
}

/** Total-variation distance between two shapes. */
function tv(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let r = 0; r < a.length; r++) d += Math.abs(a[r] - b[r]);
  return d / 2;
}

/** The longest look back a ShapeHold needs for `horizonMs`. */
export const shapeHoldKeepMs = (horizonMs: number): number => STEPS[STEPS.length - 1] * horizonMs;

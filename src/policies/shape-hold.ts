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
 * kept, and the span is the longest of horizon × 2 and × 4 over which that shape has held — the
 * total-variation distance between now and that long ago at most `HELD_TV` at each step — else
 * the horizon. What has held for a span is taken to hold for as long again. Every policy of a
 * run samples the same stream at the same times, so all of them get the same span.
 */

/** Sampling period of the key space's shape, ms. */
export const SAMPLE_MS = 5 * 60_000;
/** Equal-width ranges the shape is measured over (fewer when the key space has fewer buckets). */
export const RANGES = 64;
/** Share of the traffic that may have moved elsewhere for the shape to count as held. */
export const HELD_TV = 0.1;
/** Multiples of the horizon tried, in order. */
const STEPS = [2, 4];

/** The key space's shape sampled every SAMPLE_MS, and the span it has held for. */
export class ShapeHold {
  private readonly ranges: number;
  private readonly times: number[] = [];
  private readonly shapes: Float64Array[] = [];
  private readonly buf: Float64Array;

  constructor(
    private readonly buckets: number,
    /** The longest look back kept, ms (the horizon × the last step). */
    private readonly keepMs: number,
    private readonly observed: (spanMs: number, out: Float64Array) => Float64Array,
  ) {
    this.ranges = Math.max(1, Math.min(RANGES, buckets));
    this.buf = new Float64Array(buckets);
  }

  /** Takes a sample of the shape over the SAMPLE_MS before `nowMs` (called every SAMPLE_MS). */
  sample(nowMs: number): void {
    const rates = this.observed(SAMPLE_MS, this.buf);
    const shape = new Float64Array(this.ranges);
    let total = 0;
    for (let b = 0; b < this.buckets; b++) {
      shape[Math.floor((b * this.ranges) / this.buckets)] += rates[b];
      total += rates[b];
    }
    if (!(total > 0)) return;
    for (let r = 0; r < this.ranges; r++) shape[r] /= total;
    this.times.push(nowMs);
    this.shapes.push(shape);
    while (this.times.length > 1 && this.times[0] < nowMs - this.keepMs - SAMPLE_MS) {
      this.times.shift();
      this.shapes.shift();
    }
  }

  /** Total-variation distance between the latest shape and the one `lagMs` before it (within half a period); NaN without both. */
  distance(lagMs: number): number {
    const n = this.times.length;
    if (n === 0) return NaN;
    const target = this.times[n - 1] - lagMs;
    let then = -1;
    for (let i = 0; i < n; i++) if (Math.abs(this.times[i] - target) <= SAMPLE_MS / 2) then = i;
    if (then < 0) return NaN;
    const a = this.shapes[n - 1];
    const b = this.shapes[then];
    let d = 0;
    for (let r = 0; r < this.ranges; r++) d += Math.abs(a[r] - b[r]);
    return d / 2;
  }

  /** The payback span for a policy looking `horizonMs` ahead, from the samples so far (see the file comment). */
  span(horizonMs: number): number {
    let span = horizonMs;
    for (const k of STEPS) {
      if (!(this.distance(k * horizonMs) <= HELD_TV)) break;
      span = k * horizonMs;
    }
    return span;
  }
}

/** The longest look back a ShapeHold needs for `horizonMs`. */
export const shapeHoldKeepMs = (horizonMs: number): number => STEPS[STEPS.length - 1] * horizonMs;

/**
 * The realised arrivals of a whole run, window by window: what the `hindsight` policy plans from.
 * Every arrival is known (the run's workload is replayed ahead of time with the same seed), so a
 * layout planned from it is planned with hindsight. Per window: the mean records/s per bucket and
 * the realised tail a node met, as a relative excess (the 90th percentile over the window's ticks
 * of a node-sized group's tick load over its window mean, averaged over the groups): the tail the
 * PRE's overload and imbalance terms keep within capacity.
 */

/** The realised load of a run at one window length (values only, no I/O). */
export interface RealisedLoad {
  readonly windowMs: number;
  /** Windows of the run, from t = 0. */
  readonly count: number;
  /** Mean records/s per bucket of window `k` (shared: do not write). */
  mean(k: number): Float32Array;
  /** Realised relative p90 excess of a node's tick load over its window mean in window `k`. */
  excess(k: number): number;
}

/** Builds a `RealisedLoad` tick by tick (the batches of the run, in order). */
export class RealisedLoadBuilder implements RealisedLoad {
  private readonly means: Float32Array[] = [];
  private readonly excesses: number[] = [];
  private sum: Float64Array;
  private readonly groupTicks: number[][];
  private windowAt = 0;
  private ticks = 0;
  private spanMs = 0;

  constructor(
    readonly windowMs: number,
    private readonly buckets: number,
    /** Node-sized groups the tail is measured over (the cluster's node count). */
    private readonly groups: number,
  ) {
    this.sum = new Float64Array(buckets);
    this.groupTicks = Array.from({ length: Math.max(1, groups) }, () => []);
  }

  get count(): number {
    return this.means.length;
  }

  mean(k: number): Float32Array {
    return this.means[Math.max(0, Math.min(this.means.length - 1, k))];
  }

  excess(k: number): number {
    return this.excesses[Math.max(0, Math.min(this.excesses.length - 1, k))] ?? 0;
  }

  /** One tick's counts, starting at `timeMs`, lasting `durationMs`. */
  add(timeMs: number, durationMs: number, counts: Float64Array | Float32Array | Uint32Array | readonly number[]): void {
    while (timeMs >= this.windowAt + this.windowMs) this.close();
    const B = this.buckets;
    const G = this.groupTicks.length;
    let g = 0;
    let gEnd = Math.ceil(B / G);
    let acc = 0;
    for (let b = 0; b < B; b++) {
      if (b >= gEnd) {
        this.groupTicks[g].push(acc / durationMs);
        g++;
        gEnd = Math.ceil(((g + 1) * B) / G);
        acc = 0;
      }
      const c = counts[b];
      this.sum[b] += c;
      acc += c;
    }
    this.groupTicks[g].push(acc / durationMs);
    for (g++; g < G; g++) this.groupTicks[g].push(0);
    this.ticks++;
    this.spanMs += durationMs;
  }

  /** Closes the window in progress (call once after the last tick). */
  close(): void {
    const m = new Float32Array(this.buckets);
    if (this.spanMs > 0) for (let b = 0; b < this.buckets; b++) m[b] = (this.sum[b] * 1000) / this.spanMs;
    let ex = 0;
    let n = 0;
    for (const ticks of this.groupTicks) {
      if (ticks.length === 0) continue;
      let mean = 0;
      for (const v of ticks) mean += v;
      mean /= ticks.length;
      if (mean > 0) {
        const sorted = ticks.slice().sort((a, b) => a - b);
        ex += Math.max(0, sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)] / mean - 1);
        n++;
      }
      ticks.length = 0;
    }
    this.means.push(m);
    this.excesses.push(n > 0 ? ex / n : 0);
    this.sum.fill(0);
    this.ticks = 0;
    this.spanMs = 0;
    this.windowAt += this.windowMs;
  }
}

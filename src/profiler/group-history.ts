/**
 * What the KDP remembers of the key space: a ring of closed windows' records/s per micro-group
 * (equal runs of buckets), plus two slow means used beside the ring: each bucket's weight (for
 * spreading a group's load over its buckets) and each group's mean rate (for re-cutting ranges).
 *
 * Windows are numbered from 0 in the order they close; window `w` lives in row `w % windows` of the
 * ring, so everything older than `windows` closes ago is gone. Every read names absolute window
 * indices and reports (false or null) when they are no longer, or not yet, in the ring.
 */

/** Weight of the newest window in each bucket's exponentially weighted count. */
const BUCKET_WEIGHT_ALPHA = 0.05;
/** Weight of the newest window in each group's slow mean rate (the first window sets it). */
const GROUP_MEAN_ALPHA = 0.01;

export class GroupHistory {
  /** Micro-groups of buckets. */
  readonly groups: number;
  /** First bucket of each group; `groupStart[groups]` = buckets. */
  readonly groupStart: Int32Array;
  /** Windows the ring keeps. */
  readonly windows: number;
  /** Per bucket: exponentially weighted records per window (relative weights within a group). */
  readonly bucketWeight: Float64Array;
  /** Per group: slowly weighted mean records/s. */
  readonly groupMeanRate: Float64Array;
  /** Row `w % windows`, column g: records/s of group g in window w. */
  private readonly rates: Float64Array;
  private closedWindows = 0;

  constructor(buckets: number, groups: number, windows: number) {
    this.groups = groups;
    this.windows = windows;
    this.groupStart = new Int32Array(groups + 1);
    for (let g = 0; g <= groups; g++) this.groupStart[g] = Math.floor((g * buckets) / groups);
    this.bucketWeight = new Float64Array(buckets);
    this.groupMeanRate = new Float64Array(groups);
    this.rates = new Float64Array(windows * groups);
  }

  /** Windows closed so far (the next window's index). */
  get closed(): number {
    return this.closedWindows;
  }

  /**
   * Closes a window from its per-bucket record counts over `windowSec` seconds: stores the groups'
   * records/s and updates the slow means. Returns the window's records.
   */
  append(counts: ArrayLike<number>, windowSec: number): number {
    const w = this.closedWindows;
    const row = (w % this.windows) * this.groups;
    const groupAlpha = w === 0 ? 1 : GROUP_MEAN_ALPHA;
    let total = 0;
    for (let g = 0; g < this.groups; g++) {
      let s = 0;
      for (let b = this.groupStart[g]; b < this.groupStart[g + 1]; b++) {
        const v = counts[b];
        s += v;
        this.bucketWeight[b] += BUCKET_WEIGHT_ALPHA * (v - this.bucketWeight[b]);
      }
      this.rates[row + g] = s / windowSec;
      this.groupMeanRate[g] += groupAlpha * (s / windowSec - this.groupMeanRate[g]);
      total += s;
    }
    this.closedWindows++;
    return total;
  }

  /** Records/s of groups `g0..g1` (exclusive) in window `w`, which must be in the ring. */
  spanRate(g0: number, g1: number, w: number): number {
    let v = 0;
    const base = (w % this.windows) * this.groups;
    for (let g = g0; g < g1; g++) v += this.rates[base + g];
    return v;
  }

  /** True when windows `from..to` (inclusive) are all closed and still in the ring. */
  holds(from: number, to: number): boolean {
    return !(from < 0 || to >= this.closedWindows || from < this.closedWindows - this.windows || to < from);
  }

  /**
   * Adds the mean of windows `from..to` (inclusive) of groups `g0..g1` into `out` (indexed from
   * g0); false, leaving `out` alone, if not all those windows are in the ring.
   */
  addMean(out: Float64Array, g0: number, g1: number, from: number, to: number): boolean {
    if (!this.holds(from, to)) return false;
    const n = to - from + 1;
    for (let i = from; i <= to; i++) {
      const base = (i % this.windows) * this.groups;
      for (let g = g0; g < g1; g++) out[g - g0] += this.rates[base + g] / n;
    }
    return true;
  }

  /** Each group's share of the mean of windows `from..to`; null if not in the ring or empty. */
  sharesOf(from: number, to: number): Float64Array | null {
    const out = new Float64Array(this.groups);
    if (!this.addMean(out, 0, this.groups, from, to)) return null;
    let t = 0;
    for (let g = 0; g < this.groups; g++) t += out[g];
    if (t <= 0) return null;
    for (let g = 0; g < this.groups; g++) out[g] /= t;
    return out;
  }

  /** The last `n` closed windows' records/s of groups `g0..g1` in time order (fewer if fewer are kept). */
  recent(g0: number, g1: number, n: number): Float64Array {
    const m = Math.min(n, this.closedWindows, this.windows);
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) out[i] = this.spanRate(g0, g1, this.closedWindows - m + i);
    return out;
  }
}

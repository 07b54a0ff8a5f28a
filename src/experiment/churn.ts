/**
 * Churn metrics from a policy's partition layouts over time (one per metrics window where the map
 * changed): `keyChurn` = key-space fraction whose owner node changed, per measured day (1 = the
 * whole key space once a day); `thrashing` = share of those ownership changes that sent buckets
 * back to the node they had just left within `thrashWindowMs` (plans undone soon after).
 */

export interface Layout {
  readonly timeMs: number;
  /** Boundaries as fractions of the key space (0 … 1). */
  readonly boundaries: readonly number[];
  readonly nodes: readonly number[];
}

export const THRASH_WINDOW_MS = 30 * 60_000;

function owners(l: Layout, B: number, out: Int32Array): Int32Array {
  for (let i = 0; i + 1 < l.boundaries.length; i++) out.fill(l.nodes[i], Math.round(l.boundaries[i] * B), Math.round(l.boundaries[i + 1] * B));
  return out;
}

/**
 * The same metrics fed one layout at a time (a run keeps no layout history for them): memory is
 * O(buckets) whatever the run's length. `churnMetrics` is this over a list.
 */
export class ChurnTracker {
  private cur: Int32Array | null = null;
  private next: Int32Array;
  private readonly prevNode: Int32Array;
  private readonly lastChange: Float64Array;
  private changed = 0;
  private thrashed = 0;

  constructor(
    private readonly B: number,
    private readonly warmupMs: number,
    private readonly thrashWindowMs = THRASH_WINDOW_MS,
  ) {
    this.next = new Int32Array(B);
    this.prevNode = new Int32Array(B).fill(-1);
    this.lastChange = new Float64Array(B).fill(-Infinity);
  }

  add(l: Layout): void {
    const B = this.B;
    if (!this.cur) {
      this.cur = owners(l, B, new Int32Array(B));
      return;
    }
    const t = l.timeMs;
    const cur = this.cur;
    const next = owners(l, B, this.next);
    for (let b = 0; b < B; b++) {
      if (next[b] === cur[b]) continue;
      if (t >= this.warmupMs) {
        this.changed++;
        if (next[b] === this.prevNode[b] && t - this.lastChange[b] <= this.thrashWindowMs) this.thrashed++;
      }
      this.prevNode[b] = cur[b];
      this.lastChange[b] = t;
    }
    this.next = cur;
    this.cur = next;
  }

  result(measuredMs: number): { keyChurn: number; thrashing: number } {
    if (measuredMs <= 0) return { keyChurn: 0, thrashing: 0 };
    const days = measuredMs / 86_400_000;
    const changed = this.changed;
    return { keyChurn: Math.round((changed / this.B / days) * 1e6) / 1e6, thrashing: changed ? Math.round((this.thrashed / changed) * 1e6) / 1e6 : 0 };
  }
}

export function churnMetrics(layouts: readonly Layout[], B: number, warmupMs: number, measuredMs: number, thrashWindowMs = THRASH_WINDOW_MS): { keyChurn: number; thrashing: number } {
  if (layouts.length < 2 || measuredMs <= 0) return { keyChurn: 0, thrashing: 0 };
  const t = new ChurnTracker(B, warmupMs, thrashWindowMs);
  for (const l of layouts) t.add(l);
  return t.result(measuredMs);
}

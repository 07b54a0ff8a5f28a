/**
 * A planning policy's churn budget account: what its plans may still send between nodes in the
 * rolling hour. `bytesPerHour` is absolute; `stateSharePerHour` is a share of the most state the
 * cluster held at any decision of the last 24 hours, not of the state held at this moment: after
 * a quiet period (a silent night of a trace) the state of the moment is near zero, and a budget
 * measured against it would forbid every move just when the returning load needs the layout
 * spread again (on the flights trace that left one node at 5× its capacity all day).
 */

/** How far back the state's high-water mark reaches. */
export const STATE_MEMORY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ChurnBudget {
  readonly bytesPerHour?: number;
  readonly stateSharePerHour?: number;
}

export class ChurnAccount {
  /** Plans proposed in the last hour and their predicted moved bytes. */
  private spent: { atMs: number; bytes: number }[] = [];
  /** State totals at decisions, decreasing from the front: the front is the 24-hour maximum. */
  private held: { atMs: number; total: number }[] = [];

  constructor(private readonly budget: ChurnBudget) {}

  /** Bytes left in the hour up to `now`, the cluster holding `stateBytes` per bucket now. */
  left(now: number, stateBytes: Float64Array | undefined): number {
    const cap = this.perHour(now, stateBytes);
    this.spent = this.spent.filter((s) => s.atMs > now - HOUR_MS);
    return Math.max(0, cap - this.spent.reduce((a, s) => a + s.bytes, 0));
  }

  /** The budget of a rolling hour at `now` (bytes), the cluster holding `stateBytes` per bucket now. */
  perHour(now: number, stateBytes: Float64Array | undefined): number {
    const b = this.budget;
    let cap = b.bytesPerHour ?? Infinity;
    if (b.stateSharePerHour !== undefined) cap = Math.min(cap, b.stateSharePerHour * this.highWater(now, stateBytes));
    return cap;
  }

  /** Counts a plan proposed at `now` moving `bytes`. */
  spend(now: number, bytes: number): void {
    this.spent.push({ atMs: now, bytes });
  }

  /** The most state held at a decision within STATE_MEMORY_MS up to `now` (this one included). */
  private highWater(now: number, stateBytes: Float64Array | undefined): number {
    let total = 0;
    if (stateBytes) for (let i = 0; i < stateBytes.length; i++) total += stateBytes[i];
    const h = this.held;
    while (h.length > 0 && h[h.length - 1].total <= total) h.pop();
    h.push({ atMs: now, total });
    while (h[0].atMs <= now - STATE_MEMORY_MS) h.shift();
    return h[0].total;
  }
}

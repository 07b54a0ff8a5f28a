/**
 * Per-bucket record counts kept per slot (1 minute by default) in a ring: the source of state
 * sizes (the last `retention` of records), of observed recent load for reactive policies and of
 * the load heatmap. Lane-independent: it depends on the arrivals only, so one instance serves
 * every policy of a run.
 */
import type { KeyBatch } from '../model/batch.ts';

export class BucketHistory {
  /** `slots × buckets` counts; slot s covers [s·slotMs, (s+1)·slotMs) modulo the ring. */
  private readonly ring: Float64Array;
  private readonly slots: number;
  private currentSlot = 0;
  private slotStartMs = 0;
  /** Completed slots so far. */
  completed = 0;
  /** `bucketCounts`' sum of the completed slots from `countsFrom` while `currentSlot` was `countsSlot`. */
  private completedCounts: Float64Array | null = null;
  private countsSlot = -1;
  private countsFrom = -1;

  constructor(
    readonly buckets: number,
    readonly slotMs: number,
    keepMs: number,
  ) {
    this.slots = Math.max(2, Math.ceil(keepMs / slotMs) + 1);
    this.ring = new Float64Array(this.slots * buckets);
  }

  /** Adds a tick's counts (ticks must come in time order; a tick belongs to the slot of its start). */
  add(batch: KeyBatch): void {
    const slotIndex = Math.floor(batch.timeMs / this.slotMs);
    while (slotIndex > this.currentSlot) this.rotate();
    const off = (this.currentSlot % this.slots) * this.buckets;
    const r = this.ring;
    const c = batch.counts;
    for (let i = 0; i < this.buckets; i++) r[off + i] += c[i];
  }

  private rotate(): void {
    this.currentSlot++;
    this.completed++;
    this.slotStartMs = this.currentSlot * this.slotMs;
    const off = (this.currentSlot % this.slots) * this.buckets;
    // The slot this one overwrites leaves `bucketCounts`' kept sum first, while it is still here.
    const leaving = this.currentSlot - this.slots;
    if (this.countsSlot >= 0 && leaving >= this.countsFrom) {
      if (leaving === this.countsFrom && leaving < this.countsSlot) {
        const c = this.completedCounts!;
        for (let i = 0; i < this.buckets; i++) c[i] -= this.ring[off + i];
        this.countsFrom++;
      } else this.countsSlot = -1;
    }
    this.ring.fill(0, off, off + this.buckets);
  }

  /** Start of the slot being filled. */
  get currentSlotStartMs(): number {
    return this.slotStartMs;
  }

  /** Counts of a completed slot `back` slots ago (1 = the last completed one), as a view. */
  slot(back: number): Float64Array {
    const s = this.currentSlot - back;
    if (back < 0 || back >= this.slots || s < 0) return new Float64Array(this.buckets);
    const off = (s % this.slots) * this.buckets;
    return this.ring.subarray(off, off + this.buckets);
  }

  /**
   * Records/s per bucket over the last `spanMs` before `nowMs` (whole slots, the current partial
   * slot included when it has data), written into `out`.
   */
  recentRate(nowMs: number, spanMs: number, out: Float64Array): Float64Array {
    out.fill(0);
    const startMs = Math.max(0, nowMs - spanMs);
    let covered = 0;
    for (let back = 0; back < this.slots; back++) {
      const s = this.currentSlot - back;
      if (s < 0) break;
      const sStart = s * this.slotMs;
      const sEnd = Math.min(nowMs, sStart + this.slotMs);
      if (sEnd <= startMs) break;
      if (sEnd <= sStart) continue;
      const off = (s % this.slots) * this.buckets;
      for (let i = 0; i < this.buckets; i++) out[i] += this.ring[off + i];
      covered += sEnd - sStart;
    }
    if (covered > 0) for (let i = 0; i < this.buckets; i++) out[i] /= covered / 1000;
    return out;
  }

  /** Ring offsets of the slots overlapping the last `spanMs` before `nowMs` (whole slots), newest first. */
  private retainedOffsets(nowMs: number, spanMs: number): number[] {
    const startMs = nowMs - spanMs;
    const offs: number[] = [];
    for (let back = 0; back < this.slots; back++) {
      const s = this.currentSlot - back;
      if (s < 0 || (s + 1) * this.slotMs <= startMs) break;
      offs.push((s % this.slots) * this.buckets);
    }
    return offs;
  }

  /** Records in buckets `[start, end)` over the last `spanMs` before `nowMs` (whole slots). */
  rangeCount(start: number, end: number, nowMs: number, spanMs: number): number {
    let total = 0;
    for (const off of this.retainedOffsets(nowMs, spanMs)) for (let i = start; i < end; i++) total += this.ring[off + i];
    return total;
  }

  /**
   * `rangeCount(b, b + 1, nowMs, spanMs)` for every bucket b, into `out` (the same sums in the
   * same order, one pass over the slots instead of one call per bucket).
   */
  bucketCounts(nowMs: number, spanMs: number, out: Float64Array): Float64Array {
    const B = this.buckets;
    const offs = this.retainedOffsets(nowMs, spanMs);
    if (offs.length === 0) return out.fill(0);
    // The completed slots' part changes once a slot, not once a call: it is kept (every policy
    // of a run asks at its decisions and at each batch of its plans) and the current slot added.
    // Counts are whole numbers, so sums in another order, and a sum less the slots that left it,
    // are the same sums: the kept sum follows the window slot by slot (a slot that leaves is taken
    // off, at the latest when the ring overwrites it) instead of being summed again from the ring.
    const from = this.currentSlot - offs.length + 1;
    if (this.countsSlot !== this.currentSlot || this.countsFrom !== from) {
      const c = (this.completedCounts ??= new Float64Array(B));
      if (!this.advanceCounts(c, from)) {
        c.fill(0);
        for (let t = 1; t < offs.length; t++) {
          const off = offs[t];
          for (let i = 0; i < B; i++) c[i] += this.ring[off + i];
        }
      }
      this.countsSlot = this.currentSlot;
      this.countsFrom = from;
    }
    const c = this.completedCounts!;
    const cur = offs[0];
    for (let i = 0; i < B; i++) out[i] = this.ring[cur + i] + c[i];
    return out;
  }

  /**
   * Moves the kept sum of completed slots `[countsFrom, countsSlot)` to `[from, currentSlot)` by
   * taking off the slots that left and adding the ones completed since, when that is possible (the
   * window only moved forward; a slot overwritten meanwhile was taken off as it was, `rotate`) and
   * cheaper than summing the window again; false when not done.
   */
  private advanceCounts(c: Float64Array, from: number): boolean {
    const oldFrom = this.countsFrom;
    const oldEnd = this.countsSlot;
    const end = this.currentSlot;
    if (oldEnd < 0 || from < oldFrom || end < oldEnd || oldEnd <= from) return false;
    if (from - oldFrom + (end - oldEnd) >= end - from) return false;
    const B = this.buckets;
    const r = this.ring;
    for (let s = oldFrom; s < from; s++) {
      const off = (s % this.slots) * B;
      for (let i = 0; i < B; i++) c[i] -= r[off + i];
    }
    for (let s = oldEnd; s < end; s++) {
      const off = (s % this.slots) * B;
      for (let i = 0; i < B; i++) c[i] += r[off + i];
    }
    return true;
  }
}

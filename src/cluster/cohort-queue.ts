/**
 * A partition's FIFO fluid queue as cohorts: each tick's arrivals form one cohort (count,
 * arrival time). Service drains cohorts from the head; each drained portion's latency is its
 * departure time minus its arrival time, so queueing delay and pauses are measured, not guessed.
 *
 * Bounded memory whatever the backlog: when the queue holds many cohorts, old neighbouring
 * cohorts are merged into one (their counts summed, their arrival time the count-weighted
 * mean) as long as the merged group's original arrival times (tracked per cohort) span at most
 * `COMPACT_SPAN` (0.5%) of the age of its newest record. Every record's latency then moves by at
 * most 0.5% of it — under the
 * latency histogram's bin width (2%) — while the cohorts of a queue whose backlog spans ages
 * from one tick to T number about ln(T / tick) / 0.005 (≈ 3,000 for 4 weeks of 1 s ticks)
 * instead of T / tick. Cohorts on either side of `barrierMs` (the warm-up's end) never merge,
 * so measured and unmeasured records stay apart. Counts are conserved exactly.
 */

/** Relative span of arrival times a merged cohort may cover (of its newest member's age). */
export const COMPACT_SPAN = 0.005;
/** Cohorts a queue holds before it first compacts. */
export const COMPACT_MIN = 512;

export class CohortQueue {
  private t = new Float64Array(8);
  private n = new Float64Array(8);
  /** Earliest and latest original arrival merged into each cohort (bound the compaction's error). */
  private f = new Float64Array(8);
  private l = new Float64Array(8);
  private head = 0;
  private tail = 0;
  /** Records queued (sum of cohort counts). */
  size = 0;
  /** Compact when the live cohorts reach this (twice what the last compaction left, ≥ COMPACT_MIN). */
  private compactAt = COMPACT_MIN;

  /** `barrierMs`: cohorts before and after it never merge (the warm-up's end). */
  constructor(private readonly barrierMs = 0) {}

  get cohorts(): number {
    return this.tail - this.head;
  }

  /** Appends `count` records that arrived at `timeMs`. */
  push(timeMs: number, count: number): void {
    this.pushCohort(timeMs, count, timeMs, timeMs);
  }

  private pushCohort(timeMs: number, count: number, first: number, last: number): void {
    if (count <= 0) return;
    if (this.tail === this.t.length) this.grow();
    this.t[this.tail] = timeMs;
    this.n[this.tail] = count;
    this.f[this.tail] = first;
    this.l[this.tail] = last;
    this.tail++;
    this.size += count;
    if (this.tail - this.head >= this.compactAt) this.compact(timeMs);
  }

  /**
   * Merges old neighbouring cohorts whose arrival times span at most COMPACT_SPAN of the newest
   * one's age at `nowMs` (see the file comment). O(cohorts); amortised O(1) per push.
   */
  compact(nowMs: number): void {
    if (this.tail - this.head < 2) return;
    const { t, n, f, l } = this;
    let w = this.head; // write position
    let first = f[this.head]; // earliest and latest original arrival in the group at w
    let last = l[this.head];
    let sumN = n[this.head];
    let sumNT = n[this.head] * t[this.head];
    let t0 = t[this.head];
    for (let r = this.head + 1; r < this.tail; r++) {
      const sameSide = first >= this.barrierMs === f[r] >= this.barrierMs;
      if (sameSide && l[r] - first <= COMPACT_SPAN * (nowMs - l[r])) {
        sumN += n[r];
        sumNT += n[r] * t[r];
        last = l[r];
        continue;
      }
      t[w] = sumN > 0 ? sumNT / sumN : t0;
      n[w] = sumN;
      f[w] = first;
      l[w] = last;
      w++;
      first = f[r];
      last = l[r];
      sumN = n[r];
      sumNT = n[r] * t[r];
      t0 = t[r];
    }
    t[w] = sumN > 0 ? sumNT / sumN : t0;
    n[w] = sumN;
    f[w] = first;
    l[w] = last;
    w++;
    this.tail = w;
    this.compactAt = Math.max(COMPACT_MIN, 2 * (this.tail - this.head));
  }

  private grow(): void {
    const live = this.tail - this.head;
    if (live * 2 <= this.t.length) {
      this.t.copyWithin(0, this.head, this.tail);
      this.n.copyWithin(0, this.head, this.tail);
      this.f.copyWithin(0, this.head, this.tail);
      this.l.copyWithin(0, this.head, this.tail);
    } else {
      const cap = this.t.length * 2;
      const grown = (a: Float64Array) => {
        const b = new Float64Array(cap);
        b.set(a.subarray(this.head, this.tail));
        return b;
      };
      this.t = grown(this.t);
      this.n = grown(this.n);
      this.f = grown(this.f);
      this.l = grown(this.l);
    }
    this.head = 0;
    this.tail = live;
  }

  /**
   * Serves up to `amount` records uniformly over `[startMs, startMs + spanMs)`; calls
   * `onServed(arrivalMs, latencyMs, count)` per drained portion (latency = mid-departure − arrival, ≥ 0).
   * Returns the records served.
   */
  serve(amount: number, startMs: number, spanMs: number, onServed: (arrivalMs: number, latencyMs: number, count: number) => void): number {
    if (amount <= 0 || this.size <= 0) return 0;
    const want = Math.min(amount, this.size);
    let done = 0;
    while (done < want - 1e-9 && this.head < this.tail) {
      const c = this.n[this.head];
      const take = Math.min(c, want - done);
      const depart = startMs + ((done + take / 2) / amount) * spanMs;
      const lat = depart - this.t[this.head];
      onServed(this.t[this.head], lat > 0 ? lat : 0, take);
      done += take;
      if (take >= c - 1e-9) this.head++;
      else this.n[this.head] = c - take;
    }
    this.size -= done;
    if (this.head === this.tail || this.size < 1e-9) {
      this.head = this.tail = 0;
      this.size = 0;
    }
    return done;
  }

  /** Drops records from the tail (newest first) until at most `limit` remain; returns the count dropped. */
  trimTo(limit: number): number {
    let drop = this.size - limit;
    if (drop <= 0) return 0;
    const dropped = drop;
    while (drop > 1e-9 && this.tail > this.head) {
      const c = this.n[this.tail - 1];
      if (c <= drop) {
        drop -= c;
        this.tail--;
      } else {
        this.n[this.tail - 1] = c - drop;
        drop = 0;
      }
    }
    this.size -= dropped;
    return dropped;
  }

  /** Calls `fn(arrivalMs, count)` for each cohort, oldest first. */
  forEach(fn: (arrivalMs: number, count: number) => void): void {
    for (let i = this.head; i < this.tail; i++) fn(this.t[i], this.n[i]);
  }

  /** Splits off `fraction` of every cohort into a new queue (for a partition split). */
  splitOff(fraction: number): CohortQueue {
    const q = new CohortQueue(this.barrierMs);
    if (fraction <= 0) return q;
    let moved = 0;
    for (let i = this.head; i < this.tail; i++) {
      const part = this.n[i] * fraction;
      q.pushCohort(this.t[i], part, this.f[i], this.l[i]);
      this.n[i] -= part;
      moved += part;
    }
    this.size -= moved;
    return q;
  }

  /** Merges `other` into this queue, keeping arrival order. */
  absorb(other: CohortQueue): void {
    if (other.size <= 0) return;
    const merged = new CohortQueue(this.barrierMs);
    merged.compactAt = Infinity; // rebuilt in order: compact once at the end

    let i = this.head;
    let j = other.head;
    while (i < this.tail || j < other.tail) {
      if (j >= other.tail || (i < this.tail && this.t[i] <= other.t[j])) {
        merged.pushCohort(this.t[i], this.n[i], this.f[i], this.l[i]);
        i++;
      } else {
        merged.pushCohort(other.t[j], other.n[j], other.f[j], other.l[j]);
        j++;
      }
    }
    this.t = merged.t;
    this.n = merged.n;
    this.f = merged.f;
    this.l = merged.l;
    this.head = merged.head;
    this.tail = merged.tail;
    this.size = merged.size;
    this.compactAt = Math.max(COMPACT_MIN, 2 * (this.tail - this.head));
  }
}

/**
 * A binary min-heap of events keyed by (time, priority, insertion sequence): ties are broken
 * deterministically, as in SimPy's `(time, priority, eid)`.
 *
 * The heap lives in parallel arrays: per heap position the time (Float64Array), a second key
 * `priority · 2^36 + seq` (Float64Array, exact below 2^53) and the callback (a plain array moved
 * along with them). No object is allocated per event, so pushing and popping millions of events
 * costs neither garbage collection nor pointer chasing (see `npm run bench`). Cancellation is
 * lazy: a cancelled event's sequence number is remembered and the event skipped when popped.
 */

const SEQ_SPAN = 2 ** 36;
const MAX_PRIORITY = 2 ** 16;

/** Min-heap of events. */
export class EventQueue {
  private times = new Float64Array(1024);
  private keys = new Float64Array(1024);
  private fns: (() => void)[] = [];
  private n = 0;
  private nextSeq = 0;
  /** Sequence numbers of cancelled events still queued. */
  private readonly cancelled = new Set<number>();
  /** Time and second key of the event last removed by `pop`. */
  poppedTime = 0;
  private poppedKey = 0;

  /** Priority of the event last removed by `pop`. */
  get poppedPriority(): number {
    return Math.floor(this.poppedKey / SEQ_SPAN);
  }

  /** Sequence number of the event last removed by `pop`. */
  get poppedSeq(): number {
    return this.poppedKey % SEQ_SPAN;
  }

  /** Events queued, cancelled ones included until popped. */
  get size(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const k = new Float64Array(cap);
    k.set(this.keys);
    this.keys = k;
  }

  /** Enqueues `run` at `timeMs` with `priority` (lower first at equal time); returns its sequence number (for `cancel`). */
  push(timeMs: number, priority: number, run: () => void): number {
    if (!(priority >= 0 && priority < MAX_PRIORITY)) throw new RangeError(`event priority ${priority} outside [0, ${MAX_PRIORITY})`);
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const key = priority * SEQ_SPAN + seq;
    const times = this.times;
    const keys = this.keys;
    const fns = this.fns;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < timeMs || (pt === timeMs && keys[p] < key)) break;
      times[i] = pt;
      keys[i] = keys[p];
      fns[i] = fns[p];
      i = p;
    }
    times[i] = timeMs;
    keys[i] = key;
    fns[i] = run;
    return seq;
  }

  /** Drops a queued event by its sequence number (no effect if it already ran). */
  cancel(seq: number): void {
    if (!(seq >= 0 && seq < this.nextSeq)) return;
    this.cancelled.add(seq);
    // Cancelling an event that already ran leaves a stale number: prune those now and then.
    if (this.cancelled.size > 2 * this.n + 64) {
      const queued = new Set<number>();
      for (let i = 0; i < this.n; i++) queued.add(this.keys[i] % SEQ_SPAN);
      for (const c of this.cancelled) if (!queued.has(c)) this.cancelled.delete(c);
    }
  }

  /** Time of the earliest queued event (cancelled ones included), or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0] : Infinity;
  }

  /**
   * Removes the earliest event and returns its callback, or null when it was cancelled (its
   * time is in `poppedTime` either way). Call only when `size > 0`.
   */
  pop(): (() => void) | null {
    const times = this.times;
    const keys = this.keys;
    const fns = this.fns;
    const fn = fns[0];
    this.poppedTime = times[0];
    const k0 = keys[0];
    this.poppedKey = k0;
    const n = --this.n;
    if (n > 0) {
      const lt = times[n];
      const lk = keys[n];
      const lf = fns[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        const r = c + 1;
        if (r < n && (times[r] < times[c] || (times[r] === times[c] && keys[r] < keys[c]))) c = r;
        const ct = times[c];
        if (lt < ct || (lt === ct && lk < keys[c])) break;
        times[i] = ct;
        keys[i] = keys[c];
        fns[i] = fns[c];
        i = c;
      }
      times[i] = lt;
      keys[i] = lk;
      fns[i] = lf;
    }
    fns[n] = NOOP; // drop the reference, keep the array packed
    if (this.cancelled.size > 0 && this.cancelled.delete(k0 % SEQ_SPAN)) return null;
    return fn;
  }
}

const NOOP = (): void => {};

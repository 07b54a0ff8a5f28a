/**
 * A binary min-heap of events keyed by (time, priority, insertion sequence): ties are broken
 * deterministically, as in SimPy's `(time, priority, eid)`.
 *
 * The heap lives in typed arrays: per heap position the time (Float64Array), a second key
 * `priority · 2^36 + seq` (Float64Array, exact below 2^53) and the slot of the callback
 * (Int32Array). Callbacks sit in a plain array indexed by slot; slots are recycled through a
 * free list. No object is allocated per event, so pushing and popping millions of events costs
 * neither garbage collection nor pointer chasing (see `npm run bench`).
 */

const SEQ_SPAN = 2 ** 36;
const MAX_PRIORITY = 2 ** 16;

/** A queued event: its slot and sequence number (pass both to `cancel`). */
export interface EventHandle {
  readonly slot: number;
  readonly seq: number;
}

/** Min-heap of events. */
export class EventQueue {
  private times = new Float64Array(1024);
  private keys = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private n = 0;
  private fns: ((() => void) | null)[] = [];
  /** Sequence number of the event occupying each slot (−1 when free or cancelled). */
  private slotSeq = new Float64Array(1024);
  private free: number[] = [];
  private nextSeq = 0;
  /** Time, priority and sequence number of the event last removed by `pop`. */
  poppedTime = 0;
  poppedPriority = 0;
  poppedSeq = 0;

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
    const s = new Int32Array(cap);
    s.set(this.slots);
    this.slots = s;
    const q = new Float64Array(cap);
    q.set(this.slotSeq);
    this.slotSeq = q;
  }

  /** Enqueues `run` at `timeMs` with `priority` (lower first at equal time); returns its sequence number. */
  push(timeMs: number, priority: number, run: () => void): number {
    if (!(priority >= 0 && priority < MAX_PRIORITY)) throw new RangeError(`event priority ${priority} outside [0, ${MAX_PRIORITY})`);
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const slot = this.free.length > 0 ? this.free.pop()! : this.fns.length;
    if (slot === this.fns.length) this.fns.push(run);
    else this.fns[slot] = run;
    this.slotSeq[slot] = seq;
    const key = priority * SEQ_SPAN + seq;
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < timeMs || (pt === timeMs && keys[p] < key)) break;
      times[i] = pt;
      keys[i] = keys[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = timeMs;
    keys[i] = key;
    slots[i] = slot;
    this.lastSlot = slot;
    return seq;
  }

  /** Slot of the event last pushed (with the sequence number `push` returned, a handle for `cancel`). */
  lastSlot = 0;

  /** Drops a queued event (no effect if it already ran or was cancelled). */
  cancel(slot: number, seq: number): void {
    if (this.slotSeq[slot] === seq) {
      this.slotSeq[slot] = -1;
      this.fns[slot] = null;
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
    const slots = this.slots;
    const slot = slots[0];
    this.poppedTime = times[0];
    const k0 = keys[0];
    this.poppedPriority = Math.floor(k0 / SEQ_SPAN);
    this.poppedSeq = k0 - this.poppedPriority * SEQ_SPAN;
    const n = --this.n;
    if (n > 0) {
      const lt = times[n];
      const lk = keys[n];
      const ls = slots[n];
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
        slots[i] = slots[c];
        i = c;
      }
      times[i] = lt;
      keys[i] = lk;
      slots[i] = ls;
    }
    const fn = this.fns[slot];
    this.fns[slot] = null;
    this.slotSeq[slot] = -1;
    this.free.push(slot);
    return fn;
  }
}

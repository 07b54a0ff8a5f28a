/**
 * A binary min-heap of events keyed by (time, priority, insertion sequence): ties are broken
 * deterministically, as in SimPy's `(time, priority, eid)`.
 */

/** One queued entry. Lower `priority` runs first at equal time. */
export interface QueuedEvent {
  timeMs: number;
  priority: number;
  seq: number;
  run: () => void;
  /** Set when cancelled; the entry is skipped when popped (lazy deletion). */
  cancelled: boolean;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  if (a.timeMs !== b.timeMs) return a.timeMs < b.timeMs;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.seq < b.seq;
}

/** Min-heap of events. */
export class EventQueue {
  private heap: QueuedEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Enqueues `run` at `timeMs` and returns its entry (set `cancelled` to drop it). */
  push(timeMs: number, priority: number, run: () => void): QueuedEvent {
    const ev: QueuedEvent = { timeMs, priority, seq: this.nextSeq++, run, cancelled: false };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = ev;
    return ev;
  }

  /** The earliest entry without removing it. */
  peek(): QueuedEvent | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest entry. */
  pop(): QueuedEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

/**
 * The workload generated once for a parallel run: the calling thread draws each tick's batch and
 * copies it into a ring of slots in shared memory; every lane worker reads the batches from
 * there instead of drawing the same workload again (arrivals are the largest per-tick cost of a
 * lane). The counts are the very numbers the generating thread simulates, so results stay
 * byte-identical for every worker count.
 *
 * Flow control: the writer of tick i waits until every reader that is still running has
 * released tick i − slots; a reader of tick i waits until the writer has published it. Waits
 * use `Atomics.wait` with a timeout, so a finished or failed reader (its done flag raised) never
 * holds the writer, and a reader notices a terminated run. The ring holds ~32 MB of ticks by
 * default (1,024 ticks at 4,096 buckets): enough ticks of the generating thread's work to cover
 * one thread's planning burst (a predictive decision) without stalling the other (measured in
 * docs/bench-log.md).
 */
import type { KeyBatch } from '../model/batch.ts';

/** What crosses to a worker (SharedArrayBuffers are shared, not copied). */
export interface SharedRing {
  readonly buckets: number;
  readonly slots: number;
  readonly readers: number;
  /** [0] = ticks published; [1 + r] = ticks reader r has released. */
  readonly control: SharedArrayBuffer;
  /** Per slot (META numbers): timeMs, durationMs, total, bytes, max (NaN: not known). */
  readonly meta: SharedArrayBuffer;
  /** Per slot: the counts of `buckets` buckets. */
  readonly counts: SharedArrayBuffer;
}

/** Numbers per slot in `meta`. */
const META = 5;

/** Ring size for `buckets`: about `bytes` of counts (32 MB), at least 64 and at most 4,096 ticks. */
export function ringSlots(buckets: number, bytes = 32 * 1024 * 1024): number {
  return Math.max(64, Math.min(4096, Math.floor(bytes / (8 * buckets))));
}

export function createRing(buckets: number, readers: number, slots = ringSlots(buckets)): SharedRing {
  return {
    buckets,
    slots,
    readers,
    control: new SharedArrayBuffer(4 * (1 + readers)),
    meta: new SharedArrayBuffer(8 * META * slots),
    counts: new SharedArrayBuffer(8 * buckets * slots),
  };
}

/** How long one wait lasts before the waiter looks again (ms). */
const POLL_MS = 200;

/** The generating side. `finished(r)`: reader r will read no more (done or failed). */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly meta: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    private readonly ring: SharedRing,
    private readonly finished: (reader: number) => boolean,
  ) {
    this.control = new Int32Array(ring.control);
    this.meta = new Float64Array(ring.meta);
    this.counts = new Float64Array(ring.counts);
  }

  /** Publishes tick `i`'s batch (ticks in order from 0), once its slot is free. */
  write(i: number, batch: KeyBatch): void {
    const { slots, readers, buckets } = this.ring;
    const c = this.control;
    for (let r = 0; r < readers; r++) {
      for (;;) {
        const released = Atomics.load(c, 1 + r);
        if (released > i - slots || this.finished(r)) break;
        Atomics.wait(c, 1 + r, released, POLL_MS);
      }
    }
    const slot = i % slots;
    this.counts.set(batch.counts.subarray(0, buckets), slot * buckets);
    const m = META * slot;
    this.meta[m] = batch.timeMs;
    this.meta[m + 1] = batch.durationMs;
    this.meta[m + 2] = batch.total;
    this.meta[m + 3] = batch.bytes;
    this.meta[m + 4] = batch.max ?? NaN;
    Atomics.store(c, 0, i + 1);
    Atomics.notify(c, 0);
  }
}

/** A lane worker's side: reader `reader` of the ring. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly meta: Float64Array;
  private readonly views: Float64Array[];

  constructor(
    private readonly ring: SharedRing,
    private readonly reader: number,
  ) {
    this.control = new Int32Array(ring.control);
    this.meta = new Float64Array(ring.meta);
    const all = new Float64Array(ring.counts);
    this.views = Array.from({ length: ring.slots }, (_, s) => all.subarray(s * ring.buckets, (s + 1) * ring.buckets));
  }

  /** Tick `i`'s batch, once published. Its counts stay valid until `release(i)`. */
  read(i: number): KeyBatch {
    const c = this.control;
    for (;;) {
      const published = Atomics.load(c, 0);
      if (published > i) break;
      Atomics.wait(c, 0, published, POLL_MS);
    }
    const slot = i % this.ring.slots;
    const m = META * slot;
    const max = this.meta[m + 4];
    return { timeMs: this.meta[m], durationMs: this.meta[m + 1], counts: this.views[slot], total: this.meta[m + 2], max: Number.isNaN(max) ? undefined : max, bytes: this.meta[m + 3] };
  }

  /** Done with ticks up to and including `i`: their slots may be overwritten. */
  release(i: number): void {
    Atomics.store(this.control, 1 + this.reader, i + 1);
    Atomics.notify(this.control, 1 + this.reader);
  }
}

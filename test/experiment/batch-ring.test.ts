/** The shared ring of a parallel run: order, contents and flow control, in one thread. */
import { describe, expect, it } from 'vitest';
import { createRing, ringSlots, RingReader, RingWriter } from '../../src/experiment/batch-ring.ts';

// Odd ticks say their max, even ones do not (a trace's batches): the ring keeps the difference.
const batch = (i: number, B: number) => {
  const counts = Float64Array.from({ length: B }, (_, b) => i * 100 + b);
  return { timeMs: i * 1000, durationMs: 1000, counts, total: counts.reduce((a, x) => a + x, 0), max: i % 2 ? i * 100 + B - 1 : undefined, bytes: 7 * i };
};

describe('batch ring', () => {
  it('readers see every tick exactly as written, slots reused once released', () => {
    const B = 5;
    const ring = createRing(B, 2, 4);
    const w = new RingWriter(ring, () => false);
    const readers = [new RingReader(ring, 0), new RingReader(ring, 1)];
    for (let i = 0; i < 12; i++) {
      w.write(i, batch(i, B));
      for (const r of readers) {
        const got = r.read(i);
        const want = batch(i, B);
        expect(Array.from(got.counts)).toEqual(Array.from(want.counts));
        expect([got.timeMs, got.durationMs, got.total, got.max, got.bytes]).toEqual([want.timeMs, want.durationMs, want.total, want.max, want.bytes]);
        r.release(i);
      }
    }
  });

  it('the writer runs ahead by at most `slots` ticks of a running reader, and ignores a finished one', () => {
    const ring = createRing(3, 1, 4);
    let done = false;
    let waited = 0;
    const w = new RingWriter(ring, () => {
      waited++;
      return done;
    });
    for (let i = 0; i < 4; i++) w.write(i, batch(i, 3));
    expect(waited).toBe(0);
    // Tick 4 needs tick 0's slot: the reader has not released it, so the writer waits until the
    // reader counts as finished.
    done = true;
    w.write(4, batch(4, 3));
    expect(waited).toBeGreaterThan(0);
    expect(Array.from(new RingReader(ring, 0).read(4).counts)).toEqual([400, 401, 402]);
  });

  it('sizes the ring to about 32 MB of counts, within 64…4096 ticks', () => {
    expect(ringSlots(4096)).toBe(1024);
    expect(ringSlots(16)).toBe(4096);
    expect(ringSlots(1 << 20)).toBe(64);
  });
});

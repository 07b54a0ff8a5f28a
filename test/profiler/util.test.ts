import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NearbySorted, sortedQuantile } from '../../src/profiler/util.ts';

// Doubles, and small integers for runs of equal values (a value replaced by an equal one, ties
// on both sides of the replaced one).
const value = fc.oneof(
  fc.double({ min: -5, max: 5, noNaN: true }).map((x) => x + 0),
  fc.integer({ min: -2, max: 2 }),
);

describe('NearbySorted', () => {
  it('keeps the last `capacity` values per key, and per key those of keys within the radius in ascending order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), value), { maxLength: 300 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 3 }), (pushes, cap, radius) => {
        const r = new NearbySorted(cap, radius);
        const kept: number[][] = [];
        for (const [k, x] of pushes) {
          r.push(k, x);
          (kept[k] ??= []).push(x);
          if (kept[k].length > cap) kept[k].shift();
        }
        for (let k = 0; k <= 16; k++) {
          expect(r.count(k)).toBe(kept[k]?.length ?? 0);
          const want: number[] = [];
          for (let j = Math.max(0, k - radius); j <= k + radius; j++) want.push(...(kept[j] ?? []));
          want.sort((a, b) => a - b);
          expect(Array.from(r.near(k))).toEqual(want);
          expect(r.nearCount(k)).toBe(want.length);
          for (const q of [0, 0.1, 0.5, 0.9, 1]) if (want.length) expect(r.nearQuantile(k, q)).toBe(sortedQuantile(want, q));
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('handles ties and keys never pushed', () => {
    const r = new NearbySorted(2, 1);
    for (const x of [2, 2, 1, 2]) r.push(3, x);
    expect(Array.from(r.near(3))).toEqual([1, 2]);
    expect(Array.from(r.near(4))).toEqual([1, 2]);
    expect(Array.from(r.near(5))).toEqual([]);
    expect(Number.isNaN(r.nearQuantile(5, 0.5))).toBe(true);
    expect(sortedQuantile(r.near(2), 0.9)).toBe(1.9);
  });
});

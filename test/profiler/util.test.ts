import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quantileOfSorted, RecentSorted, sortedQuantile } from '../../src/profiler/util.ts';

const value = fc.double({ min: -5, max: 5, noNaN: true }).map((x) => x + 0);

describe('RecentSorted and quantileOfSorted', () => {
  it('keeps the last `capacity` values, ascending', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (xs, cap) => {
        const r = new RecentSorted(cap);
        for (const x of xs) r.push(x);
        const last = xs.slice(Math.max(0, xs.length - cap));
        expect(r.length).toBe(last.length);
        expect(r.sorted).toEqual([...last].sort((a, b) => a - b));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('the quantile over several sorted lists equals sortedQuantile of their union, from either end', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 40 }), { minLength: 1, maxLength: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (raw, q) => {
        const lists = raw.map((l) => [...l].sort((a, b) => a - b));
        const all = Float64Array.from(lists.flat()).sort();
        if (all.length === 0) return;
        expect(quantileOfSorted(lists, all.length, q)).toBe(sortedQuantile(all, q));
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('handles ties, one value and no values', () => {
    expect(quantileOfSorted([[3]], 1, 0.9)).toBe(3);
    expect(quantileOfSorted([[2, 2], [1, 2, 2]], 5, 0.1)).toBe(sortedQuantile(Float64Array.of(1, 2, 2, 2, 2), 0.1));
    expect(Number.isNaN(quantileOfSorted([], 0, 0.5))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { selectKth, selectQuantile, sortedQuantile } from '../../src/profiler/util.ts';

describe('selection', () => {
  it('selectKth gives the k-th smallest and selectQuantile equals sortedQuantile of the sorted copy', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }).map((x) => x + 0), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), (xs, q, kk) => {
        const sorted = Float64Array.from(xs).sort();
        const k = kk % xs.length;
        expect(selectKth(Float64Array.from(xs), xs.length, k)).toBe(sorted[k]);
        expect(selectQuantile(Float64Array.from(xs), xs.length, q)).toBe(sortedQuantile(sorted, q));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('handles ties and tiny inputs', () => {
    expect(selectQuantile(Float64Array.of(3), 1, 0.9)).toBe(3);
    expect(selectQuantile(Float64Array.of(2, 2, 2, 1, 2), 5, 0.1)).toBe(sortedQuantile(Float64Array.of(1, 2, 2, 2, 2), 0.1));
    expect(Number.isNaN(selectQuantile(new Float64Array(0), 0, 0.5))).toBe(true);
  });
});

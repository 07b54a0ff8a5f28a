/** The tail picture the PRE keeps within capacity is never below the expected load, at any tail quantile. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quantileNormal } from 'vega-statistics';
import { blendPicture, tailPicture } from '../../src/policies/picture-blend.ts';

const f64 = (xs: number[]) => Float64Array.from(xs);

describe('tailPicture', () => {
  it("a blend can put a bucket's tail below its mean; scaled to 0.99 it turned negative, now it is the mean", () => {
    // bucket 0's forecast band is narrow, bucket 1's wide: the tail's shape gives bucket 0 less
    // than its share of the expected shape
    const obs = f64([10, 10]);
    const mean = blendPicture(obs, f64([10, 10]), 0.2, 1);
    const tail = blendPicture(obs, f64([10.1, 100]), 0.2, 1);
    expect(tail[0]).toBeLessThan(mean[0] / 2);
    const k = quantileNormal(0.99, 0, 1) / quantileNormal(0.9, 0, 1);
    expect(mean[0] + (tail[0] - mean[0]) * k).toBeLessThan(0); // what the planner was given before
    const t = tailPicture([mean], [tail], 0.99)[0];
    expect(t[0]).toBe(mean[0]);
    expect(t[1]).toBeCloseTo(mean[1] + (tail[1] - mean[1]) * k, 12);
  });

  it('at every quantile: at least the expected load, finite, the excess scaled by z_q / z_0.9 where there is one', () => {
    const load = fc.double({ min: 0, max: 1e5, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(load, load), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.5, max: 0.999, noNaN: true }), (pairs, q) => {
        const w = f64(pairs.map(([a]) => a));
        const u = f64(pairs.map(([, b]) => b));
        const t = tailPicture([w], [u], q)[0];
        const k = quantileNormal(q, 0, 1) / quantileNormal(0.9, 0, 1);
        for (let b = 0; b < w.length; b++) {
          expect(Number.isFinite(t[b])).toBe(true);
          expect(t[b]).toBeGreaterThanOrEqual(w[b]);
          if (u[b] >= w[b]) expect(t[b]).toBeCloseTo(q === 0.9 ? u[b] : w[b] + (u[b] - w[b]) * k, 6);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('at 0.9 the p90 tail is passed through where it is at least the mean', () => {
    const w = f64([1, 5, 3]);
    const u = f64([2, 4, 3.5]);
    expect(Array.from(tailPicture([w], [u], 0.9)[0])).toEqual([2, 5, 3.5]);
  });
});

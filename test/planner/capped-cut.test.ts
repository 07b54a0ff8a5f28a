/** The capped-cut DP (the staged optimizer's first stage) against brute force on small inputs. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { prefixSums } from '../../src/model/index.ts';
import { cheapestCappedCut, cheapestCutNear, exactBottleneck, feasibleIntervals } from '../../src/planner/index.ts';

/** Every cut of [0, n) into k non-empty parts, as boundary arrays. */
function* cuts(n: number, k: number, from = 0, acc: number[] = [0]): Generator<number[]> {
  if (acc.length === k) {
    yield [...acc, n];
    return;
  }
  for (let x = from + 1; x <= n - (k - acc.length); x++) yield* cuts(n, k, x, [...acc, x]);
}

const fits = (ps: Float64Array[], caps: number[], b: number[]) =>
  ps.every((p, w) => b.every((x, i) => i === 0 || p[x] - p[b[i - 1]] <= caps[w]));

const arb = fc.record({
  windows: fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 9, maxLength: 9 }), { minLength: 1, maxLength: 2 }),
  k: fc.integer({ min: 1, max: 5 }),
  slack: fc.integer({ min: 0, max: 60 }),
  base: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 8, maxLength: 8 }),
  weights: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
});

describe('cheapest capped cut', () => {
  it('finds the cheapest cut under the caps (or none when none fits), as brute force does', () => {
    fc.assert(
      fc.property(arb, ({ windows, k, slack, base: raw, weights }) => {
        const n = 9;
        const ps = windows.map((w) => prefixSums(w));
        const caps = ps.map((p) => exactBottleneck(p, k) * (1 + slack / 100));
        // A base cut: k − 1 distinct interior positions, and a cost growing with the shift.
        const inner = [...new Set(raw.map((x) => 1 + (x % (n - 1))))].sort((a, b) => a - b).slice(0, k - 1);
        if (inner.length < k - 1) return;
        const base = Int32Array.from([0, ...inner, n]);
        const cost = (i: number, x: number) => Math.abs(x - base[i]) * (1 + weights[x]);
        const total = (b: ArrayLike<number>) => {
          let s = 0;
          for (let i = 1; i < k; i++) s += cost(i, b[i]);
          return s;
        };
        let best = Infinity;
        for (const b of cuts(n, k)) if (fits(ps, caps, b)) best = Math.min(best, total(b));
        const got = cheapestCappedCut(ps, Float64Array.from(caps), k, cost);
        if (best === Infinity) {
          expect(got).toBeNull();
          expect(feasibleIntervals(ps, Float64Array.from(caps), k)).toBeNull();
          return;
        }
        expect(got).not.toBeNull();
        expect(fits(ps, caps, [...got!])).toBe(true);
        expect(total(got!)).toBeCloseTo(best, 9);
        // The banded search returns a fitting cut, never cheaper than the optimum.
        const near = cheapestCutNear(ps, Float64Array.from(caps), base, cost, 1);
        expect(near).not.toBeNull();
        expect(fits(ps, caps, [...near!])).toBe(true);
        expect(total(near!)).toBeGreaterThanOrEqual(best - 1e-9);
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  it('keeps the base cut when it already fits and shifting costs', () => {
    const p = prefixSums([5, 1, 1, 5, 1, 1, 5, 1, 1]);
    const base = Int32Array.of(0, 3, 6, 9);
    const cut = cheapestCappedCut([p], Float64Array.of(7), 3, (i, x) => Math.abs(x - base[i]));
    expect([...cut!]).toEqual([0, 3, 6, 9]);
  });
});

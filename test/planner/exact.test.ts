/** The exact yardstick against a brute-force dynamic programme on small inputs. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { prefixSums } from '../../src/model/index.ts';
import { exactBottleneck, exactCut } from '../../src/planner/index.ts';

function bruteForce(load: number[], k: number): number {
  const n = load.length;
  const p = prefixSums(load);
  // best[j][i]: min max over cuts of the first i buckets into j parts.
  let prev = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? 0 : Infinity));
  for (let j = 1; j <= k; j++) {
    const cur = new Array(n + 1).fill(Infinity);
    for (let i = j; i <= n; i++) for (let s = j - 1; s < i; s++) cur[i] = Math.min(cur[i], Math.max(prev[s], p[i] - p[s]));
    prev = cur;
  }
  return prev[n];
}

describe('exact min-max cut', () => {
  it('equals the brute-force optimum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 1, max: 24 }),
        (load, kk) => {
          const k = Math.min(kk, load.length);
          const p = prefixSums(load);
          expect(exactBottleneck(p, k)).toBe(bruteForce(load, k));
          const { bottleneck, boundaries } = exactCut(p, k);
          expect(boundaries.length).toBe(k + 1);
          expect(boundaries[0]).toBe(0);
          expect(boundaries[k]).toBe(load.length);
          let worst = 0;
          for (let i = 0; i < k; i++) {
            expect(boundaries[i + 1]).toBeGreaterThan(boundaries[i]);
            worst = Math.max(worst, p[boundaries[i + 1]] - p[boundaries[i]]);
          }
          expect(worst).toBeLessThanOrEqual(bottleneck);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('works on a sub-range', () => {
    const p = prefixSums([9, 1, 1, 1, 1, 9]);
    expect(exactBottleneck(p, 2, 1, 5)).toBe(2);
    expect([...exactCut(p, 2, 1, 5).boundaries]).toEqual([1, 3, 5]);
  });

  it('spreads slack instead of piling it at the end', () => {
    const load = new Array(100).fill(1);
    const { boundaries } = exactCut(prefixSums(load), 4);
    expect([...boundaries]).toEqual([0, 25, 50, 75, 100]);
  });

  it('rejects more parts than buckets', () => {
    expect(() => exactBottleneck(prefixSums([1, 2]), 3)).toThrow(RangeError);
  });
});

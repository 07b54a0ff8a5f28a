/** The max tree's range query and batched leaf writes agree with plain scans and single updates. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MaxTree } from '../../src/planner/max-tree.ts';

describe('MaxTree', () => {
  it('answers a range maximum as a scan of the range does', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 70 }), fc.nat(), fc.nat(), (vs, a, b) => {
        const t = new MaxTree(vs);
        const lo = a % (vs.length + 1);
        const hi = lo + (b % (vs.length - lo + 1));
        const scan = vs.slice(lo, hi).reduce((m, x) => (x > m ? x : m), -Infinity);
        expect(t.rangeMax(lo, hi)).toBe(scan);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('leaves written in a batch and refreshed equal the same values set one at a time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 70 }),
        fc.array(fc.tuple(fc.nat(), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 12 }),
        (vs, writes) => {
          const a = new MaxTree(vs);
          const b = new MaxTree(vs);
          let lo = vs.length;
          let hi = -1;
          for (const [i0, v] of writes) {
            const i = i0 % vs.length;
            a.setLeaf(i, v);
            b.set(i, v);
            lo = Math.min(lo, i);
            hi = Math.max(hi, i);
          }
          a.refresh(lo, hi);
          expect(a.max()).toBe(b.max());
          expect(a.argmax()).toBe(b.argmax());
          for (let x = 0; x <= vs.length; x++) expect(a.rangeMax(0, x)).toBe(b.rangeMax(0, x));
        },
      ),
      { numRuns: 300, seed: 4 },
    );
  });
});

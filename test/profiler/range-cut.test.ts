import { describe, expect, it } from 'vitest';
import { donorOf, equalWidthCuts, recut } from '../../src/profiler/range-cut.ts';

describe('range re-cutting', () => {
  it('starts from equal widths', () => {
    expect(equalWidthCuts(10, 4)).toEqual([0, 2, 5, 7, 10]);
  });

  it('leaves balanced ranges alone', () => {
    expect(recut(Float64Array.from([1, 1, 1, 1.4, 1, 1, 1, 1]), [0, 2, 4, 6, 8])).toBeNull();
    expect(recut(new Float64Array(8), [0, 2, 4, 6, 8])).toBeNull(); // no load
    expect(recut(Float64Array.from([9, 0, 0, 0]), [0, 4])).toBeNull(); // one range
  });

  it('re-cuts to equal load when one range carries too much', () => {
    const load = Float64Array.from([10, 10, 10, 10, 1, 1, 1, 1]);
    // 40 of 44 in the first range; the cut falls after the group where the running load passes half
    expect(recut(load, [0, 4, 8])).toEqual([0, 3, 8]);
    // every range keeps at least one group even when the load sits in one group
    expect(recut(Float64Array.from([100, 0, 0, 0, 0, 0]), [0, 2, 4, 6])).toEqual([0, 1, 2, 6]);
  });

  it('is no re-cut when the equal-load cut is the current one (a hot group over its share for good)', () => {
    expect(recut(Float64Array.from([100, 0, 0, 0, 0, 0]), [0, 1, 2, 6])).toBeNull();
  });
});

describe('donorOf: the old range a re-cut range mostly came from', () => {
  const load = Float64Array.from([1, 1, 8, 1, 1, 1, 0, 0]);
  it('is the old range sharing the most load', () => {
    // new range [1, 4) overlaps old [0, 2) by load 1 and old [2, 5) by load 9
    expect(donorOf(load, [0, 2, 5, 8], 1, 4)).toBe(1);
    expect(donorOf(load, [0, 2, 5, 8], 0, 2)).toBe(0);
  });
  it('falls back to the most groups where no load is shared, ties to the first, -1 without overlap', () => {
    // [6, 8) carries nothing: it overlaps old [5, 7) by one group and old [7, 8) by one: the first
    expect(donorOf(load, [0, 5, 7, 8], 6, 8)).toBe(1);
    // no load shared with either: old [2, 5) covers three of the new range's groups, old [1, 2) one
    expect(donorOf(Float64Array.from([1, 0, 0, 0, 0]), [0, 1, 2, 5], 1, 5)).toBe(2);
    expect(donorOf(load, [0, 4], 4, 8)).toBe(-1);
  });
});

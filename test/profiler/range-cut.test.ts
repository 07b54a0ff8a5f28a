import { describe, expect, it } from 'vitest';
import { equalWidthCuts, recut } from '../../src/profiler/range-cut.ts';

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
});

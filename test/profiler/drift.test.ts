import { describe, expect, it } from 'vitest';
import { bestShift, BlockShares, fitDrift } from '../../src/profiler/drift.ts';
import { GroupHistory } from '../../src/profiler/group-history.ts';

/** Shares over `n` groups: `base` everywhere plus a bump of `mass` at group `at` (wrapping) and its right neighbour. */
function bump(n: number, at: number, base = 0.02, mass = 0.5): Float64Array {
  const s = new Float64Array(n).fill(base);
  s[at % n] += mass / 2;
  s[(at + 1) % n] += mass / 2;
  let t = 0;
  for (const v of s) t += v;
  return s.map((v) => v / t);
}

describe('drift', () => {
  it('finds the circular shift between two pictures, to a fraction of a group', () => {
    const n = 32;
    expect(bestShift(bump(n, 10), bump(n, 7), 4)).toBeCloseTo(3, 9);
    expect(bestShift(bump(n, 1), bump(n, 30), 4)).toBeCloseTo(3, 9); // across the wrap
    expect(bestShift(bump(n, 7), bump(n, 10), 4)).toBeCloseTo(-3, 9);
  });

  it('moves the hot spot at its velocity and keeps the baseline', () => {
    const n = 32;
    const base = new Float64Array(n).fill(0.5 / n);
    // 2 groups per 10-window lag = 0.2 groups per window; centre = 1 window before step 0 (recentWindows 1)
    const picture = fitDrift(base, bump(n, 12, 0.02), bump(n, 10, 0.02), 10, 1)!;
    expect(picture).not.toBeNull();
    const at = (k: number) => {
      const s = picture(k, new Float64Array(n));
      let t = 0;
      for (const v of s) t += v;
      expect(t).toBeCloseTo(1, 12);
      return s.indexOf(Math.max(...s));
    };
    expect(at(-1)).toBe(12); // where it is now
    expect(at(9)).toBe(14); // 10 windows on: 2 groups further
    expect(at(39)).toBe(20);
  });

  it('has nothing to move when the picture sits on its baseline', () => {
    const n = 16;
    const flat = new Float64Array(n).fill(1 / n);
    expect(fitDrift(flat, flat, flat, 10, 1)).toBeNull();
  });

  it('takes the baseline from the lowest block share once a season of blocks is full', () => {
    const h = new GroupHistory(4, 4, 16);
    const blocks = new BlockShares(4, 2, 2); // blocks of 2 windows, 2 blocks
    const add = (c: number[]) => {
      h.append(c, 1);
      blocks.add(h, h.closed - 1);
    };
    add([3, 1, 0, 0]);
    add([1, 3, 0, 0]); // block 0: [0.5, 0.5, 0, 0]
    expect(blocks.baseline()).toBeNull();
    add([0, 0, 2, 2]);
    add([0, 0, 2, 2]); // block 1: [0, 0, 0.5, 0.5]
    expect(Array.from(blocks.baseline()!)).toEqual([0, 0, 0, 0]);
    add([1, 1, 1, 1]);
    add([1, 1, 1, 1]); // block 2 replaces block 0: [0.25 × 4]
    expect(Array.from(blocks.baseline()!)).toEqual([0, 0, 0.25, 0.25]);
  });
});

import { describe, expect, it } from 'vitest';
import { GroupHistory } from '../../src/profiler/group-history.ts';

/** 8 buckets in 4 groups of 2, a ring of 3 windows of 2 s. */
const small = () => new GroupHistory(8, 4, 3);
const counts = (...v: number[]) => Float64Array.from(v);

describe('GroupHistory', () => {
  it('cuts buckets into equal groups and stores records/s per group', () => {
    const h = small();
    expect(Array.from(h.groupStart)).toEqual([0, 2, 4, 6, 8]);
    expect(h.append(counts(2, 2, 0, 0, 4, 0, 0, 8), 2)).toBe(16);
    expect(h.closed).toBe(1);
    expect(h.spanRate(0, 1, 0)).toBe(2); // (2+2)/2 s
    expect(h.spanRate(0, 4, 0)).toBe(8);
    expect(h.spanRate(2, 4, 0)).toBe(6);
  });

  it('forgets windows older than the ring and says so', () => {
    const h = small();
    for (let w = 0; w < 5; w++) h.append(counts(w, 0, 0, 0, 0, 0, 0, 0), 1);
    expect(h.holds(2, 4)).toBe(true);
    expect(h.holds(1, 4)).toBe(false); // window 1 was overwritten by window 4
    expect(h.holds(4, 5)).toBe(false); // window 5 is not closed
    const out = new Float64Array(1);
    expect(h.addMean(out, 0, 1, 1, 2)).toBe(false);
    expect(out[0]).toBe(0);
    expect(h.addMean(out, 0, 1, 2, 4)).toBe(true);
    expect(out[0]).toBeCloseTo(3, 12); // mean of 2, 3, 4
    expect(Array.from(h.recent(0, 1, 10))).toEqual([2, 3, 4]);
    expect(Array.from(h.recent(0, 1, 2))).toEqual([3, 4]);
  });

  it('gives group shares of a mean, null when empty', () => {
    const h = small();
    h.append(counts(0, 0, 0, 0, 0, 0, 0, 0), 1);
    expect(h.sharesOf(0, 0)).toBeNull();
    h.append(counts(1, 0, 3, 0, 0, 0, 0, 4), 1);
    expect(Array.from(h.sharesOf(1, 1)!)).toEqual([0.125, 0.375, 0, 0.5]);
  });

  it('keeps slow per-bucket weights and per-group mean rates', () => {
    const h = small();
    h.append(counts(10, 0, 0, 0, 0, 0, 0, 0), 1);
    expect(h.groupMeanRate[0]).toBe(10); // the first window sets the mean
    expect(h.bucketWeight[0]).toBeCloseTo(0.5, 12); // 0.05 of the way to 10
    h.append(counts(0, 0, 0, 0, 0, 0, 0, 0), 1);
    expect(h.groupMeanRate[0]).toBeCloseTo(9.9, 12);
    expect(h.bucketWeight[0]).toBeCloseTo(0.475, 12);
  });
});

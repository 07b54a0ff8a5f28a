import { describe, expect, it } from 'vitest';
import { isSeasonal, mase, maseScale, naive2, owa, smape, snaive } from '../../src/profiler/metrics.ts';

describe('M4 measures', () => {
  it('sMAPE follows 200·|Y−F|/(|Y|+|F|)', () => {
    expect(smape([100, 100], [100, 50])).toBeCloseTo((0 + (200 * 50) / 150) / 2, 10);
    expect(smape([0], [0])).toBe(0);
  });

  it('MASE divides by the in-sample seasonal-naive error', () => {
    const train = [1, 2, 3, 4, 2, 3, 4, 5];
    expect(maseScale(train, 4)).toBeCloseTo(1, 10);
    expect(mase([10, 12], [11, 10], 1)).toBeCloseTo(1.5, 10);
  });

  it('Naive2 re-seasonalises the last adjusted value; sNaive repeats the last cycle', () => {
    const y = Array.from({ length: 96 }, (_, t) => 100 * (1 + 0.5 * Math.sin((2 * Math.PI * t) / 24)));
    expect(isSeasonal(y, 24)).toBe(true);
    const f = naive2(y, 24, 24);
    for (let i = 0; i < 24; i++) expect(f[i]).toBeCloseTo(y[72 + i], 0);
    expect(Array.from(snaive([1, 2, 3, 4], 3, 2))).toEqual([3, 4, 3]);
    expect(Array.from(naive2([1, 2, 3], 2, 24))).toEqual([3, 3]);
  });

  it('OWA is the mean of the two relative errors', () => {
    expect(owa(10, 1, 20, 2)).toBeCloseTo(0.5, 10);
  });
});

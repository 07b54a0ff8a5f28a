import { describe, expect, it } from 'vitest';
import { AccuracyTracker } from '../../src/profiler/accuracy.ts';

describe('AccuracyTracker', () => {
  it('scores issued forecasts once, when their window closes', () => {
    const a = new AccuracyTracker();
    expect(a.summary()).toEqual({ smape: 0, mase: 0, coverage80: 0, windows: 0 });
    a.addSeasonalDiff(10);
    a.addSeasonalDiff(30); // scale 20
    a.record(60_000, { mean: 100, p10: 90, p90: 110 });
    a.record(60_000, { mean: 80, p10: 70, p90: 90 });
    a.score(0, 100); // nothing issued for that window
    a.score(60_000, 100);
    a.score(60_000, 100); // already scored
    const s = a.summary();
    expect(s.windows).toBe(2);
    expect(s.smape).toBeCloseTo((0 + (200 * 20) / 180) / 2, 12);
    expect(s.mase).toBeCloseTo((0 + 20 / 20) / 2, 12);
    expect(s.coverage80).toBe(0.5);
  });
});

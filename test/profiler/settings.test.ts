import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { resolveSettings } from '../../src/profiler/settings.ts';

const rng = new RandomSource(1).fork('s');

describe('resolveSettings', () => {
  it('fills the documented defaults for 1-minute windows', () => {
    const s = resolveSettings({ buckets: 4096, rng });
    expect(s.windowMs).toBe(60_000);
    expect(s.groups).toBe(256);
    expect(s.rangeCount).toBe(16);
    expect(s.historyWindows).toBe(8 * 1440);
    expect(s.seasonWindows).toEqual([1440, 10080]);
    expect(s.refitEvery).toBe(360);
    expect(s.fitWindows).toBe(4 * 1440);
    expect(s.backtestLeads).toBe(30);
    expect(s.shapes).toEqual({ recentWindows: 5, seasonWindows: 1440, leads: [1, 15] });
    expect(s.blockWindows).toBe(60);
    expect(s.blockCapacity).toBe(24);
    expect(s.candidates).toEqual(['seasonal-naive', 'ets', 'mstl', 'arima', 'ensemble']);
    expect(s.instanceModels).toEqual(['seasonal-naive', 'ets', 'mstl', 'arima']);
  });

  it('caps groups at buckets and ranges at groups, adds ensemble members, rejects no buckets', () => {
    const s = resolveSettings({ buckets: 8, ranges: 50, models: ['ensemble'], rng });
    expect(s.groups).toBe(8);
    expect(s.rangeCount).toBe(8);
    expect(s.instanceModels).toEqual(['ets', 'mstl', 'arima']);
    expect(() => resolveSettings({ buckets: 0, rng })).toThrow(/buckets/);
  });
});

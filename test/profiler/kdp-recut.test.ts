/** A KDP's re-cut ranges keep their error bands: unchanged ranges keep their series, new ones inherit the donor's record. */
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { KeyDistributionProfiler } from '../../src/profiler/index.ts';

const MIN = 60_000;
const B = 64;
const HOUR = 60 * MIN;

/** The band each range's tail carries at the forecast's first window: upper/expected − 1 with the tick excess taken out. */
function rangeBands(kdp: KeyDistributionProfiler, t: number): number[] | null {
  const w = kdp.forecast(t, 3).windows[0];
  if (w.ranges.some((r) => r.model === 'drift')) return null;
  const te = kdp.tickExcess;
  return w.ranges.map((r) => {
    const b = r.range.start;
    const x = w.upperLoad![b] / w.expectedLoad[b] - 1;
    return Math.sqrt(Math.max(0, x * x - te * te));
  });
}

describe('KDP range re-cuts', () => {
  it('after the first hours, no range falls back to the ±20 % default band when the ranges are re-cut', () => {
    // a hot spot that jumps to another quarter of the key space every 90 minutes: the ranges are
    // re-cut at refits, and the models keep being scored
    const kdp = new KeyDistributionProfiler({ buckets: B, windowMs: MIN, models: ['seasonal-naive', 'ets'], seasonsMs: [HOUR], historyMs: 6 * HOUR, rng: new RandomSource(1).fork('kdp'), ranges: 4, microGroups: 16, refitEveryWindows: 30, fitWindows: 120, evalHorizonWindows: 6, originEveryWindows: 3 });
    const r = new RandomSource(3).fork('wl');
    const counts = new Float64Array(B);
    const atDefault: number[] = [];
    let seen = 0;
    for (let t = 0; t < 10 * HOUR; t += 10_000) {
      const hot = 16 * (Math.floor(t / (90 * MIN)) % 4) + 5;
      for (let b = 0; b < B; b++) counts[b] = Math.round((b === hot ? 60 : 2) * (0.9 + 0.2 * r.next()));
      let total = 0;
      for (const c of counts) total += c;
      kdp.observe({ timeMs: t, durationMs: 10_000, counts, total, bytes: total });
      if (t >= 4 * HOUR && t % MIN === 0) {
        const bands = rangeBands(kdp, t);
        if (!bands) continue;
        seen++;
        if (bands.some((x) => Math.abs(x - 0.2) < 1e-9)) atDefault.push(t / MIN);
      }
    }
    expect(seen).toBeGreaterThan(200);
    expect(atDefault).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { etaText, fmtClock } from '../../src/cli/progress.ts';

describe('progress clock', () => {
  it('carries seconds into minutes and minutes into hours (never 2m60s)', () => {
    expect(fmtClock(179_600)).toBe('3m00s');
    expect(fmtClock(119_500)).toBe('2m00s');
    expect(fmtClock(59_600)).toBe('1m00s');
    expect(fmtClock(45_000)).toBe('45s');
    expect(fmtClock(3_599_600)).toBe('1h00m');
    expect(fmtClock(3_725_000)).toBe('1h02m');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 360_000_000 }), (ms) => {
        const t = fmtClock(ms);
        const m = /^(?:(\d+)h(\d\d)m|(\d+)m(\d\d)s|(\d+)s)$/.exec(t);
        expect(m, t).not.toBeNull();
        if (m![2] !== undefined) expect(Number(m![2])).toBeLessThan(60);
        if (m![4] !== undefined) expect(Number(m![4])).toBeLessThan(60);
        if (m![5] !== undefined) expect(Number(m![5])).toBeLessThan(60);
      }),
      { seed: 18, numRuns: 500 },
    );
  });

  it('gives no ETA until there is something to go on, then the remaining time at the rate so far', () => {
    expect(etaText(1000, 0.5)).toBe('…');
    expect(etaText(10_000, 0.001)).toBe('…');
    expect(etaText(60_000, 0.5)).toBe('1m00s');
    expect(etaText(60_000, 1)).toBe('0s');
  });
});

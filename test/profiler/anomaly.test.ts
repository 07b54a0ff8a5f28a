import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluateWindows, OnlineAnomalyDetector, scoreSeries } from '../../src/profiler/anomaly.ts';
import { RandomSource } from '../../src/engine/random.ts';

const H = 3_600_000;

function daily(days: number, seed = 1): { timeMs: number; value: number }[] {
  const r = new RandomSource(seed).fork('a');
  return Array.from({ length: days * 24 }, (_, i) => ({ timeMs: i * H, value: Math.max(0, 100 + 40 * Math.sin((2 * Math.PI * i) / 24) + 5 * r.normal()) }));
}

describe('online anomaly detector', () => {
  it('flags a spike and stays quiet on ordinary seasonal noise', () => {
    const pts = daily(10);
    pts[24 * 8 + 5].value *= 5;
    const s = scoreSeries(pts);
    expect(s[24 * 8 + 5].anomaly).toBe(true);
    expect(s[24 * 8 + 5].kind).toBe('residual');
    const others = s.filter((x, i) => x.anomaly && Math.abs(i - (24 * 8 + 5)) > 3).length;
    expect(others).toBeLessThanOrEqual(1);
  });

  it('flags a sustained level shift', () => {
    const pts = daily(12);
    for (let i = 24 * 8; i < pts.length; i++) pts[i].value *= 1.6;
    const s = scoreSeries(pts);
    expect(s.slice(24 * 8, 24 * 9).some((x) => x.anomaly)).toBe(true);
  });

  it('is online: scores of a prefix never change when rows are appended (truncation-invariant)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 30, maxLength: 120 }), fc.integer({ min: 1, max: 29 }), (vals, cut) => {
        const pts = vals.map((v, i) => ({ timeMs: i * 300_000, value: v }));
        const full = scoreSeries(pts, { warmup: 10 });
        const part = scoreSeries(pts.slice(0, cut), { warmup: 10 });
        return part.every((p, i) => p.score === full[i].score && p.anomaly === full[i].anomaly);
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it('handles negative values by switching to the raw scale', () => {
    const d = new OnlineAnomalyDetector({ seasonMs: 0, warmup: 3 });
    for (let i = 0; i < 20; i++) expect(Number.isFinite(d.push(i, i % 2 ? -5 : 5).score)).toBe(true);
  });

  it('evaluates NAB-style windows: caught windows and false-alarm episodes after the probation', () => {
    const times = Array.from({ length: 100 }, (_, i) => i * H);
    const flags = times.map((_, i) => i === 50 || i === 80 || i === 81 || i === 5);
    const ev = evaluateWindows(times, flags, [[45 * H, 55 * H], [60 * H, 65 * H]], 0.15);
    expect(ev.windows).toBe(2);
    expect(ev.caught).toBe(1);
    expect(ev.falseEpisodes).toBe(1); // 80 and 81 merge; 5 is in the probation
    expect(ev.meanDelayHours).toBe(5);
  });
});

/** The "Must hold" statistics of the synthetic generator, with fixed seeds. */
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { shapeFactor } from '../../src/workload/shape.ts';
import type { KeyspaceSpec, WorkloadSpec } from '../../src/workload/spec.ts';
import { SyntheticWorkload } from '../../src/workload/synthetic.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const workload = (over: Partial<WorkloadSpec>): WorkloadSpec => ({
  rate: 1000,
  recordBytes: 100,
  shape: {},
  keys: [{ share: 1, uniform: { from: 0, to: 1 } }],
  events: [],
  ...over,
});
const ks = (buckets: number, keys = 10_000): KeyspaceSpec => ({ kind: 'user-id', keys, buckets });

/** Runs `w` over [0, durationMs) and calls `f` with each batch. */
function drive(w: SyntheticWorkload, durationMs: number, f: (t: number, counts: Float64Array, total: number) => void): void {
  for (let t = 0; t < durationMs; t += w.tickMs) {
    const b = w.nextBatch(t);
    f(t, b.counts, b.total);
  }
}

describe('synthetic workload statistics', () => {
  it('total count is within 2% of the integral of the rate (diurnal, weekly, growth, noise)', () => {
    const spec = workload({
      rate: 200,
      shape: { diurnal: { amplitude: 0.6, peak: 15 * HOUR }, weekly: { amplitude: 0.3, peak: 2 }, growth: { perDay: 0.2 }, noise: { cv: 0.1 } },
    });
    const w = new SyntheticWorkload(spec, ks(256), 10_000, new RandomSource(11));
    let total = 0;
    drive(w, 3 * DAY, (_t, _c, n) => (total += n));
    let integral = 0;
    for (let t = 0; t < 3 * DAY; t += 1000) integral += spec.rate * shapeFactor(spec.shape, t + 500);
    expect(Math.abs(total / integral - 1)).toBeLessThan(0.02);
  });

  it('the diurnal peak falls at its configured hour', () => {
    const spec = workload({ rate: 100, shape: { diurnal: { amplitude: 0.5, peak: 14 * HOUR } } });
    const w = new SyntheticWorkload(spec, ks(64), 60_000, new RandomSource(3));
    const perHour = new Array<number>(24).fill(0);
    drive(w, 2 * DAY, (t, _c, n) => (perHour[Math.floor(t / HOUR) % 24] += n));
    const peak = perHour.indexOf(Math.max(...perHour));
    // Hour 13 covers 13:00–14:00 and hour 14 covers 14:00–15:00: the peak at 14:00 sits between.
    expect([13, 14]).toContain(peak);
    expect(perHour[2]).toBeLessThan(perHour[14] / 2);
  });

  it('a band moves at its configured speed (key spaces per day), wrapping', () => {
    const spec = workload({ rate: 2000, keys: [{ share: 1, band: { center: 0.2, width: 0.05, speed: 2 } }] });
    const B = 512;
    const w = new SyntheticWorkload(spec, ks(B), 60_000, new RandomSource(5));
    const centres: { t: number; c: number }[] = [];
    drive(w, 12 * HOUR, (t, counts) => {
      if (t % HOUR !== 0) return;
      // Circular mean of the bucket positions.
      let sx = 0;
      let sy = 0;
      for (let i = 0; i < B; i++) {
        const a = (2 * Math.PI * (i + 0.5)) / B;
        sx += counts[i] * Math.cos(a);
        sy += counts[i] * Math.sin(a);
      }
      centres.push({ t: t + 30_000, c: ((Math.atan2(sy, sx) / (2 * Math.PI)) % 1 + 1) % 1 });
    });
    for (const { t, c } of centres) {
      const want = (0.2 + (2 * t) / DAY) % 1;
      const d = Math.abs(c - want);
      expect(Math.min(d, 1 - d)).toBeLessThan(0.01);
    }
  });

  it('a burst raises its range by its multiplier', () => {
    const burst = { at: 2 * HOUR, duration: HOUR, center: 0.5, width: 0.1, multiplier: 8 };
    const spec = workload({ rate: 2000, events: [{ burst }] });
    const B = 1000;
    const w = new SyntheticWorkload(spec, ks(B), 10_000, new RandomSource(9));
    let before = 0;
    let during = 0;
    let outsideDuring = 0;
    let outsideBefore = 0;
    drive(w, 4 * HOUR, (t, counts) => {
      let inside = 0;
      let outside = 0;
      for (let i = 0; i < B; i++) (i >= 450 && i < 550 ? (inside += counts[i]) : (outside += counts[i]));
      if (t >= HOUR && t < 2 * HOUR) {
        before += inside;
        outsideBefore += outside;
      } else if (t >= 2 * HOUR && t < 3 * HOUR) {
        during += inside;
        outsideDuring += outside;
      }
    });
    expect(during / before).toBeGreaterThan(8 * 0.97);
    expect(during / before).toBeLessThan(8 * 1.03);
    expect(Math.abs(outsideDuring / outsideBefore - 1)).toBeLessThan(0.02);
  });

  it('recovers the zipf exponent by regression (packed ranks)', () => {
    const s = 1.2;
    const B = 4096;
    // keys = buckets: bucket i holds exactly rank i+1.
    const spec = workload({ rate: 20_000, keys: [{ share: 1, zipf: { s, shuffle: false } }] });
    const w = new SyntheticWorkload(spec, ks(B, B), 60_000, new RandomSource(4));
    const acc = new Float64Array(B);
    drive(w, 2 * HOUR, (_t, counts) => {
      for (let i = 0; i < B; i++) acc[i] += counts[i];
    });
    // Least squares of log count on log rank over ranks with plenty of records.
    let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let r = 1; r <= 300; r++) {
      const x = Math.log(r);
      const y = Math.log(acc[r - 1]);
      n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
    }
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    expect(Math.abs(-slope - s)).toBeLessThan(0.03);
  });

  it('shuffled zipf scatters the hot keys; packed puts the hottest at position 0', () => {
    const B = 256;
    const packed = new SyntheticWorkload(workload({ keys: [{ share: 1, zipf: { s: 1, shuffle: false } }] }), ks(B), 1000, new RandomSource(1));
    const shuffled = new SyntheticWorkload(workload({ keys: [{ share: 1, zipf: { s: 1, shuffle: true } }] }), ks(B), 1000, new RandomSource(1));
    const p = packed.expectedRates(0, new Float64Array(B));
    const q = shuffled.expectedRates(0, new Float64Array(B));
    expect(p.indexOf(Math.max(...p))).toBe(0);
    expect(q.indexOf(Math.max(...q))).not.toBe(0);
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    expect(sum(p)).toBeCloseTo(1000, 6);
    expect(sum(q)).toBeCloseTo(1000, 6);
  });

  it('an onboarding tail grows from start by perDay', () => {
    const spec = workload({ rate: 3000, keys: [{ share: 1, tail: { start: 0.5, perDay: 0.2 } }] });
    const B = 1000;
    const w = new SyntheticWorkload(spec, ks(B), 60_000, new RandomSource(8));
    drive(w, 2 * DAY, (t, counts) => {
      if (t % (6 * HOUR) !== 0 || t === 0) return;
      let top = -1;
      let low = B;
      for (let i = 0; i < B; i++) {
        if (counts[i] > 0) {
          top = i;
          low = Math.min(low, i);
        }
      }
      const want = 0.5 + (0.2 * (t + 30_000)) / DAY;
      expect(Math.abs((top + 1) / B - want)).toBeLessThan(0.01);
      expect(low).toBe(500);
    });
  });

  it('is deterministic for a seed and differs across seeds; expected rates match arrivals', () => {
    const spec = workload({ rate: 500, shape: { noise: { cv: 0.2 } }, keys: [{ share: 0.5, zipf: { s: 1, shuffle: true } }, { share: 0.5, band: { center: 0.3, width: 0.1, speed: 1 } }] });
    const run = (seed: number) => {
      const w = new SyntheticWorkload(spec, ks(128), 1000, new RandomSource(seed));
      const out: number[] = [];
      drive(w, 60_000, (_t, c) => out.push(...c));
      return out;
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
    // Asking for per-key weights (generate --format records) never changes the arrivals.
    const a = new SyntheticWorkload(spec, ks(128), 1000, new RandomSource(1), { keepKeyWeights: true });
    const first: number[] = [];
    drive(a, 60_000, (_t, c) => first.push(...c));
    expect(first).toEqual(run(1));
  });
});

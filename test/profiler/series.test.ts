import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sortedQuantile } from '../../src/profiler/util.ts';
import { RandomSource } from '../../src/engine/random.ts';
import { createForecaster } from '../../src/profiler/index.ts';
import { ForecastSeries } from '../../src/profiler/series.ts';

const make = () => new ForecastSeries({ start: 0, end: 8 }, 0, 2, 6, 0, 'ets');

describe('ForecastSeries', () => {
  it('the ensemble is the mean of its instantiated members; an absent model forecasts zeros', () => {
    const s = make();
    const rng = new RandomSource(1).fork('t');
    for (const name of ['ets', 'arima'] as const) {
      const m = createForecaster(name, { seasons: [], rng });
      m.fit(Float64Array.from({ length: 40 }, (_, i) => 10 + (i % 3)));
      s.models.set(name, m);
    }
    const ets = s.candidateForecast('ets', 3);
    const arima = s.candidateForecast('arima', 3);
    const ens = s.candidateForecast('ensemble', 3);
    for (let i = 0; i < 3; i++) expect(ens[i]).toBeCloseTo(ets[i] / 2 + arima[i] / 2, 12);
    expect(Array.from(s.candidateForecast('mstl', 2))).toEqual([0, 0]);
  });

  it('bands default to ±20 %, then come from the nearby leads’ errors and include 0', () => {
    const s = make();
    expect(s.errorBand(3, 10)).toEqual([-0.2, 0.2]);
    for (let i = 0; i < 10; i++) s.addRelativeError(4, 0.1 + i / 100); // all positive: 0.10 … 0.19
    const [lo, hi] = s.errorBand(3, 10); // lead 4 is within ±2 of 3
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThan(0.15);
    expect(hi).toBeLessThanOrEqual(0.19);
    expect(s.errorBand(9, 10)).toEqual([-0.2, 0.2]); // too far from lead 4
    expect(s.errorBand(50, 5)).toEqual(s.errorBand(5, 5)); // capped at the last lead
  });

  it('a range made by a re-cut inherits its donor’s scores, candidate and errors, as a copy', () => {
    const donor = make();
    donor.scores.set('arima', { ew: 2, origins: 3 });
    donor.chosen = 'arima';
    for (let i = 0; i < 10; i++) donor.addRelativeError(1, -0.05 + i / 100);
    const heir = new ForecastSeries({ start: 8, end: 12 }, 2, 3, 6, 0, 'ets');
    expect(heir.errorBand(1, 10)).toEqual([-0.2, 0.2]);
    heir.inherit(donor);
    expect(heir.chosen).toBe('arima');
    expect(heir.scores.get('arima')).toEqual({ ew: 2, origins: 3 });
    expect(heir.errorBand(1, 10)).toEqual(donor.errorBand(1, 10));
    expect(heir.errorBand(1, 10)[1]).toBeLessThan(0.05);
    // later errors and scores of either leave the other alone
    for (let i = 0; i < 40; i++) heir.addRelativeError(1, 0.5);
    heir.scores.get('arima')!.ew = 9;
    expect(heir.errorBand(1, 10)[1]).toBe(0.5);
    expect(donor.errorBand(1, 10)[1]).toBeLessThan(0.05);
    expect(donor.scores.get('arima')!.ew).toBe(2);
  });

  it('cached bands always equal the quantiles of the nearby leads’ last 40 errors, whatever the order of adds and reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ add: fc.integer({ min: 0, max: 12 }), rel: fc.double({ min: -1, max: 3, noNaN: true }) }), fc.record({ read: fc.integer({ min: 0, max: 14 }) })), { maxLength: 400 }),
        (ops) => {
          const s = make();
          const kept: number[][] = [];
          for (const op of ops) {
            if ('add' in op) {
              s.addRelativeError(op.add, op.rel);
              (kept[op.add] ??= []).push(op.rel);
              if (kept[op.add].length > 40) kept[op.add].shift();
              continue;
            }
            const l = Math.min(op.read, 10);
            const near: number[] = [];
            for (let k = Math.max(0, l - 2); k <= l + 2; k++) near.push(...(kept[k] ?? []));
            near.sort((a, b) => a - b);
            const want: [number, number] = near.length < 10 ? [-0.2, 0.2] : [Math.min(0, sortedQuantile(near, 0.1)), Math.max(0, sortedQuantile(near, 0.9))];
            expect(s.upperBand(op.read, 10)).toBe(want[1]);
            expect(s.errorBand(op.read, 10)).toEqual(want);
          }
        },
      ),
      { seed: 21, numRuns: 200 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { BaseModelName, Forecaster } from '../../src/profiler/forecaster.ts';
import { Backtest, chooseModels } from '../../src/profiler/backtest.ts';
import { ForecastSeries } from '../../src/profiler/series.ts';

/** A model that always forecasts `level`. */
const constant = (name: BaseModelName, level: number): Forecaster => ({ name, fit() {}, update() {}, forecast: (h) => new Float64Array(h).fill(level) });

function series(levels: Record<string, number>): ForecastSeries {
  const s = new ForecastSeries({ start: 0, end: 4 }, 0, 1, 6, 0, 'ets');
  for (const [name, level] of Object.entries(levels)) s.models.set(name as BaseModelName, constant(name as BaseModelName, level));
  s.fitted = true;
  return s;
}

describe('Backtest', () => {
  it('scores every candidate on the windows after an origin and picks the lowest error per series', () => {
    const a = series({ ets: 10, arima: 20 }); // truth 20: arima right
    const b = series({ ets: 10, arima: 20 }); // truth 10: ets right
    const bt = new Backtest(['ets', 'arima'], 3);
    bt.addOrigin(5, [a, b]);
    for (let w = 5; w < 8; w++) bt.score(w, [a, b], [20, 10]);
    expect(a.chosen).toBe('arima');
    expect(b.chosen).toBe('ets');
    expect(a.scores.get('ets')).toEqual({ ew: 10, origins: 1 });
    // only the candidate in use at an origin adds relative errors: +100 % from ets at the first
    // origin, then 0 from arima; 10 are needed before the band leaves its ±20 % default
    expect(a.errorBand(0, 2)).toEqual([-0.2, 0.2]);
    for (let origin = 8; origin < 20; origin += 3) {
      bt.addOrigin(origin, [a, b]);
      for (let w = origin; w < origin + 3; w++) bt.score(w, [a, b], [20, 10]);
    }
    expect(a.errorBand(0, 2)).toEqual([0, 1]); // 12 errors of 0 and 3 of +100 %: p90 falls on the latter
    expect(b.errorBand(0, 2)).toEqual([0, 0]);
  });

  it('a series without scores follows the pooled choice; ties go to the earlier candidate', () => {
    const scored = series({ ets: 10, arima: 20 });
    scored.scores.set('ets', { ew: 5, origins: 1 });
    scored.scores.set('arima', { ew: 1, origins: 1 });
    const unscored = series({});
    const tied = series({});
    tied.scores.set('ets', { ew: 2, origins: 1 });
    tied.scores.set('arima', { ew: 2, origins: 1 });
    chooseModels([scored, unscored, tied], ['ets', 'arima']);
    expect(scored.chosen).toBe('arima');
    expect(unscored.chosen).toBe('arima');
    expect(tied.chosen).toBe('ets');
    const none = series({});
    chooseModels([none], ['mstl', 'ets']);
    expect(none.chosen).toBe('mstl');
  });

  it('after a re-cut, pending forecasts of changed ranges are dropped; unchanged ranges and the total keep scoring', () => {
    const range = series({ ets: 1 });
    const total = series({ ets: 1 });
    const bt = new Backtest(['ets'], 4);
    bt.addOrigin(0, [range, total]);
    bt.resetRanges([-1, -1]);
    const r1 = series({});
    const r2 = series({});
    bt.score(0, [r1, r2, total], [3, 3, 3]);
    expect(r1.scores.size).toBe(0);
    expect(total.scores.get('ets')!.ew).toBe(2);
  });

  it('a range the re-cut leaves as it was keeps its pending forecasts, under its new index', () => {
    const a = series({ ets: 1 });
    const b = series({ ets: 5 });
    const total = series({ ets: 1 });
    const bt = new Backtest(['ets'], 4);
    bt.addOrigin(0, [a, b, total]);
    // new ranges: a changed one first, then old range 1 (b) unchanged
    bt.resetRanges([-1, 1]);
    const fresh = series({});
    bt.score(0, [fresh, b, total], [3, 3, 3]);
    expect(fresh.scores.size).toBe(0);
    expect(b.scores.get('ets')!.ew).toBe(2); // |3 − 5|, b's own forecast
  });
});

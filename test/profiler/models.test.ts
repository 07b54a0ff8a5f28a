import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RandomSource } from '../../src/engine/random.ts';
import { createForecaster, MODEL_NAMES, type BaseModelName } from '../../src/profiler/index.ts';
import { smape } from '../../src/profiler/metrics.ts';

const BASE = MODEL_NAMES.filter((m) => m !== 'auto') as BaseModelName[];

/** Daily-seasonal positive series with trend and seeded noise. */
function series(n: number, seed = 1, m = 24): Float64Array {
  const r = new RandomSource(seed).fork('series');
  return Float64Array.from({ length: n }, (_, t) => 100 + 0.05 * t + 30 * Math.sin((2 * Math.PI * t) / m) + 2 * r.normal());
}

const opts = (seed = 1) => ({ seasons: [24, 168], rng: new RandomSource(seed).fork('model') });

describe.each(BASE)('Forecaster contract: %s', (name) => {
  const y = series(24 * 21);
  const train = y.subarray(0, y.length - 48);
  const test = y.subarray(y.length - 48);

  it('forecasts h finite, non-negative values and beats the overall mean on a clean seasonal series', () => {
    const m = createForecaster(name, opts());
    m.fit(train);
    const f = m.forecast(48);
    expect(f.length).toBe(48);
    expect(f.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    const meanF = new Float64Array(48).fill(train.reduce((a, b) => a + b, 0) / train.length);
    expect(smape(test, f)).toBeLessThan(smape(test, meanF));
  });

  it('is deterministic: same data and seed, same bytes', () => {
    const a = createForecaster(name, opts(7));
    const b = createForecaster(name, opts(7));
    a.fit(train);
    b.fit(train);
    expect(Array.from(a.forecast(24))).toEqual(Array.from(b.forecast(24)));
  });

  it('update() advances the state: forecasting after updates continues from the new points', () => {
    const m = createForecaster(name, opts());
    m.fit(train.subarray(0, train.length - 24));
    for (let i = train.length - 24; i < train.length; i++) m.update(train[i]);
    const f = m.forecast(24);
    expect(f.every(Number.isFinite)).toBe(true);
    expect(smape(test.subarray(0, 24), f)).toBeLessThan(25);
  });

  it('copes with tiny, constant and zero-containing histories', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 40 }), (vals) => {
        const m = createForecaster(name, opts());
        m.fit(Float64Array.from(vals));
        m.update(vals[0]);
        const f = m.forecast(5);
        return f.length === 5 && f.every((v) => Number.isFinite(v) && v >= 0);
      }),
      { seed: 42, numRuns: name === 'lstm' ? 5 : 25 },
    );
    const c = createForecaster(name, opts());
    c.fit(new Float64Array(100).fill(42));
    for (const v of c.forecast(10)) expect(v).toBeCloseTo(42, 0);
  });
});

import { describe, expect, it } from 'vitest';
import type { AnomalyFlag, Forecast, ForecastWindow } from '../../src/model/forecast.ts';
import { makePartitionMap } from '../../src/model/partition-map.ts';
import {
  anomalous,
  forecastErrorFallback,
  isSurprise,
  observedLead,
  QUICK_MOVE_MS,
  quickOverload,
  shapeError,
  surpriseCheckDue,
  surpriseWindow,
  unforecastShare,
  warmingUp,
} from '../../src/policies/fallbacks.ts';

const W = 60_000;

/** A window over 4 buckets cut in two ranges [0,2) and [2,4) with the given shares. */
function window(startMs: number, shares: [number, number], expected = Float64Array.of(1, 1, 1, 1), upper?: Float64Array): ForecastWindow {
  return {
    startMs,
    totalRate: { mean: 4, p10: 3, p50: 4, p90: 5 },
    ranges: [
      { range: { start: 0, end: 2 }, probability: shares[0] },
      { range: { start: 2, end: 4 }, probability: shares[1] },
    ],
    expectedLoad: expected,
    ...(upper ? { upperLoad: upper } : {}),
  };
}

function forecast(issuedAtMs: number, windows: ForecastWindow[], anomalies: AnomalyFlag[] = []): Forecast {
  return { id: `f${issuedAtMs}`, issuedAtMs, windowMs: W, buckets: 4, windows, anomalies };
}

describe('warm-up', () => {
  it('holds while less than the minimum history has been seen', () => {
    expect(warmingUp(0, 1000)).toBe(true);
    expect(warmingUp(999, 1000)).toBe(true);
    expect(warmingUp(1000, 1000)).toBe(false);
  });
});

describe('anomaly share', () => {
  const flag = (timeMs: number, score: number, range?: { start: number; end: number }): AnomalyFlag => ({ timeMs, kind: 'residual', score, ...(range ? { range } : {}) });

  it('falls back on any fresh flag on the total rate', () => {
    expect(anomalous(forecast(100, [window(100, [0.5, 0.5])], [flag(50, 1)]), null, 0.25)).toBe(true);
  });

  it('ignores flags from before the previous forecast was issued', () => {
    const prev = forecast(60, []);
    expect(anomalous(forecast(100, [window(100, [0.5, 0.5])], [flag(50, 1)]), prev, 0.25)).toBe(false);
    expect(anomalous(forecast(100, [window(100, [0.5, 0.5])], [flag(60, 1)]), prev, 0.25)).toBe(false);
    expect(anomalous(forecast(100, [window(100, [0.5, 0.5])], [flag(61, 1)]), prev, 0.25)).toBe(true);
  });

  it('counts only strong range flags, against the share of the load they carry', () => {
    const f = (score: number, share: number) => forecast(100, [window(100, [share, 1 - share])], [flag(90, score, { start: 0, end: 2 })]);
    expect(anomalous(f(10, 0.3), null, 0.25)).toBe(true);
    expect(anomalous(f(10, 0.25), null, 0.25)).toBe(true); // at the share: falls back
    expect(anomalous(f(10, 0.2), null, 0.25)).toBe(false);
    expect(anomalous(f(9.9, 0.9), null, 0.25)).toBe(false); // weak flag
    expect(anomalous(f(10, 0.2), null, 0.1)).toBe(true);
  });

  it('does not match a flag on a range the forecast does not cut', () => {
    const f = forecast(100, [window(100, [0.5, 0.5])], [flag(90, 50, { start: 0, end: 3 })]);
    expect(anomalous(f, null, 0.25)).toBe(false);
  });
});

describe('forecast-error fallback', () => {
  it('measures the total-variation distance of range shares', () => {
    expect(shapeError(window(0, [0.5, 0.5]), Float64Array.of(1, 1, 1, 1))).toBe(0);
    expect(shapeError(window(0, [1, 0]), Float64Array.of(0, 0, 1, 1))).toBe(1);
    expect(shapeError(window(0, [0.5, 0.5]), Float64Array.of(3, 0, 1, 0))).toBe(0.25);
    expect(shapeError(window(0, [0.5, 0.5]), Float64Array.of(0, 0, 0, 0))).toBeNull();
    expect(shapeError(undefined, Float64Array.of(1, 1, 1, 1))).toBeNull();
  });

  it('scores the previous forecast at the lead of the window just observed', () => {
    const prev = forecast(0, [window(0, [0.5, 0.5]), window(W, [0.5, 0.5]), window(2 * W, [1, 0])]);
    // observed up to 2W: window [W, 2W), prev's window 1
    expect(observedLead(prev, 2 * W, W)).toBe(1);
    expect(observedLead(prev, 3 * W, W)).toBe(2);
    expect(observedLead(prev, 10 * W, W)).toBe(2); // clamped to its last window
    expect(observedLead(prev, 0, W)).toBe(0);
    const right = Float64Array.of(1, 1, 1, 1);
    const skewed = Float64Array.of(1, 1, 0, 0);
    expect(forecastErrorFallback(prev, 2 * W, W, right, 0.25)).toBe(false);
    expect(forecastErrorFallback(prev, 2 * W, W, skewed, 0.25)).toBe(true); // window 1 said half/half
    expect(forecastErrorFallback(prev, 3 * W, W, skewed, 0.25)).toBe(false); // window 2 said all in [0,2)
    expect(forecastErrorFallback(prev, 2 * W, W, skewed, 0.5)).toBe(false); // error 0.5 is not above 0.5
  });

  it('does not fall back without a previous forecast or anything observed', () => {
    expect(forecastErrorFallback(null, 2 * W, W, Float64Array.of(1, 0, 0, 0), 0)).toBe(false);
    expect(forecastErrorFallback(forecast(0, []), 2 * W, W, Float64Array.of(1, 0, 0, 0), 0)).toBe(false);
    expect(forecastErrorFallback(forecast(0, [window(0, [1, 0])]), W, W, Float64Array.of(0, 0, 0, 0), 0)).toBe(false);
  });
});

describe('surprise check', () => {
  const up = Float64Array.of(2, 2, 2, 2);
  const f = forecast(0, [window(0, [0.5, 0.5], Float64Array.of(1, 1, 1, 1), up), window(W, [0.5, 0.5])]);

  it('reads the forecast window holding the middle of the last check span', () => {
    expect(surpriseWindow(f, W)).toBe(f.windows[0]);
    expect(surpriseWindow(f, W + W / 2)).toBe(f.windows[1]);
    expect(surpriseWindow(f, W / 2)).toBe(f.windows[0]);
    expect(surpriseWindow(f, W / 2 - 1)).toBeUndefined(); // before the forecast
    expect(surpriseWindow(f, 3 * W)).toBeUndefined(); // past it
    expect(surpriseWindow(null, W)).toBeUndefined();
  });

  it('measures the share of observed load above the tail, the expected load without one', () => {
    expect(unforecastShare(f.windows[0], Float64Array.of(2, 2, 2, 2))).toBe(0);
    expect(unforecastShare(f.windows[0], Float64Array.of(10, 0, 0, 0))).toBe(0.8);
    expect(unforecastShare(f.windows[1], Float64Array.of(2, 2, 2, 2))).toBe(0.5);
    expect(unforecastShare(f.windows[0], Float64Array.of(0, 0, 0, 0))).toBe(0);
  });

  it('is a surprise above 8% unforecast load', () => {
    expect(isSurprise(0.08)).toBe(false);
    expect(isSurprise(0.0801)).toBe(true);
  });

  it('runs only between decisions, a check span after the last one, after warm-up', () => {
    const every = 5 * W;
    expect(surpriseCheckDue(7 * W, 0, every, 5 * W, 10 * W, W)).toBe(true);
    expect(surpriseCheckDue(10 * W, 0, every, 5 * W, 10 * W, W)).toBe(false); // a regular decision is due
    expect(surpriseCheckDue(7 * W, 0, every, 6 * W + 1, 10 * W, W)).toBe(false); // decided less than a span ago
    expect(surpriseCheckDue(7 * W, 0, every, 6 * W, 10 * W, W)).toBe(true);
    expect(surpriseCheckDue(7 * W, 0, every, 5 * W, W - 1, W)).toBe(false); // warming up
  });
});

describe('overloaded nodes between decisions (quickOverload)', () => {
  // 4 buckets, 3 partitions: [0,1) and [1,3) on node 0, [3,4) on node 1; capacity 100/s, 1 MB/s moves
  const map = makePartitionMap(4, [0, 1, 3, 4], [0, 0, 1]);
  const MB = 1e6;
  const state = (perBucket: number) => new Float64Array(4).fill(perBucket);

  it('calls for a decision when a node is over capacity and its partitions move within the limit', () => {
    // node 0 carries 40 + 70 = 110/s; its two partitions hold 30 MB and 60 MB: 45 MB mean, 45 s
    expect(quickOverload(map, Float64Array.of(40, 35, 35, 10), state(30 * MB), 100, MB)).toBe(true);
    // at the limit exactly: a mean of 60 MB moves in 60 s
    expect(QUICK_MOVE_MS).toBe(60_000);
    expect(quickOverload(map, Float64Array.of(40, 35, 35, 10), state(40 * MB), 100, MB)).toBe(true);
  });

  it('not where moves take longer than the limit, nor when every node is within capacity', () => {
    expect(quickOverload(map, Float64Array.of(40, 35, 35, 10), state(41 * MB), 100, MB)).toBe(false);
    expect(quickOverload(map, Float64Array.of(40, 30, 30, 99), state(MB), 100, MB)).toBe(false); // 100/s is not over
  });

  it('judges each overloaded node by its own partitions', () => {
    // node 1 over capacity with little state; node 0 within it with a lot
    const st = Float64Array.of(500 * MB, 500 * MB, 500 * MB, 10 * MB);
    expect(quickOverload(map, Float64Array.of(10, 10, 10, 120), st, 100, MB)).toBe(true);
    // node 0 over capacity with a lot of state, node 1 within it with little
    expect(quickOverload(map, Float64Array.of(60, 30, 30, 10), st, 100, MB)).toBe(false);
  });
});

/**
 * The KDP's fits made cheaper must still be the same fits: fitHolt's inlined criterion and memo
 * against a step-by-step reference (cold and warm starts), and ARIMA's shared cross products
 * against one ridge regression per order.
 */
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../../src/engine/random.ts';
import { createForecaster } from '../../../src/profiler/index.ts';
import { fitHolt, HoltState, type HoltParams } from '../../../src/profiler/models/ets.ts';
import { orderFits } from '../../../src/profiler/models/arima.ts';
import { nelderMead, ridge, squash, unsquash } from '../../../src/profiler/util.ts';

function series(n: number, seed: number, m: number, trend = 0.05): Float64Array {
  const r = new RandomSource(seed).fork('series');
  let walk = 0;
  return Float64Array.from({ length: n }, (_, t) => {
    walk += 0.5 * r.normal();
    return 100 + trend * t + walk + 30 * Math.sin((2 * Math.PI * t) / m) + 2 * r.normal();
  });
}

/** fitHolt's search written plainly: HoltState.step on a cloned state per evaluation, modulos for the rings. */
function referenceFitHolt(x: Float64Array, m: number, start: HoltParams | undefined, maxEval: number, lead: number): { p: HoltParams; sse: number } {
  const seasonal = m >= 2 && x.length >= 2 * m;
  const mm = seasonal ? m : 1;
  const init = new HoltState(mm);
  init.init(x);
  const k = Math.max(1, Math.min(lead, mm >= 2 ? mm : lead, Math.floor(x.length / 4)));
  const ringL = new Float64Array(k);
  const ringB = new Float64Array(k);
  const params = (v: ArrayLike<number>): HoltParams => {
    const alpha = squash(v[0], 0.001, 0.999);
    return { alpha, beta: alpha * squash(v[1], 0.0001, 0.5), gamma: seasonal ? (1 - alpha) * squash(v[2], 0.0001, 0.999) : 0, phi: squash(v[3], 0.8, 0.98) };
  };
  const run = (p: HoltParams): number => {
    const st = init.clone();
    let sse = 0;
    let damp = 0;
    let pk = 1;
    for (let j = 0; j < k; j++) {
      pk *= p.phi;
      damp += pk;
    }
    for (let i = 0; i < x.length; i++) {
      if (k > 1 && i >= k) {
        const f = ringL[i % k] + damp * ringB[i % k] + (mm >= 2 ? st.s[i % mm] : 0);
        sse += (x[i] - f) ** 2;
      }
      const e = st.step(x[i], p);
      sse += e * e;
      ringL[i % k] = st.l;
      ringB[i % k] = st.b;
    }
    return Number.isFinite(sse) ? sse : 1e300;
  };
  const x0 = start
    ? [unsquash(start.alpha, 0.001, 0.999), unsquash(start.beta / start.alpha, 0.0001, 0.5), seasonal ? unsquash(start.gamma / (1 - start.alpha), 0.0001, 0.999) : 0, unsquash(start.phi, 0.8, 0.98)]
    : [unsquash(0.3, 0.001, 0.999), unsquash(0.05, 0.0001, 0.5), unsquash(0.1, 0.0001, 0.999), unsquash(0.95, 0.8, 0.98)];
  const { x: best } = nelderMead((v) => run(params(v)), x0, start ? 0.3 : 1, maxEval);
  const p = params(best);
  const st = init.clone();
  let sse = 0;
  for (let i = 0; i < x.length; i++) {
    const e = st.step(x[i], p);
    sse += e * e;
  }
  return { p, sse };
}

describe('fitHolt', () => {
  it('finds exactly what the plain step-by-step search finds (seasonal and not, cold and warm)', () => {
    const start: HoltParams = { alpha: 0.4, beta: 0.02, gamma: 0.1, phi: 0.9 };
    for (const [n, m, lead] of [
      [300, 24, 24],
      [200, 1, 48],
      [100, 24, 24],
      [500, 7, 7],
    ] as const) {
      const x = series(n, n + m, Math.max(2, m));
      for (const st of [undefined, start]) {
        const maxEval = st ? 50 : 160;
        const got = fitHolt(x, m, st, maxEval, lead);
        const want = referenceFitHolt(x, m, st, maxEval, lead);
        expect(got.p).toEqual(want.p);
        expect(got.sse).toBe(want.sse);
      }
    }
  });

  it('a repeated call (the memo) returns the same fit, with its own state', () => {
    const x = series(240, 3, 24);
    const a = fitHolt(x, 24);
    const b = fitHolt(Float64Array.from(x), 24);
    expect(b.p).toEqual(a.p);
    expect(b.sse).toBe(a.sse);
    expect(b.state).not.toBe(a.state);
    const fa = a.state.forecast(24, a.p);
    b.state.step(1e6, b.p); // one caller's updates leave the other's state alone
    expect(a.state.forecast(24, a.p)).toEqual(fa);
    expect(fitHolt(x, 24).state.forecast(24, a.p)).toEqual(fa);
    // other data, another fit
    const y = Float64Array.from(x, (v, i) => (i === 100 ? v + 50 : v));
    expect(fitHolt(y, 24).sse).not.toBe(a.sse);
  });

  it('ets and mstl forecast alike while no season is usable (the problem they share through the memo)', () => {
    const y = series(200, 5, 24);
    const rng = new RandomSource(1).fork('m');
    const ets = createForecaster('ets', { seasons: [288], rng });
    const mstl = createForecaster('mstl', { seasons: [288], rng });
    ets.fit(y);
    mstl.fit(y);
    expect(mstl.forecast(30)).toEqual(ets.forecast(30));
  });
});

describe('ARIMA order fits from shared cross products', () => {
  it('equal one ridge regression per order on its own rows', () => {
    for (const [n, ms] of [
      [400, 0],
      [600, 24],
    ] as const) {
      const r = new RandomSource(n).fork('z');
      const z: number[] = [];
      for (let t = 0; t < n; t++) z.push(0.6 * (z[t - 1] ?? 0) - 0.2 * (z[t - 2] ?? 0) + (ms ? 0.3 * (z[t - ms] ?? 0) : 0) + r.normal());
      const eHat = z.map((v, t) => (t > 0 ? v - 0.5 * z[t - 1] : 0));
      const t0 = ms ? ms + 4 : 13;
      const fits = orderFits(z, eHat, t0, ms);
      expect(fits.length).toBe(ms ? 48 : 12);
      for (const f of fits) {
        const rows: number[][] = [];
        const ys: number[] = [];
        for (let t = t0; t < n; t++) {
          rows.push([...f.spec.ar.map((l) => z[t - l]), ...f.spec.ma.map((l) => eHat[t - l])]);
          ys.push(z[t]);
        }
        const k = f.spec.ar.length + f.spec.ma.length;
        const coef = k ? ridge(rows, ys, new Array(k).fill(1e-6)) : new Float64Array(0);
        let sse = 0;
        for (let i = 0; i < rows.length; i++) {
          let p = 0;
          for (let j = 0; j < k; j++) p += coef[j] * rows[i][j];
          sse += (ys[i] - p) ** 2;
        }
        expect(Array.from(f.coef)).toEqual(Array.from(coef));
        expect(f.aic).toBe(rows.length * Math.log(sse / rows.length + 1e-300) + 2 * (k + 1));
      }
    }
  });
});

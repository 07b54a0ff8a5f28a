/**
 * MSTL-style decomposition: several seasonal components (e.g. day and week) are estimated one after
 * another, each from the series with the others removed, detrended by a centred moving average of
 * its period, then averaged per phase over cycles with more weight on recent cycles (an evolving
 * season). Two passes, like MSTL's iterations. The seasonally adjusted series is forecast with a
 * damped Holt filter, and the seasonal indices are added back. Works on the log scale when the
 * data are positive and that fits better (AIC with the log Jacobian).
 *
 * Written here (not augurs' MSTL, which needs asynchronous WASM initialisation: docs/profiler.md)
 * to keep the profiler synchronous, dependency-free and able to update its state one point at a
 * time.
 */
import { registerModel, ScaleTransform, sanitize, nonNegative, type Forecaster, type ModelOptions } from '../forecaster.ts';
import { usableSeasons, sumLog } from '../util.ts';
import { fitHolt, HoltState, type HoltParams } from './ets.ts';

/** Seasonal indices per usable period (each of length m, mean zero), by phase `t mod m`. */
export interface Decomposition {
  periods: number[];
  indices: Float64Array[];
}

/** Centred moving average of period m (2×m for even m); NaN where undefined. */
function centredMA(x: Float64Array, m: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  const pre = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i] + x[i];
  if (m % 2 === 1) {
    const h = (m - 1) / 2;
    for (let t = h; t < n - h; t++) out[t] = (pre[t + h + 1] - pre[t - h]) / m;
  } else {
    const h = m / 2;
    for (let t = h; t < n - h; t++) out[t] = (pre[t + h] - pre[t - h + 1] + 0.5 * (x[t - h] + x[t + h])) / m;
  }
  return out;
}

/**
 * Decomposes `x` for the given periods (those with ≥ 2 cycles). `decay` weighs cycle k back from
 * the end by decay^k.
 */
export function decompose(x: Float64Array, seasons: readonly number[], decay = 0.7, passes = 2): Decomposition {
  const n = x.length;
  const periods = usableSeasons(seasons, n, 2);
  const indices = periods.map((m) => new Float64Array(m));
  const work = new Float64Array(n);
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < periods.length; i++) {
      const m = periods[i];
      for (let t = 0; t < n; t++) {
        let v = x[t];
        for (let j = 0; j < periods.length; j++) if (j !== i) v -= indices[j][t % periods[j]];
        work[t] = v;
      }
      const trend = centredMA(work, m);
      const sum = new Float64Array(m);
      const wsum = new Float64Array(m);
      for (let t = 0; t < n; t++) {
        if (Number.isNaN(trend[t])) continue;
        const w = Math.pow(decay, Math.floor((n - 1 - t) / m));
        sum[t % m] += w * (work[t] - trend[t]);
        wsum[t % m] += w;
      }
      let avg = 0;
      for (let k = 0; k < m; k++) {
        sum[k] = wsum[k] > 0 ? sum[k] / wsum[k] : 0;
        avg += sum[k] / m;
      }
      for (let k = 0; k < m; k++) indices[i][k] = sum[k] - avg;
    }
  }
  return { periods, indices };
}

/** Sum of the seasonal indices at absolute time `t`. */
export function seasonalAt(d: Decomposition, t: number): number {
  let s = 0;
  for (let i = 0; i < d.periods.length; i++) s += d.indices[i][t % d.periods[i]];
  return s;
}

interface Fitted {
  tr: ScaleTransform;
  dec: Decomposition;
  p: HoltParams;
  state: HoltState;
  sse: number;
}

function fitOn(x: Float64Array, tr: ScaleTransform, seasons: readonly number[], start?: HoltParams): Fitted {
  const dec = decompose(x, seasons);
  const adj = new Float64Array(x.length);
  for (let t = 0; t < x.length; t++) adj[t] = x[t] - seasonalAt(dec, t);
  const { p, state, sse } = fitHolt(adj, 1, start, start ? 50 : 160, Math.max(1, Math.min(48, Math.round(seasons[0] ?? 1))));
  return { tr, dec, p, state, sse };
}

export class Mstl implements Forecaster {
  readonly name = 'mstl' as const;
  private f: Fitted | undefined;
  private t = 0;
  private nonNeg = true;
  private last = 0;

  constructor(private readonly opts: ModelOptions) {}

  fit(y: ArrayLike<number>): void {
    const n = y.length;
    this.nonNeg = nonNegative(y);
    this.last = y[n - 1] ?? 0;
    const id = ScaleTransform.identity();
    const lt0 = ScaleTransform.choose(y, true);
    if (this.f && this.f.tr.log === lt0.log) {
      // refit: keep the scale, warm-start the smoothing parameters
      this.f = fitOn(lt0.log ? lt0.fwdAll(y) : Float64Array.from(y), lt0.log ? lt0 : id, this.opts.seasons, this.f.p);
      this.t = n;
      return;
    }
    let best = fitOn(Float64Array.from(y), id, this.opts.seasons);
    const lt = ScaleTransform.choose(y, true);
    if (lt.log) {
      const lg = fitOn(lt.fwdAll(y), lt, this.opts.seasons);
      if (n * Math.log(lg.sse / n + 1e-300) + 2 * sumLog(y) < n * Math.log(best.sse / n + 1e-300)) best = lg;
    }
    this.f = best;
    this.t = n;
  }

  update(value: number): void {
    const f = this.f;
    this.last = value;
    if (!f) return;
    f.state.step(f.tr.fwd(value) - seasonalAt(f.dec, this.t), f.p);
    this.t++;
  }

  forecast(h: number): Float64Array {
    const f = this.f;
    if (!f) return new Float64Array(h);
    const out = f.state.forecast(h, f.p);
    for (let i = 0; i < h; i++) out[i] = f.tr.inv(out[i] + seasonalAt(f.dec, this.t + i));
    return sanitize(out, this.nonNeg, this.last);
  }
}

registerModel('mstl', (o) => new Mstl(o));

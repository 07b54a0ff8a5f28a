/**
 * Seasonal ARIMA(p,d,q)(P,D,Q)m with orders chosen by AIC, estimated by Hannan–Rissanen (a long
 * autoregression gives residual estimates, then one least-squares regression on lagged values and
 * lagged residuals). D = 1 when the primary season fits three times (and m ≤ 400); d = 1 when the
 * seasonally differenced series still has a near unit root (AR(1) coefficient ≥ 0.97). Orders
 * searched: p ≤ 3, q ≤ 2, P ≤ 1, Q ≤ 1. Log scale for positive data.
 *
 * Written here rather than with the `arima` package: that one is emscripten (CJS) and slow at
 * seasonal auto-selection (measured in docs/profiler.md); this regression form selects orders by
 * least squares, is deterministic, and updates its state per new point in O(p + q).
 */
import { registerModel, ScaleTransform, sanitize, nonNegative, type Forecaster, type ModelOptions } from '../forecaster.ts';
import { addToGram, choleskySolve } from '../util.ts';

interface Spec {
  ar: number[]; // lags
  ma: number[]; // lags
}

export class Arima implements Forecaster {
  readonly name = 'arima' as const;
  private tr = ScaleTransform.identity();
  private m = 0; // seasonal differencing period (0: none)
  private d = 0;
  private mu = 0;
  private spec: Spec = { ar: [], ma: [] };
  private coef: Float64Array = new Float64Array(0);
  /** Transformed series, seasonally differenced series w, doubly differenced z, residuals e. */
  private x: number[] = [];
  private w: number[] = [];
  private z: number[] = [];
  private e: number[] = [];
  private nonNeg = true;
  private last = 0;

  constructor(private readonly opts: ModelOptions) {}

  fit(y: ArrayLike<number>): void {
    const n = y.length;
    this.nonNeg = nonNegative(y);
    this.last = y[n - 1] ?? 0;
    this.tr = ScaleTransform.choose(y, true);
    const x = Array.from(this.tr.fwdAll(y));
    const m0 = Math.round(this.opts.seasons[0] ?? 0);
    this.m = m0 >= 2 && m0 <= 400 && n >= 3 * m0 ? m0 : 0;
    const w = this.m ? x.slice(this.m).map((v, i) => v - x[i]) : x.slice();
    // near unit root after seasonal differencing → one more difference
    let sxy = 0;
    let sxx = 0;
    const wm = w.reduce((a, b) => a + b, 0) / Math.max(1, w.length);
    for (let i = 1; i < w.length; i++) {
      sxy += (w[i] - wm) * (w[i - 1] - wm);
      sxx += (w[i - 1] - wm) ** 2;
    }
    this.d = sxx > 0 && sxy / sxx >= 0.97 ? 1 : 0;
    if (w.length < 8) this.d = 0;
    const z = this.d ? w.slice(1).map((v, i) => v - w[i]) : w.slice();
    this.x = x;
    this.w = w;
    this.z = z;
    this.mu = this.d === 0 && z.length > 0 ? z.reduce((a, b) => a + b, 0) / z.length : 0;
    this.chooseOrders();
  }

  private chooseOrders(): void {
    const z = this.z.map((v) => v - this.mu);
    const N = z.length;
    this.spec = { ar: [], ma: [] };
    this.coef = new Float64Array(0);
    this.e = new Array<number>(N).fill(0);
    if (N < 12) {
      this.recomputeResiduals();
      return;
    }
    const ms = this.m && this.m <= 200 && N > 4 * this.m ? this.m : 0;
    // long autoregression for residual estimates
    const longLags = [...Array(Math.min(10, Math.floor(N / 6))).keys()].map((i) => i + 1);
    if (ms) longLags.push(ms, ms + 1);
    const eHat = longArResiduals(z, longLags);
    const maxLag = Math.max(3, ms ? ms + 3 : 0) + (ms ? 0 : 0);
    const fits = orderFits(z, eHat, Math.min(N - 1, Math.max(...longLags) + maxLag), ms);
    fits.sort((a, b) => a.aic - b.aic);
    // take the best fit whose forecasts stay within a few ranges of the data (no explosive AR part)
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of this.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = Math.max(hi - lo, 1e-9);
    for (const f of [...fits, { aic: 0, spec: { ar: [], ma: [] }, coef: new Float64Array(0) as Float64Array }]) {
      this.spec = f.spec;
      this.coef = f.coef;
      this.recomputeResiduals();
      const test = this.forecastTransformed(Math.max(48, 2 * (this.m || 24)));
      if (test.every((v) => Number.isFinite(v) && v >= lo - 2 * span && v <= hi + 2 * span)) break;
    }
  }

  private predictZ(t: number, zs: number[], es: number[]): number {
    const { ar, ma } = this.spec;
    let f = 0;
    for (let j = 0; j < ar.length; j++) {
      const v = zs[t - ar[j]];
      f += this.coef[j] * (v === undefined ? 0 : v - this.mu);
    }
    for (let j = 0; j < ma.length; j++) f += this.coef[ar.length + j] * (es[t - ma[j]] ?? 0);
    return this.mu + f;
  }

  private recomputeResiduals(): void {
    const z = this.z;
    this.e = new Array<number>(z.length).fill(0);
    const start = Math.max(0, ...this.spec.ar, ...this.spec.ma);
    for (let t = start; t < z.length; t++) this.e[t] = z[t] - this.predictZ(t, z, this.e);
  }

  update(value: number): void {
    this.last = value;
    const v = this.tr.fwd(value);
    this.x.push(v);
    const n = this.x.length;
    if (this.m && n <= this.m) return;
    const wv = this.m ? v - this.x[n - 1 - this.m] : v;
    this.w.push(wv);
    if (this.d && this.w.length < 2) return;
    const zv = this.d ? wv - this.w[this.w.length - 2] : wv;
    const t = this.z.length;
    this.z.push(zv);
    const start = Math.max(0, ...this.spec.ar, ...this.spec.ma);
    this.e.push(t >= start ? zv - this.predictZ(t, this.z, this.e) : 0);
  }

  private forecastTransformed(h: number): Float64Array {
    // only the tails the recursions reach back into (the last lag + the seasonal period)
    const keep = Math.max(4, ...this.spec.ar, ...this.spec.ma) + this.m + 2;
    const zs = this.z.slice(-keep);
    const es = this.e.slice(-keep);
    const ws = this.w.slice(-keep);
    const xs = this.x.slice(-keep);
    const out = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      const t = zs.length;
      const zf = zs.length ? this.predictZ(t, zs, es) : 0;
      zs.push(zf);
      es.push(0);
      const wf = this.d ? (ws.length ? ws[ws.length - 1] : 0) + zf : zf;
      ws.push(wf);
      const xf = this.m ? (xs[xs.length - this.m] ?? xs[xs.length - 1] ?? 0) + wf : wf;
      xs.push(xf);
      out[i] = xf;
    }
    return out;
  }

  forecast(h: number): Float64Array {
    const out = this.x.length ? this.forecastTransformed(h) : new Float64Array(h);
    for (let i = 0; i < h; i++) out[i] = this.tr.inv(out[i]);
    return sanitize(out, this.nonNeg, this.last);
  }
}

registerModel('arima', (o) => new Arima(o));

/** One candidate order's least-squares fit: its AIC, lags and coefficients. */
export interface OrderFit {
  readonly aic: number;
  readonly spec: Spec;
  readonly coef: Float64Array;
}

/**
 * Residual estimates from a long autoregression of `z` on `lags` (0 where it cannot be fitted):
 * the stand-in for the unobserved innovations that the MA terms regress on.
 */
function longArResiduals(z: readonly number[], lags: readonly number[]): number[] {
  const N = z.length;
  const eHat = new Array<number>(N).fill(0);
  const t0 = Math.max(...lags);
  if (N - t0 > lags.length + 5) {
    const gram = lagGram(z, lags.map((l) => ({ of: z, lag: l })), t0);
    const b = gram.solve(lags.map((_, i) => i));
    const lag = Int32Array.from(lags);
    for (let t = t0; t < N; t++) {
      let f = 0;
      for (let k = 0; k < lag.length; k++) f += b[k] * z[t - lag[k]];
      eHat[t] = z[t] - f;
    }
  }
  return eHat;
}

/** A regressor column: `of[t − lag]` at row t. */
interface LagColumn {
  readonly of: readonly number[];
  readonly lag: number;
}

/**
 * The cross products of a regression of `y[t]` on lagged columns over rows `t0…N−1`, accumulated
 * once (row by row, as `ridge` would for any subset of the columns), so that every subset's
 * ridge fit is a small solve: the orders ARIMA compares share one pass over the data.
 */
class LagGram {
  /** The columns' series and lags apart (monomorphic reads in the residual pass). */
  private readonly of: readonly (readonly number[])[];
  private readonly lag: Int32Array;

  constructor(
    readonly y: readonly number[],
    readonly cols: readonly LagColumn[],
    readonly t0: number,
    /** Lower triangle, row-major, c × c. */
    readonly xx: Float64Array,
    readonly xy: Float64Array,
  ) {
    this.of = cols.map((c) => c.of);
    this.lag = Int32Array.from(cols, (c) => c.lag);
  }

  get rows(): number {
    return this.y.length - this.t0;
  }

  /** The ridge coefficients (penalty 1e-6 each, `ridge`'s jitter) of `y` on the columns `idx`, in that order. */
  solve(idx: readonly number[]): Float64Array {
    const p = idx.length;
    const c = this.cols.length;
    const A = new Float64Array(p * p);
    const b = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      b[i] = this.xy[idx[i]];
      for (let j = 0; j <= i; j++) {
        const [hi, lo] = idx[i] >= idx[j] ? [idx[i], idx[j]] : [idx[j], idx[i]];
        A[i * p + j] = A[j * p + i] = this.xx[hi * c + lo];
      }
    }
    for (let i = 0; i < p; i++) A[i * p + i] += 1e-6 + 1e-9 * (1 + A[i * p + i]);
    return choleskySolve(A, b, p);
  }

  /** Sum of squared residuals of `coef` on the columns `idx`. */
  sse(idx: readonly number[], coef: Float64Array): number {
    const y = this.y;
    const k = idx.length;
    const of = idx.map((i) => this.of[i]);
    const lag = Int32Array.from(idx, (i) => this.lag[i]);
    let sse = 0;
    for (let t = this.t0; t < y.length; t++) {
      let f = 0;
      for (let j = 0; j < k; j++) f += coef[j] * of[j][t - lag[j]];
      sse += (y[t] - f) ** 2;
    }
    return sse;
  }
}

/** Accumulates the cross products of `y` on `cols` over rows `t0…N−1` (see `LagGram`). */
function lagGram(y: readonly number[], cols: readonly LagColumn[], t0: number): LagGram {
  const c = cols.length;
  const xx = new Float64Array(c * c);
  const xy = new Float64Array(c);
  const row = new Float64Array(c);
  const of = cols.map((col) => col.of);
  const lag = Int32Array.from(cols, (col) => col.lag);
  for (let t = t0; t < y.length; t++) {
    for (let i = 0; i < c; i++) row[i] = of[i][t - lag[i]];
    addToGram(xx, xy, row, y[t], c);
  }
  return new LagGram(y, cols, t0, xx, xy);
}

/**
 * Fits of every order (p ≤ 3, q ≤ 2, seasonal P, Q ≤ 1 at season `ms` when it has one) from `t0`
 * on, in search order: one pass accumulates the cross products of all the lags, then each order
 * is a small ridge solve on its subset and a residual pass.
 */
export function orderFits(z: readonly number[], eHat: readonly number[], t0: number, ms: number): OrderFit[] {
  const N = z.length;
  // columns: z lags 1…3, then ε̂ lags 1…2, then the seasonal lags of each when there is a season
  const cols: LagColumn[] = [
    { of: z, lag: 1 },
    { of: z, lag: 2 },
    { of: z, lag: 3 },
    { of: eHat, lag: 1 },
    { of: eHat, lag: 2 },
  ];
  if (ms) cols.push({ of: z, lag: ms }, { of: eHat, lag: ms });
  const gram = N - t0 >= 10 ? lagGram(z, cols, t0) : null;
  const fits: OrderFit[] = [];
  for (let p = 0; p <= 3; p++)
    for (let q = 0; q <= 2; q++)
      for (let P = 0; P <= (ms ? 1 : 0); P++)
        for (let Q = 0; Q <= (ms ? 1 : 0); Q++) {
          const ar = [...Array(p).keys()].map((i) => i + 1);
          const idx = [...Array(p).keys()];
          if (P) {
            ar.push(ms);
            idx.push(5);
          }
          const ma = [...Array(q).keys()].map((i) => i + 1);
          for (let j = 0; j < q; j++) idx.push(3 + j);
          if (Q) {
            ma.push(ms);
            idx.push(6);
          }
          const fit = gram ? fitOrder(gram, ar, ma, idx) : null;
          if (fit) fits.push(fit);
        }
  return fits;
}

/** The ridge fit of z[t] on its `ar` lags and the residual estimates' `ma` lags (columns `idx` of `gram`), or null with too few rows or a non-invertible MA part. */
function fitOrder(gram: LagGram, ar: number[], ma: number[], idx: readonly number[]): OrderFit | null {
  const k = idx.length;
  const rows = gram.rows;
  if (rows < k + 10) return null;
  const coef: Float64Array = k ? gram.solve(idx) : new Float64Array(0);
  if (ma.some((_, j) => Math.abs(coef[ar.length + j]) > 0.97)) return null;
  const sse = gram.sse(idx, coef);
  return { aic: rows * Math.log(sse / rows + 1e-300) + 2 * (k + 1), spec: { ar, ma }, coef };
}

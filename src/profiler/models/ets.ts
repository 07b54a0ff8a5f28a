/**
 * Exponential smoothing: additive Holt–Winters with a damped trend (ETS(A,Ad,A)) on the log scale
 * when the data are positive (so effectively multiplicative), or on the raw scale; the scale is
 * chosen by likelihood (AIC with the log Jacobian). Smoothing parameters α, β, γ, φ are fitted by
 * Nelder–Mead on the one-step squared error. Only the primary season is used here; several
 * seasonalities (day and week) are the job of `mstl`, which decomposes them first.
 *
 * Written here rather than taken from a library: augurs' AutoETS ignores the seasonal part (see
 * docs/profiler.md, "Why our own implementations"), and a sync, allocation-free filter lets the
 * profiler update state per window.
 */
import { registerModel, ScaleTransform, sanitize, nonNegative, type Forecaster, type ModelOptions } from '../forecaster.ts';
import { mean, nelderMead, squash, unsquash, sumLog } from '../util.ts';

/** Fitted smoothing parameters. */
export interface HoltParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** The state of a damped Holt(-Winters) filter; seasonal indices are kept by phase `t mod m`. */
export class HoltState {
  l = 0;
  b = 0;
  t = 0;
  s: Float64Array;
  constructor(readonly m: number) {
    this.s = new Float64Array(Math.max(1, m));
  }

  /** Initial level, trend and seasonal indices from the first cycles of `x`. */
  init(x: ArrayLike<number>): void {
    const m = this.m;
    const n = x.length;
    if (m >= 2 && n >= 2 * m) {
      const m1 = mean(x, 0, m);
      const m2 = mean(x, m, 2 * m);
      this.l = m1;
      this.b = (m2 - m1) / m;
      for (let j = 0; j < m; j++) this.s[j] = (x[j] - m1 + (x[m + j] - m2)) / 2;
    } else {
      const k = Math.min(n, 10);
      this.l = x[0] ?? 0;
      this.b = k > 1 ? (x[k - 1] - x[0]) / (k - 1) : 0;
      this.s.fill(0);
    }
    this.t = 0;
  }

  /** One filter step; returns the one-step error. */
  step(v: number, p: HoltParams): number {
    const seasonal = this.m >= 2;
    const k = this.t % this.s.length;
    const sj = seasonal ? this.s[k] : 0;
    const trend = p.phi * this.b;
    const e = v - (this.l + trend + sj);
    this.l = this.l + trend + p.alpha * e;
    this.b = trend + p.beta * e;
    if (seasonal) this.s[k] = sj + p.gamma * e;
    this.t++;
    return e;
  }

  forecast(h: number, p: HoltParams, out = new Float64Array(h)): Float64Array {
    let damp = 0;
    let phiK = 1;
    for (let i = 0; i < h; i++) {
      phiK *= p.phi;
      damp += phiK;
      const sj = this.m >= 2 ? this.s[(this.t + i) % this.m] : 0;
      out[i] = this.l + damp * this.b + sj;
    }
    return out;
  }

  clone(): HoltState {
    const c = new HoltState(this.m);
    c.l = this.l;
    c.b = this.b;
    c.t = this.t;
    c.s.set(this.s);
    return c;
  }
}

function params(x: Float64Array, seasonal: boolean): HoltParams {
  const alpha = squash(x[0], 0.001, 0.999);
  const beta = alpha * squash(x[1], 0.0001, 0.5);
  const gamma = seasonal ? (1 - alpha) * squash(x[2], 0.0001, 0.999) : 0;
  const phi = squash(x[3], 0.8, 0.98);
  return { alpha, beta, gamma, phi };
}

/**
 * Fits a damped Holt(-Winters) filter with period `m` (`m < 2`: non-seasonal) to `x`. Returns the
 * parameters, the state after the last point and the sum of squared one-step errors.
 * `start` warm-starts the search (the profiler refits with the previous parameters and fewer steps).
 */
export function fitHolt(x: Float64Array, m: number, start?: HoltParams, maxEval = 160, lead = Math.max(1, Math.min(m, 48))): { p: HoltParams; state: HoltState; sse: number } {
  const seasonal = m >= 2 && x.length >= 2 * m;
  const mm = seasonal ? m : 1;
  const k = Math.max(1, Math.min(lead, mm >= 2 ? mm : lead, Math.floor(x.length / 4)));
  const hit = holtMemo.find(x, mm, k, start, maxEval);
  if (hit) return { p: { ...hit.p }, state: hit.state.clone(), sse: hit.sse };
  const init = new HoltState(mm);
  init.init(x);
  const run = holtCriterion(x, init, mm, k);
  const x0 = start
    ? [unsquash(start.alpha, 0.001, 0.999), unsquash(start.beta / start.alpha, 0.0001, 0.5), seasonal ? unsquash(start.gamma / (1 - start.alpha), 0.0001, 0.999) : 0, unsquash(start.phi, 0.8, 0.98)]
    : [unsquash(0.3, 0.001, 0.999), unsquash(0.05, 0.0001, 0.5), unsquash(0.1, 0.0001, 0.999), unsquash(0.95, 0.8, 0.98)];
  const { x: best } = nelderMead((v) => run(params(v, seasonal)), x0, start ? 0.3 : 1, maxEval);
  const p = params(best, seasonal);
  const state = init.clone();
  let sse = 0;
  for (let i = 0; i < x.length; i++) {
    const e = state.step(x[i], p);
    sse += e * e;
  }
  holtMemo.add({ x: Float64Array.from(x), mm, k, start: start && { ...start }, maxEval, p: { ...p }, state: state.clone(), sse });
  return { p, state, sse };
}

/**
 * The search's criterion on `x` from the initial state `init` (period `mm`, 1 without a season):
 * one-step plus k-step-ahead squared errors (the k-step forecast from the state k points back; its
 * seasonal index is still the current one as k ≤ m), so that the smoothing parameters suit
 * multi-step forecasts and not only persistence.
 */
function holtCriterion(x: Float64Array, init: HoltState, mm: number, k: number): (p: HoltParams) => number {
  const ringL = new Float64Array(k);
  const ringB = new Float64Array(k);
  const n = x.length;
  const s0 = init.s;
  const s = new Float64Array(s0.length);
  const run = (p: HoltParams): number => {
    // HoltState.step inlined on locals (the same arithmetic in the same order), with counters in
    // place of the modulos: the search evaluates this some 50–160 times per fit
    const { alpha, beta, gamma, phi } = p;
    s.set(s0);
    let l = init.l;
    let b = init.b;
    let sse = 0;
    let damp = 0;
    let pk = 1;
    for (let j = 0; j < k; j++) {
      pk *= phi;
      damp += pk;
    }
    // The closure's arrays and counts as locals: read from the closure's context inside the loop
    // they cost about a third more per point (measured, docs/bench-log.md, session 41).
    const xs = x;
    const rl = ringL;
    const rb = ringB;
    const ss = s;
    const kk = k;
    const m = mm;
    const seasonal = m >= 2;
    const ahead = kk > 1;
    let slot = 0;
    let phase = 0;
    for (let i = 0; i < n; i++) {
      const v = xs[i];
      const sj = seasonal ? ss[phase] : 0;
      if (ahead && i >= kk) {
        const d = v - (rl[slot] + damp * rb[slot] + sj);
        sse += d * d;
      }
      const trend = phi * b;
      const e = v - (l + trend + sj);
      l = l + trend + alpha * e;
      b = trend + beta * e;
      if (seasonal) ss[phase] = sj + gamma * e;
      sse += e * e;
      rl[slot] = l;
      rb[slot] = b;
      if (++slot === kk) slot = 0;
      if (++phase === m) phase = 0;
    }
    return Number.isFinite(sse) ? sse : 1e300;
  };
  return run;
}

/** One `fitHolt` call: its inputs as they shape the search, and its result. */
interface HoltFit {
  readonly x: Float64Array;
  readonly mm: number;
  readonly k: number;
  readonly start: HoltParams | undefined;
  readonly maxEval: number;
  readonly p: HoltParams;
  readonly state: HoltState;
  readonly sse: number;
}

/**
 * The last few `fitHolt` results by their exact inputs (a pure function's memo: a hit returns
 * copies of what the search would compute again). ETS and MSTL fit the very same problem while
 * the history holds no two cycles of a season (MSTL's seasonally adjusted series is then the
 * series itself, and both run a non-seasonal Holt with the same lead), so one search serves both.
 */
class HoltMemo {
  private readonly fits: HoltFit[] = [];

  constructor(private readonly size: number) {}

  find(x: Float64Array, mm: number, k: number, start: HoltParams | undefined, maxEval: number): HoltFit | undefined {
    for (const f of this.fits) {
      if (f.mm !== mm || f.k !== k || f.maxEval !== maxEval || f.x.length !== x.length || !sameParams(f.start, start)) continue;
      let same = true;
      for (let i = 0; i < x.length && same; i++) same = f.x[i] === x[i];
      if (same) return f;
    }
    return undefined;
  }

  add(f: HoltFit): void {
    this.fits.unshift(f);
    if (this.fits.length > this.size) this.fits.pop();
  }
}

function sameParams(a: HoltParams | undefined, b: HoltParams | undefined): boolean {
  if (!a || !b) return a === b;
  return a.alpha === b.alpha && a.beta === b.beta && a.gamma === b.gamma && a.phi === b.phi;
}

const holtMemo = new HoltMemo(4);

export class Ets implements Forecaster {
  readonly name = 'ets' as const;
  private tr = ScaleTransform.identity();
  private p: HoltParams = { alpha: 0.5, beta: 0, gamma: 0, phi: 0.9 };
  private state = new HoltState(1);
  private nonNeg = true;
  private last = 0;
  private fitted = false;

  constructor(private readonly opts: ModelOptions) {}

  fit(y: ArrayLike<number>): void {
    const n = y.length;
    const m = Math.round(this.opts.seasons[0] ?? 1);
    this.nonNeg = nonNegative(y);
    this.last = y[n - 1] ?? 0;
    const logTr = ScaleTransform.choose(y, true);
    if (this.fitted && this.tr.log === logTr.log) {
      // refit: keep the scale, warm-start the parameters, fewer steps
      this.tr = logTr.log ? logTr : ScaleTransform.identity();
      const r = fitHolt(this.tr.fwdAll(y), m, this.p, 50);
      this.p = r.p;
      this.state = r.state;
      return;
    }
    this.fitted = true;
    const raw = fitHolt(Float64Array.from(y), m);
    let best = { tr: ScaleTransform.identity(), fit: raw };
    if (logTr.log) {
      const lg = fitHolt(logTr.fwdAll(y), m);
      const aicRaw = n * Math.log(raw.sse / n + 1e-300);
      const aicLog = n * Math.log(lg.sse / n + 1e-300) + 2 * sumLog(y);
      if (aicLog < aicRaw) best = { tr: logTr, fit: lg };
    }
    this.tr = best.tr;
    this.p = best.fit.p;
    this.state = best.fit.state;
  }

  update(value: number): void {
    this.last = value;
    this.state.step(this.tr.fwd(value), this.p);
  }

  forecast(h: number): Float64Array {
    const out = this.state.forecast(h, this.p);
    for (let i = 0; i < h; i++) out[i] = this.tr.inv(out[i]);
    return sanitize(out, this.nonNeg, this.last);
  }
}

registerModel('ets', (o) => new Ets(o));

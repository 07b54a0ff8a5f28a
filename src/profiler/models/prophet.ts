/**
 * Prophet-style regression: a piecewise-linear trend with up to 25 potential changepoints over the
 * first 80 % of the history (ridge-penalised slope changes, the Gaussian stand-in for Prophet's
 * Laplace prior), plus Fourier seasonality per period (order 10 up to period 24, 6 for longer
 * periods up to a week, 10 beyond), fitted by penalised least squares on the log scale for positive
 * data. No sampling: intervals come from backtests like every model's, so results are
 * byte-identical (augurs' Prophet intervals vary run to run: docs/profiler.md). Updates only advance
 * time and shift the level by the recent residual mean; parameters change at refits.
 */
import { registerModel, ScaleTransform, sanitize, nonNegative, type Forecaster, type ModelOptions } from '../forecaster.ts';
import { ridge, usableSeasons } from '../util.ts';

function order(m: number): number {
  const k = m <= 24 ? 10 : m <= 168 ? 6 : 10;
  return Math.max(1, Math.min(k, Math.floor(m / 2)));
}

export class Prophet implements Forecaster {
  readonly name = 'prophet' as const;
  private tr = ScaleTransform.identity();
  private n = 0;
  private t = 0;
  private cps: number[] = [];
  private periods: number[] = [];
  private beta: Float64Array = new Float64Array(0);
  private center = 0;
  private scale = 1;
  private resid = 0;
  private nonNeg = true;
  private last = 0;

  constructor(private readonly opts: ModelOptions) {}

  private features(t: number): number[] {
    const tau = t / Math.max(1, this.n - 1);
    const row = [1, tau];
    for (const c of this.cps) row.push(Math.max(0, tau - c));
    for (const m of this.periods) {
      const K = order(m);
      for (let k = 1; k <= K; k++) {
        const a = (2 * Math.PI * k * (t % m)) / m;
        row.push(Math.sin(a), Math.cos(a));
      }
    }
    return row;
  }

  fit(y: ArrayLike<number>): void {
    const n = y.length;
    this.n = n;
    this.t = n;
    this.nonNeg = nonNegative(y);
    this.last = y[n - 1] ?? 0;
    this.tr = ScaleTransform.choose(y, true);
    const x = this.tr.fwdAll(y);
    let mu = 0;
    for (let i = 0; i < n; i++) mu += x[i] / n;
    let sd = 0;
    for (let i = 0; i < n; i++) sd += (x[i] - mu) ** 2 / n;
    this.center = mu;
    this.scale = Math.sqrt(sd) || 1;
    this.periods = usableSeasons(this.opts.seasons, n, 1);
    const C = Math.min(25, Math.floor(n / 24));
    this.cps = [...Array(C).keys()].map((j) => (0.8 * (j + 1)) / (C + 1));
    const rows: number[][] = [];
    const ys: number[] = [];
    for (let t = 0; t < n; t++) {
      rows.push(this.features(t));
      ys.push((x[t] - this.center) / this.scale);
    }
    const p = rows[0]?.length ?? 2;
    const pen = new Array<number>(p).fill(1e-3);
    pen[0] = 0;
    pen[1] = 0;
    for (let j = 0; j < this.cps.length; j++) pen[2 + j] = 0.05 * n;
    this.beta = n ? ridge(rows, ys, pen) : new Float64Array(p);
    this.resid = 0;
  }

  private predict(t: number): number {
    const row = this.features(t);
    let f = 0;
    for (let j = 0; j < row.length; j++) f += this.beta[j] * row[j];
    return f * this.scale + this.center;
  }

  update(value: number): void {
    this.last = value;
    if (this.n === 0) return;
    const e = this.tr.fwd(value) - this.predict(this.t) - this.resid;
    this.resid += 0.1 * e;
    this.t++;
  }

  forecast(h: number): Float64Array {
    const out = new Float64Array(h);
    if (this.n === 0) return out;
    for (let i = 0; i < h; i++) out[i] = this.tr.inv(this.predict(this.t + i) + this.resid);
    return sanitize(out, this.nonNeg, this.last);
  }
}

registerModel('prophet', (o) => new Prophet(o));

/**
 * A small LSTM written in TypeScript: one layer of 8 cells and a linear read-out, trained with
 * Adam on truncated back-propagation through time (each sample unrolls the last 24 steps only).
 * It learns the next step of the seasonally adjusted series (MSTL-style decomposition, log scale
 * for positive data) from the last 24 differences scaled by their standard deviation; forecasts
 * are recursive and the seasonal indices are added back.
 *
 * Why hand-written instead of @tensorflow/tfjs: tfjs is large and slow to train such a tiny
 * network, its initialisers draw from their own generator, and its kernels are asynchronous (the
 * measurements are in docs/profiler.md). This one draws its initial weights and sample order from
 * the seeded `RandomStream` it is given (byte-identical runs). It is opt-in (not in the default
 * `auto` arena).
 */
import { registerModel, ScaleTransform, sanitize, nonNegative, type Forecaster, type ModelOptions } from '../forecaster.ts';
import { decompose, seasonalAt, type Decomposition } from './mstl.ts';

const H = 8;
const L = 24;
const EPOCHS = 12;
const SAMPLES = 256;
const BATCH = 16;
const LR = 0.01;

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** Parameter layout in one flat array. */
const oW = 0;
const oU = oW + 4 * H;
const oB = oU + 4 * H * H;
const oV = oB + 4 * H;
const oC = oV + H;
const P = oC + 1;

/** Runs the cell over `xs`; returns the output and (when `tape`) the per-step activations. */
function forward(w: Float64Array, xs: ArrayLike<number>, tape?: Float64Array[]): number {
  let h = new Float64Array(H);
  let c = new Float64Array(H);
  for (let t = 0; t < xs.length; t++) {
    const x = xs[t];
    const gates = new Float64Array(4 * H);
    for (let r = 0; r < 4 * H; r++) {
      let a = w[oB + r] + w[oW + r] * x;
      const off = oU + r * H;
      for (let k = 0; k < H; k++) a += w[off + k] * h[k];
      gates[r] = r >= 2 * H && r < 3 * H ? Math.tanh(a) : sig(a);
    }
    const c2 = new Float64Array(H);
    const h2 = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      c2[k] = gates[H + k] * c[k] + gates[k] * gates[2 * H + k];
      h2[k] = gates[3 * H + k] * Math.tanh(c2[k]);
    }
    if (tape) tape.push(gates, c, h, c2);
    h = h2;
    c = c2;
  }
  let y = w[oC];
  for (let k = 0; k < H; k++) y += w[oV + k] * h[k];
  if (tape) tape.push(h);
  return y;
}

/** Adds the gradient of ½(y − target)² to `g`; returns the loss. */
function backward(w: Float64Array, xs: ArrayLike<number>, target: number, g: Float64Array): number {
  const tape: Float64Array[] = [];
  const y = forward(w, xs, tape);
  const dy = y - target;
  const hL = tape[tape.length - 1];
  g[oC] += dy;
  let dh = new Float64Array(H);
  for (let k = 0; k < H; k++) {
    g[oV + k] += dy * hL[k];
    dh[k] = dy * w[oV + k];
  }
  let dcNext = new Float64Array(H);
  const da = new Float64Array(4 * H);
  for (let t = xs.length - 1; t >= 0; t--) {
    const gates = tape[4 * t];
    const cPrev = tape[4 * t + 1];
    const hPrev = tape[4 * t + 2];
    const cT = tape[4 * t + 3];
    const dc = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      const i = gates[k];
      const f = gates[H + k];
      const gg = gates[2 * H + k];
      const o = gates[3 * H + k];
      const tc = Math.tanh(cT[k]);
      const dct = dh[k] * o * (1 - tc * tc) + dcNext[k];
      da[k] = dct * gg * i * (1 - i);
      da[H + k] = dct * cPrev[k] * f * (1 - f);
      da[2 * H + k] = dct * i * (1 - gg * gg);
      da[3 * H + k] = dh[k] * tc * o * (1 - o);
      dc[k] = dct * f;
    }
    const dhPrev = new Float64Array(H);
    const x = xs[t];
    for (let r = 0; r < 4 * H; r++) {
      const a = da[r];
      if (a === 0) continue;
      g[oW + r] += a * x;
      g[oB + r] += a;
      const off = oU + r * H;
      for (let k = 0; k < H; k++) {
        g[off + k] += a * hPrev[k];
        dhPrev[k] += a * w[off + k];
      }
    }
    dh = dhPrev;
    dcNext = dc;
  }
  return 0.5 * dy * dy;
}

export class Lstm implements Forecaster {
  readonly name = 'lstm' as const;
  private tr = ScaleTransform.identity();
  private dec: Decomposition = { periods: [], indices: [] };
  private w = new Float64Array(P);
  private d: number[] = [];
  private sd = 1;
  private nonNeg = true;
  private last = 0;

  constructor(private readonly opts: ModelOptions) {}

  fit(y: ArrayLike<number>): void {
    const n = y.length;
    this.nonNeg = nonNegative(y);
    this.last = y[n - 1] ?? 0;
    this.tr = ScaleTransform.choose(y, true);
    const x = this.tr.fwdAll(y);
    this.dec = decompose(x, this.opts.seasons);
    this.d = Array.from(x, (v, t) => v - seasonalAt(this.dec, t));
    const diffs = this.d.slice(1).map((v, i) => v - this.d[i]);
    const m = diffs.reduce((a, b) => a + b, 0) / Math.max(1, diffs.length);
    this.sd = Math.sqrt(diffs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, diffs.length)) || 1;
    const z = diffs.map((v) => v / this.sd);
    // init: uniform ±1/√H from the seeded stream; forget-gate bias 1
    const rng = this.opts.rng.fork('lstm-init');
    const w = new Float64Array(P);
    const r = 1 / Math.sqrt(H);
    for (let i = 0; i < P; i++) w[i] = (2 * rng.next() - 1) * r;
    for (let k = 0; k < H; k++) w[oB + H + k] = 1;
    w[oC] = 0;
    // samples: windows of L differences → the next difference
    const ends: number[] = [];
    for (let t = L; t < z.length; t++) ends.push(t);
    const use = ends.slice(Math.max(0, ends.length - SAMPLES));
    if (use.length >= BATCH) {
      const mom = new Float64Array(P);
      const vel = new Float64Array(P);
      const g = new Float64Array(P);
      const order = use.slice();
      const shuffle = this.opts.rng.fork('lstm-order');
      let step = 0;
      for (let ep = 0; ep < EPOCHS; ep++) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = shuffle.int(i + 1);
          const tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
        }
        for (let b = 0; b + BATCH <= order.length; b += BATCH) {
          g.fill(0);
          for (let s = b; s < b + BATCH; s++) {
            const t = order[s];
            backward(w, z.slice(t - L, t), z[t], g);
          }
          let norm = 0;
          for (let i = 0; i < P; i++) norm += (g[i] / BATCH) ** 2;
          const clip = Math.min(1, 1 / Math.sqrt(norm + 1e-12));
          step++;
          for (let i = 0; i < P; i++) {
            const gi = (g[i] / BATCH) * clip;
            mom[i] = 0.9 * mom[i] + 0.1 * gi;
            vel[i] = 0.999 * vel[i] + 0.001 * gi * gi;
            const mh = mom[i] / (1 - 0.9 ** step);
            const vh = vel[i] / (1 - 0.999 ** step);
            w[i] -= (LR * mh) / (Math.sqrt(vh) + 1e-8);
          }
        }
      }
    }
    this.w = w;
  }

  update(value: number): void {
    this.last = value;
    const t = this.d.length;
    this.d.push(this.tr.fwd(value) - seasonalAt(this.dec, t));
  }

  forecast(h: number): Float64Array {
    const out = new Float64Array(h);
    const n = this.d.length;
    if (n === 0) return out;
    const diffs: number[] = [];
    for (let t = Math.max(1, n - L); t < n; t++) diffs.push((this.d[t] - this.d[t - 1]) / this.sd);
    while (diffs.length < L) diffs.unshift(0);
    let level = this.d[n - 1];
    for (let i = 0; i < h; i++) {
      const z = Math.max(-5, Math.min(5, forward(this.w, diffs.slice(diffs.length - L))));
      diffs.push(z);
      level += z * this.sd;
      out[i] = this.tr.inv(level + seasonalAt(this.dec, n + i));
    }
    return sanitize(out, this.nonNeg, this.last);
  }
}

registerModel('lstm', (o) => new Lstm(o));

/**
 * Small numeric helpers for the profiler's models: order statistics, a bounded Nelder–Mead
 * minimiser, ridge least squares via Cholesky, and the log/identity transform choice. All
 * deterministic (no randomness, no wall clock).
 */

/** Mean of `a[from..to)`. */
export function mean(a: ArrayLike<number>, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return to > from ? s / (to - from) : 0;
}

/** Linear-interpolated quantile `q ∈ [0,1]` of the values (copies and sorts). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  return sortedQuantile(Float64Array.from(values).sort(), q);
}

/** Linear-interpolated quantile of already sorted values. */
export function sortedQuantile(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Values pushed under integer keys (a forecast lead), the last `capacity` per key, and for every
 * key k the values of keys k − radius … k + radius together in ascending order, kept up to date
 * as values arrive and leave: a quantile over nearby keys is then one lookup (`near(k)` with
 * `sortedQuantile`), where a forecast reads every key's band and new values come a few at a time.
 */
export class NearbySorted {
  /** Per key, its last values in arrival order. */
  private readonly fifo: number[][] = [];
  /** Per key k, the values of keys k − radius … k + radius, ascending. */
  private readonly unions: number[][] = [];

  constructor(
    readonly capacity: number,
    readonly radius: number,
  ) {}

  /** A copy holding the same values under the same keys (later pushes to either leave the other alone). */
  clone(): NearbySorted {
    const c = new NearbySorted(this.capacity, this.radius);
    this.fifo.forEach((f, k) => (c.fifo[k] = f.slice()));
    this.unions.forEach((u, k) => (c.unions[k] = u.slice()));
    return c;
  }

  /** Values kept under `key`. */
  count(key: number): number {
    return this.fifo[key]?.length ?? 0;
  }

  push(key: number, x: number): void {
    const f = (this.fifo[key] ??= []);
    f.push(x);
    const old = f.length > this.capacity ? f.shift() : undefined;
    for (let k = Math.max(0, key - this.radius); k <= key + this.radius; k++) {
      const u = (this.unions[k] ??= []);
      if (old === undefined) insertSorted(u, x);
      else replaceSorted(u, old, x);
    }
  }

  /** How many values keys `key − radius … key + radius` hold together. */
  nearCount(key: number): number {
    return this.unions[key]?.length ?? 0;
  }

  /** `sortedQuantile` of `near(key)` (NaN with no values). */
  nearQuantile(key: number, q: number): number {
    return sortedQuantile(this.near(key), q);
  }

  /** The values of keys `key − radius … key + radius`, ascending (read only). */
  near(key: number): readonly number[] {
    return this.unions[key] ?? EMPTY;
  }
}

const EMPTY: readonly number[] = [];

/**
 * Inserts `x` into ascending `u` after the values equal to it. The shifts are written out:
 * `Array.prototype.splice` costs ~0.3 µs a call on these short arrays, and a backtest pushes a
 * relative error into 2 × radius + 1 of them at every scored lead.
 */
function insertSorted(u: number[], x: number): void {
  const i = upperBound(u, x);
  u.push(x);
  for (let t = u.length - 1; t > i; t--) u[t] = u[t - 1];
  u[i] = x;
}

/**
 * Ascending `u` with one `old` (a value it holds) replaced by `x`, in one pass over the values
 * between the two positions: the same values, in the same order, as inserting `x` and then
 * removing an `old`. A value not found (NaN) takes those two steps as they are.
 */
function replaceSorted(u: number[], old: number, x: number): void {
  const j = upperBound(u, old) - 1; // the last value equal to `old`
  if (!(j >= 0 && u[j] === old)) {
    insertSorted(u, x);
    u.splice(upperBound(u, old) - 1, 1);
    return;
  }
  const i = upperBound(u, x);
  if (i <= j) {
    for (let t = j; t > i; t--) u[t] = u[t - 1];
    u[i] = x;
  } else {
    for (let t = j; t < i - 1; t++) u[t] = u[t + 1];
    u[i - 1] = x;
  }
}

/** Index of the first element of ascending `a` that is greater than `x`. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Median (copies). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** True when every value is finite and strictly positive (the log transform is allowed). */
export function allPositive(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) return false;
  return y.length > 0;
}

/** `log(y)` elementwise. */
export function logOf(y: ArrayLike<number>): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = Math.log(y[i]);
  return out;
}

/** Sum of `log(y)` (the Jacobian term that makes likelihoods on log and raw scales comparable). */
export function sumLog(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.log(y[i]);
  return s;
}

/**
 * Nelder–Mead minimisation of `f` from `x0` with initial step `step`, at most `maxEval`
 * evaluations. Deterministic; callers map bounded parameters through a logistic first. Points
 * are Float64Arrays, so `f` always reads one kind of array (plain arrays built by `map`, `slice`
 * and literals carry different element kinds, and each new one deoptimised the search and `f`).
 */
export function nelderMead(f: (x: Float64Array) => number, x0: readonly number[], step = 0.5, maxEval = 200, tol = 1e-7): { x: Float64Array; fx: number } {
  const n = x0.length;
  const pts: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(x0);
    p[i] += step;
    pts.push(p);
  }
  const vals = pts.map(f);
  let evals = n + 1;
  const c = new Float64Array(n);
  while (evals < maxEval) {
    sortSimplex(pts, vals);
    if (Math.abs(vals[n] - vals[0]) <= tol * (Math.abs(vals[0]) + 1e-12)) break;
    c.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += pts[i][j] / n;
    const worst = pts[n];
    const xr = along(-1, c, worst); // c + (c − worst): negation is exact, the same sums
    const fr = f(xr);
    evals++;
    if (fr < vals[0]) {
      const xe = along(-2, c, worst);
      const fe = f(xe);
      evals++;
      if (fe < fr) {
        pts[n] = xe;
        vals[n] = fe;
      } else {
        pts[n] = xr;
        vals[n] = fr;
      }
    } else if (fr < vals[n - 1]) {
      pts[n] = xr;
      vals[n] = fr;
    } else {
      const inside = fr >= vals[n];
      const xc = along(0.5, c, inside ? worst : xr);
      const fc = f(xc);
      evals++;
      if (fc < Math.min(fr, vals[n])) {
        pts[n] = xc;
        vals[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          pts[i] = along(0.5, pts[0], pts[i]);
          vals[i] = f(pts[i]);
          evals++;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (vals[i] < vals[best]) best = i;
  return { x: pts[best], fx: vals[best] };
}

/** `from + t·(to − from)`, each coordinate as `from[j] + t * (to[j] − from[j])`. */
function along(t: number, from: Float64Array, to: Float64Array): Float64Array {
  const out = new Float64Array(from.length);
  for (let j = 0; j < from.length; j++) out[j] = from[j] + t * (to[j] - from[j]);
  return out;
}

/** Orders the simplex's points by value (ties by their current place), in place. */
function sortSimplex(pts: Float64Array[], vals: number[]): void {
  const order = vals.map((_, i) => i).sort((a, b) => vals[a] - vals[b] || a - b);
  const sp = order.map((i) => pts[i]);
  const sv = order.map((i) => vals[i]);
  for (let i = 0; i < sp.length; i++) {
    pts[i] = sp[i];
    vals[i] = sv[i];
  }
}

/** Logistic map to `(lo, hi)`. */
export function squash(x: number, lo: number, hi: number): number {
  return lo + (hi - lo) / (1 + Math.exp(-x));
}

/** Inverse of `squash`. */
export function unsquash(v: number, lo: number, hi: number): number {
  const p = Math.min(1 - 1e-9, Math.max(1e-9, (v - lo) / (hi - lo)));
  return Math.log(p / (1 - p));
}

/**
 * Adds one observation (`x`, `y`) to the normal equations of a least-squares fit over `p`
 * columns: `b += x·y`, and the lower triangle of `A` (row-major, p × p) `+= x·xᵀ`; zero entries
 * of `x` skipped.
 */
export function addToGram(A: Float64Array, b: Float64Array, x: ArrayLike<number>, y: number, p: number): void {
  for (let i = 0; i < p; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    b[i] += xi * y;
    for (let j = 0; j <= i; j++) A[i * p + j] += xi * x[j];
  }
}

/**
 * Ridge least squares: minimises `|X b − y|² + Σ penalty_j b_j²`, `X` given row-major as `rows`
 * of length `p`. Solves the normal equations by Cholesky (a tiny jitter keeps it positive definite).
 */
export function ridge(rows: ArrayLike<number>[], y: ArrayLike<number>, penalty: ArrayLike<number>): Float64Array {
  const p = penalty.length;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let r = 0; r < rows.length; r++) addToGram(A, b, rows[r], y[r], p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) A[j * p + i] = A[i * p + j];
    A[i * p + i] += penalty[i] + 1e-9 * (1 + A[i * p + i]);
  }
  return choleskySolve(A, b, p);
}

/** Solves `A x = b` for symmetric positive-definite `A` (p×p, row-major). */
export function choleskySolve(A: Float64Array, b: Float64Array, p: number): Float64Array {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      if (i === j) L[i * p + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * p + j] = s / L[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * z[k];
    z[i] = s / L[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * x[k];
    x[i] = s / L[i * p + i];
  }
  return x;
}

/** Seasons usable on a series of length `n`: periods ≥ 2 with at least `cycles` full cycles, ascending, distinct. */
export function usableSeasons(seasons: readonly number[], n: number, cycles = 2): number[] {
  const out = [...new Set(seasons.map((s) => Math.round(s)))].filter((m) => m >= 2 && n >= cycles * m).sort((a, b) => a - b);
  return out;
}

/** Lag-k autocorrelation of `y`. */
export function acf(y: ArrayLike<number>, k: number): number {
  const n = y.length;
  const m = mean(y);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - m;
    den += d * d;
    if (i >= k) num += d * (y[i - k] - m);
  }
  return den > 0 ? num / den : 0;
}

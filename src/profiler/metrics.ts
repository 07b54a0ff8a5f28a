/**
 * Forecast accuracy with the official M4 definitions (Makridakis, Spiliotis & Assimakopoulos 2020;
 * `Benchmarks and Evaluation.R` of Mcompetitions/M4-methods): sMAPE, MASE with the in-sample
 * seasonal-naive scale, the Naive2 benchmark (classical multiplicative decomposition when the
 * series passes the 90 % seasonality test) and OWA from set-level means.
 */
import { acf, mean } from './util.ts';

/** sMAPE in percent (0–200): mean of 200·|Y−F|/(|Y|+|F|); a term with Y = F = 0 counts 0. */
export function smape(actual: ArrayLike<number>, fc: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(fc[i]);
    s += d > 0 ? (200 * Math.abs(actual[i] - fc[i])) / d : 0;
  }
  return s / actual.length;
}

/** The MASE scale: mean |y_i − y_{i−m}| over the training data (m = 1 when n ≤ m). */
export function maseScale(train: ArrayLike<number>, m: number): number {
  const n = train.length;
  const lag = n > m ? m : 1;
  let s = 0;
  for (let i = lag; i < n; i++) s += Math.abs(train[i] - train[i - lag]);
  return n > lag ? s / (n - lag) : 0;
}

/** MASE = mean |Y − F| / scale (scale from `maseScale`; a zero scale gives NaN). */
export function mase(actual: ArrayLike<number>, fc: ArrayLike<number>, scale: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - fc[i]);
  return s / actual.length / scale;
}

/** M4's seasonality test: |ACF_m| > 1.645·√((1 + 2Σ_{k<m} ACF_k²)/n), needs n ≥ 3m. */
export function isSeasonal(y: ArrayLike<number>, m: number): boolean {
  const n = y.length;
  if (m < 2 || n < 3 * m) return false;
  let s = 0;
  for (let k = 1; k < m; k++) s += acf(y, k) ** 2;
  const limit = 1.645 * Math.sqrt((1 + 2 * s) / n);
  return Math.abs(acf(y, m)) > limit;
}

/** Seasonal indices of classical multiplicative decomposition (centred 2×m MA), normalised to mean 1. */
export function multiplicativeIndices(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  const half = Math.floor(m / 2);
  for (let t = half; t < n - half; t++) {
    let ma: number;
    if (m % 2 === 0) {
      let s = 0.5 * (y[t - half] + y[t + half]);
      for (let j = t - half + 1; j < t + half; j++) s += y[j];
      ma = s / m;
    } else {
      let s = 0;
      for (let j = t - half; j <= t + half; j++) s += y[j];
      ma = s / m;
    }
    if (ma !== 0) {
      sum[t % m] += y[t] / ma;
      cnt[t % m]++;
    }
  }
  const idx = new Float64Array(m);
  for (let k = 0; k < m; k++) idx[k] = cnt[k] ? sum[k] / cnt[k] : 1;
  const avg = mean(idx);
  for (let k = 0; k < m; k++) idx[k] /= avg || 1;
  return idx;
}

/** Naive2: the last seasonally adjusted value, re-seasonalised with the last cycle's indices. */
export function naive2(y: ArrayLike<number>, h: number, m: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(h);
  if (isSeasonal(y, m)) {
    const idx = multiplicativeIndices(y, m);
    const lastAdj = y[n - 1] / idx[(n - 1) % m];
    for (let i = 0; i < h; i++) out[i] = lastAdj * idx[(n + i) % m];
  } else out.fill(y[n - 1]);
  return out;
}

/** Seasonal naive (repeat the last m values). */
export function snaive(y: ArrayLike<number>, h: number, m: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(h);
  for (let i = 0; i < h; i++) out[i] = n >= m ? y[n - m + (i % m)] : y[n - 1];
  return out;
}

/** OWA from set-level means: ½(sMAPE/sMAPE_Naive2 + MASE/MASE_Naive2). */
export function owa(smapeMethod: number, maseMethod: number, smapeNaive2: number, maseNaive2: number): number {
  return 0.5 * (smapeMethod / smapeNaive2 + maseMethod / maseNaive2);
}

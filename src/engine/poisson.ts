/**
 * Exact Poisson draws for per-bucket arrivals, fast: no `Math.exp` per draw for small means (a
 * table of e^(−n/64) times a degree-6 Taylor polynomial of the remainder, accurate to below one
 * ulp), reciprocals from a table in the inversion walk, and for means ≥ 16 Hörmann's PTRS
 * transformed rejection (exact; its fast acceptance path, taken ~86% of the time, needs no log).
 */
import type { RandomStream } from './random.ts';

/** Means below this use inversion; at or above, PTRS. */
export const INVERSION_LIMIT = 16;
const STEPS_PER_UNIT = 64;
const EXP_TABLE = new Float64Array(INVERSION_LIMIT * STEPS_PER_UNIT + 1);
for (let n = 0; n < EXP_TABLE.length; n++) EXP_TABLE[n] = Math.exp(-n / STEPS_PER_UNIT);
const INV = new Float64Array(1024);
for (let k = 1; k < INV.length; k++) INV[k] = 1 / k;
const LOG_FACT = new Float64Array(1024);
for (let k = 2; k < LOG_FACT.length; k++) LOG_FACT[k] = LOG_FACT[k - 1] + Math.log(k);

/** e^(−x) for 0 ≤ x < INVERSION_LIMIT without calling Math.exp (relative error < 1e-16). */
export function expNeg(x: number): number {
  const n = (x * STEPS_PER_UNIT) | 0;
  const r = x - n / STEPS_PER_UNIT; // in [0, 1/64)
  const p = 1 - r * (1 - r * (0.5 - r * (1 / 6 - r * (1 / 24 - r * (1 / 120 - r / 720)))));
  return EXP_TABLE[n] * p;
}

/** ln(k!) from a table below 1024, else Stirling's series (error < 1e-15 there). */
export function logFactorial(k: number): number {
  if (k < LOG_FACT.length) return LOG_FACT[k];
  const x = k + 1;
  const ix2 = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + 0.9189385332046728 + (1 / x) * (1 / 12 - ix2 * (1 / 360 - ix2 / 1260));
}

/** One Poisson(λ) sample from `rng` (λ ≤ 0 gives 0). Exact in distribution for every λ. */
export function poissonFast(rng: RandomStream, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < INVERSION_LIMIT) {
    // Inversion by sequential search from 0 (expected λ + 1 steps).
    let p = expNeg(lambda);
    let s = p;
    const u = rng.next();
    let k = 0;
    while (u > s) {
      k++;
      p *= lambda * (k < 1024 ? INV[k] : 1 / k);
      s += p;
      if (p === 0 && k > lambda) break; // the tail underflowed: u was within rounding of 1
    }
    return k;
  }
  // PTRS (W. Hörmann, "The transformed rejection method for generating Poisson random
  // variables", Insurance: Mathematics and Economics 12, 1993).
  const slam = Math.sqrt(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const vr = 0.9277 - 3.6224 / (b - 2);
  let loglam = NaN;
  let logInvAlpha = NaN;
  for (;;) {
    const U = rng.next() - 0.5;
    const V = rng.next();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Number.isNaN(loglam)) {
      loglam = Math.log(lambda);
      logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
    }
    if (Math.log(V) + logInvAlpha - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
  }
}

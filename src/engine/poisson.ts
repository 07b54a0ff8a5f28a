/**
 * Poisson draws for per-bucket arrivals. Small means use inversion by sequential search (exact);
 * means above 30 use the normal approximation with continuity correction, rounded and clamped
 * at 0 (its mean matches λ to well under 0.1% there, documented in the README).
 */
import type { RandomStream } from './random.ts';

/** One Poisson(λ) sample. */
export function poisson(rng: RandomStream, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    // Inversion: walk the CDF from 0 (expected ~λ steps).
    let p = Math.exp(-lambda);
    let s = p;
    const u = rng.next();
    let k = 0;
    while (u > s && k < 1000) {
      k++;
      p *= lambda / k;
      s += p;
    }
    return k;
  }
  const x = Math.round(lambda + Math.sqrt(lambda) * rng.normal());
  return x < 0 ? 0 : x;
}

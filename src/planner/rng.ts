/**
 * A tiny seeded random source (splitmix32) for callers that have no stream of their own, such as
 * benchmarks and library users. Inside keycast, policies pass a named engine stream instead.
 */
import type { Rng } from './types.ts';

/** A deterministic `Rng` from a 32-bit seed. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return {
    next(): number {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      z = (z ^ (z >>> 16)) >>> 0;
      return z / 4294967296;
    },
  };
}

/** Uniform integer in `[0, n)`. */
export function randInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.next() * n));
}

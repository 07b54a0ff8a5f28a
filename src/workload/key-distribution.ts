/**
 * Where records fall in the key space: the static part (zipf, uniform) as a per-bucket
 * probability table computed once, and the moving parts (band, tail) and bursts added per tick
 * over the few buckets they cover. Positions are key-space fractions in [0, 1).
 */
import { permutation, type RandomStream } from '../engine/random.ts';
import type { ComponentSpec } from './spec.ts';

const DAY_MS = 86_400_000;
/** Ranks above this are spread analytically (see zipfTable). */
export const ZIPF_EXACT_RANKS = 1 << 21;

/**
 * Adds `mass` spread uniformly over key-space fractions `[lo, hi)` to `out` (length B), with
 * fractional coverage at the edges; the interval wraps around 1 (for moving bands).
 */
export function addUniform(out: Float64Array, lo: number, hi: number, mass: number): void {
  const width = hi - lo;
  if (width <= 0 || mass === 0) return;
  const B = out.length;
  if (width >= 1) {
    const m = mass / B;
    for (let i = 0; i < B; i++) out[i] += m;
    return;
  }
  const a = lo - Math.floor(lo);
  const b = a + width;
  const density = mass / (width * B); // mass per bucket-width
  const span = (x: number, y: number) => {
    // [x, y) within [0, 1]
    const fx = x * B;
    const fy = y * B;
    let i = Math.floor(fx);
    const last = Math.min(B - 1, Math.ceil(fy) - 1);
    for (; i <= last; i++) {
      const cover = Math.min(fy, i + 1) - Math.max(fx, i);
      if (cover > 0) out[i] += density * cover;
    }
  };
  if (b <= 1) span(a, b);
  else {
    span(a, 1);
    span(0, b - 1);
  }
}

/** An antiderivative of x^−s (ln x for s = 1): the weight of a rank interval beyond the exact ranks. */
function zipfIntegral(x: number, s: number): number {
  return s === 1 ? Math.log(x) : Math.pow(x, 1 - s) / (1 - s);
}

/**
 * Adds to each bucket of `out` the weight of its ranks beyond `exact` (unshuffled: rank r in
 * bucket ⌊(r−1)·buckets/keys⌋), ∫ x^−s dx over its rank interval; returns `total` plus each
 * weight, added in bucket order.
 */
function addZipfTail(out: Float64Array, exact: number, keys: number, s: number, total: number): number {
  const buckets = out.length;
  for (let bkt = Math.floor((exact * buckets) / keys); bkt < buckets; bkt++) {
    const lo = Math.max(exact + 0.5, (bkt * keys) / buckets + 0.5);
    const hi = ((bkt + 1) * keys) / buckets + 0.5;
    if (hi > lo) {
      const w = zipfIntegral(hi, s) - zipfIntegral(lo, s);
      out[bkt] += w;
      total += w;
    }
  }
  return total;
}

/**
 * Per-bucket probabilities of a zipf component over `keys` keys: the key of rank r weighs r^−s.
 * `shuffle: false` packs rank 1 at position 0, rank 2 next, …; `shuffle: true` scatters ranks
 * over the key space (a seeded permutation). Ranks beyond ZIPF_EXACT_RANKS are added in bulk:
 * packed, by integrating x^−s over each bucket's ranks; shuffled, spread evenly (their expected
 * placement under a random permutation).
 */
export function zipfTable(
  keys: number,
  s: number,
  shuffle: boolean,
  buckets: number,
  rng: RandomStream,
  perKey?: { readonly weights: Float64Array; readonly share: number },
): Float64Array {
  const out = new Float64Array(buckets);
  // Per-key weights (position → weight) are only kept for exact universes (keys ≤ ZIPF_EXACT_RANKS);
  // they feed the choice of a key inside a bucket (`keycast generate --format records`) and never
  // change the random draws.
  const pk = perKey && keys <= ZIPF_EXACT_RANKS ? perKey.weights : null;
  const pkRanks: Int32Array | null = pk ? new Int32Array(keys) : null;
  const exact = Math.min(keys, ZIPF_EXACT_RANKS);
  let total = 0;
  if (!shuffle) {
    for (let r = 1; r <= exact; r++) {
      const w = Math.pow(r, -s);
      out[Math.floor(((r - 1) * buckets) / keys)] += w;
      total += w;
      if (pkRanks) pkRanks[r - 1] = r - 1;
    }
    if (keys > exact) total = addZipfTail(out, exact, keys, s, total);
  } else {
    if (keys <= ZIPF_EXACT_RANKS) {
      const perm = permutation(keys, rng);
      for (let r = 1; r <= keys; r++) {
        const w = Math.pow(r, -s);
        out[Math.floor((perm[r - 1] * buckets) / keys)] += w;
        total += w;
      }
      if (pkRanks) pkRanks.set(perm);
    } else {
      for (let r = 1; r <= exact; r++) {
        const w = Math.pow(r, -s);
        out[Math.floor((rng.int(keys) * buckets) / keys)] += w;
        total += w;
      }
      const rest = zipfIntegral(keys + 0.5, s) - zipfIntegral(exact + 0.5, s);
      for (let i = 0; i < buckets; i++) out[i] += rest / buckets;
      total += rest;
    }
  }
  for (let i = 0; i < buckets; i++) out[i] /= total;
  if (pk && pkRanks) {
    const f = perKey!.share / total;
    for (let r = 1; r <= keys; r++) pk[pkRanks[r - 1]] += f * Math.pow(r, -s);
  }
  return out;
}

/** Centre of a band at `tMs` (fraction, wrapped into [0, 1)). */
export function bandCenter(band: NonNullable<ComponentSpec['band']>, tMs: number): number {
  const c = band.center + (band.speed * tMs) / DAY_MS;
  return c - Math.floor(c);
}

/** Top of an onboarding tail at `tMs`: `min(1, start + perDay·t/1d)`, at least one bucket above start. */
export function tailTop(tail: NonNullable<ComponentSpec['tail']>, tMs: number, buckets: number): number {
  const top = Math.min(1, tail.start + (tail.perDay * tMs) / DAY_MS);
  return Math.max(top, Math.min(1, tail.start + 1 / buckets));
}

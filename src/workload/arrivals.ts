/**
 * Per-bucket arrival counts for a tick from expected counts λ_b: the hot loop of every
 * synthetic run (buckets × ticks draws).
 *
 * `exact`: Poisson(λ_b) for every bucket (`poissonFast`: inversion below 16, PTRS above), about
 * 40–80 ns a draw at λ ≈ 10.
 *
 * `fast` (the default): table-driven, no random draw and no transcendental call per bucket.
 * Below λ = 4: inversion against tabulated Poisson CDFs on a grid λ = j/64, picking row j or
 * j + 1 with the probabilities that make the mean exactly λ (a mixture of Poisson(j/64) and
 * Poisson((j+1)/64): variance larger by ≤ 1/16384), started from a guide table (Chen & Asau), so
 * ~1 compare a draw. From 4 up, a Cornish–Fisher normal: `round(λ + √λ·z + (z² − 1)/6)`, the
 * first-order skewness-corrected normal approximation of Poisson(λ) (its third cumulant is λ,
 * so the correction term does not depend on λ). `z` walks a table of 65,536 standard-normal
 * quantiles Φ⁻¹((k + ½)/65,536), shuffled once per workload from its seeded stream (the same
 * entries give the uniforms (k + ½)/65,536 of the small-λ path); each tick starts at a random
 * offset with a random odd stride, so a tick never reuses an entry (one `sqrt` per bucket). Total-variation distance to
 * Poisson(λ): ≤ 0.009 at λ = 4, 0.0024 at λ = 10, 0.0005 at λ = 50; the mean is exact to
 * < 0.05% and the variance is λ + ≈0.14 (rounding and the correction term); tested in
 * test/workload/arrivals.test.ts. Partition loads sum many buckets, so what the cluster sees is
 * Poisson to well within its own noise. Φ⁻¹ comes from vega-statistics (Giles' erfinv,
 * double precision).
 */
import { quantileNormal } from 'vega-statistics';
import { poissonFast } from '../engine/poisson.ts';
import type { RandomStream } from '../engine/random.ts';

export const ARRIVAL_MODES = ['fast', 'exact'] as const;
export type ArrivalMode = (typeof ARRIVAL_MODES)[number];

/** Expected counts at or above this use the table-driven normal in `fast` mode. */
export const NORMAL_FROM = 4;
const TABLE_BITS = 16;
const TABLE_SIZE = 1 << TABLE_BITS;
const MASK = TABLE_SIZE - 1;

/** Grid of the small-λ CDF tables: λ_j = j / GRID for j = 0…NORMAL_FROM·GRID. */
const GRID = 64;
/** CDF entries per grid point; the last is 1 (P(X ≥ 31 | λ ≤ 4) < 1e-16). */
const KMAX = 32;
/** Guide cells per row: the inversion starts at the first k whose CDF exceeds the cell's lower edge. */
const CELLS = 64;

interface SmallTables {
  /** Row j: P(X ≤ k) for X ~ Poisson(j / GRID), k = 0…KMAX−1. */
  readonly cdf: Float64Array;
  /** Row j, cell c: the smallest k with P(X ≤ k) > c / CELLS. */
  readonly guide: Uint8Array;
}
let smallTables: SmallTables | null = null;
/** Built once per process (Math.exp at start-up only). */
function small(): SmallTables {
  if (!smallTables) {
    const rows = NORMAL_FROM * GRID + 1;
    const cdf = new Float64Array(rows * KMAX);
    const guide = new Uint8Array(rows * CELLS);
    for (let j = 0; j < rows; j++) {
      const lam = j / GRID;
      let p = Math.exp(-lam);
      let c = 0;
      for (let k = 0; k < KMAX; k++) {
        if (k > 0) p *= lam / k;
        c += p;
        cdf[j * KMAX + k] = k === KMAX - 1 ? 1 : Math.min(1, c);
      }
      let k = 0;
      for (let cell = 0; cell < CELLS; cell++) {
        while (cdf[j * KMAX + k] <= cell / CELLS) k++;
        guide[j * CELLS + cell] = k;
      }
    }
    smallTables = { cdf, guide };
  }
  return smallTables;
}

let sortedQuantiles: Float64Array | null = null;
/** Φ⁻¹((k + ½)/N) for k = 0…N−1, built once per process. */
function quantiles(): Float64Array {
  if (!sortedQuantiles) {
    sortedQuantiles = new Float64Array(TABLE_SIZE);
    for (let k = 0; k < TABLE_SIZE; k++) sortedQuantiles[k] = quantileNormal((k + 0.5) / TABLE_SIZE, 0, 1);
  }
  return sortedQuantiles;
}

/** Draws a tick's per-bucket counts; one per workload (it owns its random stream). */
export class ArrivalSampler {
  /**
   * A seeded permutation π of 0…N−1 as pairs (z, u): z = Φ⁻¹((π(i) + ½)/N), u = (π(i) + ½)/N, so
   * one walk gives a normal deviate for large λ and the matching uniform for small λ (float32:
   * 512 KB, mostly cache-resident).
   */
  private readonly zu: Float32Array;
  private readonly tables: SmallTables | null;

  constructor(
    private readonly rng: RandomStream,
    readonly mode: ArrivalMode = 'fast',
  ) {
    // `exact` draws from poissonFast alone: no tables to build.
    this.zu = new Float32Array(mode === 'fast' ? 2 * TABLE_SIZE : 0);
    this.tables = mode === 'fast' ? small() : null;
    if (mode !== 'fast') return;
    const perm = new Uint32Array(TABLE_SIZE);
    for (let i = 0; i < TABLE_SIZE; i++) perm[i] = i;
    for (let i = TABLE_SIZE - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    const q = quantiles();
    for (let i = 0; i < TABLE_SIZE; i++) {
      this.zu[2 * i] = q[perm[i]];
      this.zu[2 * i + 1] = (perm[i] + 0.5) / TABLE_SIZE;
    }
  }

  /** Writes counts for `lambda[0..n)` into `out[0..n)`; returns their sum. */
  fill(lambda: Float64Array, out: Float64Array, n: number): number {
    const rng = this.rng;
    let total = 0;
    if (this.mode === 'exact') {
      for (let i = 0; i < n; i++) {
        const x = poissonFast(rng, lambda[i]);
        out[i] = x;
        total += x;
      }
      return total;
    }
    const zu = this.zu;
    const F = this.tables!.cdf;
    const guide = this.tables!.guide;
    let j = rng.int(TABLE_SIZE);
    const stride = 2 * rng.int(TABLE_SIZE >> 1) + 1;
    const HALF = TABLE_SIZE >> 1;
    for (let i = 0; i < n; i++) {
      const lam = lambda[i];
      let x: number;
      if (lam >= NORMAL_FROM) {
        const z = zu[2 * j];
        x = Math.floor(lam + Math.sqrt(lam) * z + z * z * (1 / 6) + (0.5 - 1 / 6));
        if (x < 0) x = 0;
      } else {
        // Row g0 or g0 + 1, with the probabilities that make the mixture's mean λ, picked by the
        // entry half a table away (an independent position of the permutation).
        const u = zu[2 * j + 1];
        const g = lam * GRID;
        const g0 = g | 0;
        const row = zu[2 * ((j + HALF) & MASK) + 1] < g - g0 ? g0 + 1 : g0;
        x = guide[row * CELLS + ((u * CELLS) | 0)];
        const o = row * KMAX;
        while (u >= F[o + x]) x++;
      }
      j = (j + stride) & MASK;
      out[i] = x;
      total += x;
    }
    return total;
  }
}

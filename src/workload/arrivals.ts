/**
 * Per-bucket arrival counts for a tick from expected counts λ_b: the hot loop of every
 * synthetic run (buckets × ticks draws).
 *
 * `exact`: Poisson(λ_b) for every bucket (`poissonFast`: inversion below 16, PTRS above).
 *
 * `fast` (the default): table-driven, no random-number call and no transcendental call per
 * bucket, several times faster than `exact` (figures in docs/bench-log.md). Each draw reads one 32-bit
 * word of a per-workload table: the high 16 bits are a seeded permutation π of 0…65,535 (so over
 * the table every value appears once), the low 16 bits a second, independent permutation. A
 * tick reads the table in order from a random offset, each index XORed with a random 4-bit mask
 * (so neighbouring buckets' pairs of entries change from tick to tick), so a tick never reuses an
 * entry (up to 65,536 buckets) and reads whole cache lines, so neighbouring buckets stay
 * uncorrelated (tested) without a cache miss per draw, which a random stride through the table
 * would cost.
 * - Below λ = 4: Poisson inversion at u = (π + ½)/65,536 against tabulated Poisson CDFs on a
 *   grid λ = j/64. Row j or j + 1 is picked, by the low 16 bits, with the probabilities that
 *   make the mean exactly λ (a mixture of Poisson(j/64) and Poisson((j+1)/64): variance larger
 *   by ≤ 1/16384). A 2-D table gives the answer in one load: row × 1,024 cells of u, each cell
 *   holding its count when no CDF step falls inside it (99.2% of cells), else a marker that sends
 *   the draw to the exact search in the row (≈ 1% of draws). Integer arithmetic throughout.
 * - From 4 up, a Cornish–Fisher normal: `⌊λ + √λ·z + (z² − 1)/6 + ½⌋`, the first-order
 *   skewness-corrected normal approximation of Poisson(λ) (its third cumulant is λ, so the
 *   correction term does not depend on λ), with z = Φ⁻¹((π + ½)/65,536) read from a table built
 *   alongside the words (one `sqrt` per bucket).
 *
 * Total-variation distance to Poisson(λ): ≤ 0.009 at λ = 4, 0.0024 at λ = 10, 0.0005 at
 * λ = 50; the mean is exact to < 0.07% (largest at λ = 4) and the variance is λ + ≈0.14
 * (rounding and the correction term); tested in test/workload/arrivals.test.ts. Partition loads
 * sum many buckets, so what the cluster sees is Poisson to well within its own noise. Φ⁻¹ comes from
 * vega-statistics (Giles' erfinv, double precision).
 *
 * Hot-loop note: every count stays an int32 in V8 (table loads, `| 0`, a branch-free clamp).
 * Mixing a double (`Math.floor`) with an integer constant in one variable makes V8 box the value
 * on every draw, which costs more than the sampling itself.
 */
import { quantileNormal } from 'vega-statistics';
import { poissonFast } from '../engine/poisson.ts';
import { permutation, type RandomStream } from '../engine/random.ts';

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
/** log2 of the cells of u per row of the quantile table. */
const CELL_BITS = 10;
const CELLS = 1 << CELL_BITS;
/** Marks a quantile-table cell with a CDF step inside it: the draw searches its row. */
const STEP = 255;
/** Expected counts from here on take the floating-point path (an int32 could overflow). */
const HUGE = 1 << 29;

interface SmallTables {
  /** Row j: P(X ≤ k) for X ~ Poisson(j / GRID), k = 0…KMAX−1. */
  readonly cdf: Float64Array;
  /** Row j, cell c: the count of every u in [c, c + 1)/CELLS, or STEP when that is not one count. */
  readonly quantile: Uint8Array;
}
let smallTables: SmallTables | null = null;
/** Built once per process (Math.exp at start-up only). */
function small(): SmallTables {
  if (!smallTables) {
    const rows = NORMAL_FROM * GRID + 1;
    const cdf = new Float64Array(rows * KMAX);
    const quantile = new Uint8Array(rows * CELLS);
    for (let j = 0; j < rows; j++) {
      const lam = j / GRID;
      let p = Math.exp(-lam);
      let c = 0;
      for (let k = 0; k < KMAX; k++) {
        if (k > 0) p *= lam / k;
        c += p;
        cdf[j * KMAX + k] = k === KMAX - 1 ? 1 : Math.min(1, c);
      }
      // Inversion takes the smallest k with u < F(k); the cell's u all give k when
      // F(k − 1) ≤ lower edge and F(k) ≥ upper edge.
      let k = 0;
      for (let cell = 0; cell < CELLS; cell++) {
        while (cdf[j * KMAX + k] <= cell / CELLS) k++;
        quantile[j * CELLS + cell] = cdf[j * KMAX + k] >= (cell + 1) / CELLS ? k : STEP;
      }
    }
    smallTables = { cdf, quantile };
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
  /** Per entry: π(i) << 16 | π₂(i), two seeded permutations of 0…N−1 (256 KB). */
  private readonly words: Int32Array;
  /** Per entry: Φ⁻¹((π(i) + ½)/N), the normal deviate of the same entry (256 KB). */
  private readonly z: Float32Array;
  private readonly tables: SmallTables | null;
  /** The largest count written by the last `fill` (lets a consumer skip a pass over quiet ticks). */
  lastMax = 0;

  constructor(
    private readonly rng: RandomStream,
    readonly mode: ArrivalMode = 'fast',
  ) {
    // `exact` draws from poissonFast alone: no tables to build.
    const size = mode === 'fast' ? TABLE_SIZE : 0;
    this.words = new Int32Array(size);
    this.z = new Float32Array(size);
    this.tables = mode === 'fast' ? small() : null;
    if (mode !== 'fast') return;
    const hi = permutation(TABLE_SIZE, rng);
    const lo = permutation(TABLE_SIZE, rng);
    const q = quantiles();
    for (let i = 0; i < TABLE_SIZE; i++) {
      this.words[i] = (hi[i] << 16) | lo[i];
      this.z[i] = q[hi[i]];
    }
  }

  /** Writes counts for `lambda[0..n)` into `out[0..n)`; returns their sum. */
  fill(lambda: Float64Array, out: Float64Array, n: number): number {
    const rng = this.rng;
    let total = 0;
    let max = 0;
    if (this.mode === 'exact') {
      for (let i = 0; i < n; i++) {
        const x = poissonFast(rng, lambda[i]);
        out[i] = x;
        total += x;
        if (x > max) max = x;
      }
      this.lastMax = max;
      return total;
    }
    const words = this.words;
    const zs = this.z;
    const Q = this.tables!.quantile;
    const F = this.tables!.cdf;
    // `| 0`: an int32 from the start, so the loop's index stays an int32 (rng.int returns a
    // double, and a double entering the loop would make V8 carry `j` as a double throughout).
    let j = rng.int(TABLE_SIZE) | 0;
    const m = rng.int(16) | 0;
    for (let i = 0; i < n; i++) {
      const lam = lambda[i];
      const e = j ^ m;
      j = (j + 1) & MASK;
      let x: number;
      if (lam < NORMAL_FROM) {
        const w = words[e];
        // λ·GRID in 16.16 fixed point; row g0 + 1 when the low half-word is below the fraction.
        const g = (lam * (GRID * 65536)) | 0;
        const row = (g >>> 16) + (((w & 0xffff) - (g & 0xffff)) >>> 31);
        x = Q[(row << CELL_BITS) | (w >>> (32 - CELL_BITS))];
        if (x === STEP) x = invert(F, row, w >>> 16);
      } else if (lam < HUGE) {
        const z = zs[e];
        x = (lam + Math.sqrt(lam) * z + z * z * (1 / 6) + (0.5 - 1 / 6)) | 0;
        x &= ~(x >> 31);
      } else {
        // Kept apart so that `x` stays an int32 in the common paths.
        const z = zs[e];
        const big = Math.max(0, Math.floor(lam + Math.sqrt(lam) * z + z * z * (1 / 6) + (0.5 - 1 / 6)));
        out[i] = big;
        total += big;
        if (big > max) max = big;
        continue;
      }
      out[i] = x;
      total += x;
      if (x > max) max = x;
    }
    this.lastMax = max;
    return total;
  }
}

/** Poisson inversion in CDF row `row` at u = (p + ½)/N: the smallest k with u < F(k). */
function invert(F: Float64Array, row: number, p: number): number {
  const u = (p + 0.5) / TABLE_SIZE;
  const o = row * KMAX;
  let k = 0;
  while (u >= F[o + k]) k++;
  return k;
}

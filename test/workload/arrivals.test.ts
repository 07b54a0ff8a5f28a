import { describe, expect, it } from 'vitest';
import { ArrivalSampler, NORMAL_FROM } from '../../src/workload/arrivals.ts';
import { RandomSource } from '../../src/engine/random.ts';
import { poissonFast } from '../../src/engine/poisson.ts';

/** Poisson(λ) pmf for k = 0…kmax. */
function pmf(lam: number, kmax: number): Float64Array {
  const p = new Float64Array(kmax + 1);
  // log-space start for large λ
  for (let k = 0; k <= kmax; k++) {
    let lf = 0;
    for (let i = 2; i <= k; i++) lf += Math.log(i);
    p[k] = Math.exp(-lam + k * Math.log(lam) - lf);
  }
  return p;
}

function sample(lam: number, ticks: number, mode: 'fast' | 'exact', seed = 1): { hist: Map<number, number>; n: number; mean: number; variance: number } {
  const B = 4096;
  const s = new ArrivalSampler(new RandomSource(seed).fork('a'), mode);
  const lambda = new Float64Array(B).fill(lam);
  const out = new Float64Array(B);
  const hist = new Map<number, number>();
  let sum = 0;
  let sq = 0;
  let bad = 0;
  for (let t = 0; t < ticks; t++) {
    const total = s.fill(lambda, out, B);
    let check = 0;
    for (let i = 0; i < B; i++) {
      const x = out[i];
      if (!(Number.isInteger(x) && x >= 0)) bad++;
      check += x;
      hist.set(x, (hist.get(x) ?? 0) + 1);
      sum += x;
      sq += x * x;
    }
    if (total !== check) bad++;
  }
  expect(bad).toBe(0);
  const n = B * ticks;
  const mean = sum / n;
  return { hist, n, mean, variance: sq / n - mean * mean };
}

function totalVariation(hist: Map<number, number>, n: number, lam: number): number {
  const kmax = Math.max(...hist.keys(), Math.ceil(lam + 12 * Math.sqrt(lam) + 12));
  const p = pmf(lam, kmax);
  let tv = 0;
  for (let k = 0; k <= kmax; k++) tv += Math.abs(p[k] - (hist.get(k) ?? 0) / n);
  return tv / 2;
}

describe('ArrivalSampler fast mode', () => {
  // Documented bounds: mean exact (mixture below 4; Cornish–Fisher above, bias < 0.07%, largest at λ = 4),
  // variance λ + ≲0.15, total-variation distance to Poisson(λ) ≤ 0.01.
  for (const lam of [0.05, 0.7, 1, 2.5, 3.99, NORMAL_FROM, 7, 10, 50, 400]) {
    it(`λ = ${lam}: mean, variance and distribution match Poisson(λ)`, () => {
      const ticks = 100;
      const { hist, n, mean, variance } = sample(lam, ticks, 'fast');
      const se = Math.sqrt(lam / n);
      expect(Math.abs(mean - lam)).toBeLessThan(5 * se + 0.0005 * lam);
      expect(variance).toBeGreaterThan(lam * 0.97);
      expect(variance).toBeLessThan(lam * 1.03 + 0.2);
      // Sampling noise of a TV estimate with ~400k draws is ~0.002–0.006 for these supports.
      const tv = totalVariation(hist, n, lam);
      if (process.env.KEYCAST_PRINT_TV) console.log(lam, tv, mean, variance);
      expect(tv).toBeLessThan(lam >= NORMAL_FROM ? 0.012 : 0.006);
    });
  }

  it('is deterministic per seed and differs across seeds', () => {
    const run = (seed: number) => {
      const s = new ArrivalSampler(new RandomSource(seed).fork('a'), 'fast');
      const lambda = Float64Array.from({ length: 1000 }, (_, i) => (i % 37) * 0.5);
      const out = new Float64Array(1000);
      const all: number[] = [];
      for (let t = 0; t < 5; t++) {
        s.fill(lambda, out, 1000);
        all.push(...out);
      }
      return all;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('draws independently across ticks: the lag-1 correlation of a bucket is ~0', () => {
    const s = new ArrivalSampler(new RandomSource(9).fork('a'), 'fast');
    const B = 256;
    const lambda = new Float64Array(B).fill(20);
    const out = new Float64Array(B);
    const prev = new Float64Array(B);
    let num = 0;
    let den = 0;
    for (let t = 0; t < 2000; t++) {
      s.fill(lambda, out, B);
      if (t > 0) for (let i = 0; i < B; i++) num += (out[i] - 20) * (prev[i] - 20);
      for (let i = 0; i < B; i++) den += (out[i] - 20) ** 2;
      prev.set(out);
    }
    expect(Math.abs(num / den)).toBeLessThan(0.01);
  });

  // A tick reads the table's entries in order (cache lines, not random words): neighbouring
  // buckets take neighbouring entries, so their draws must still be independent.
  for (const lam of [2, 20]) {
    it(`draws independently across buckets at λ = ${lam}: neighbours uncorrelated, sums of 16 with the summed variance`, () => {
      const s = new ArrivalSampler(new RandomSource(11).fork('a'), 'fast');
      const B = 4096;
      const G = 16;
      const lambda = new Float64Array(B).fill(lam);
      const out = new Float64Array(B);
      let num = 0;
      let den = 0;
      let gsum = 0;
      let gsq = 0;
      let groups = 0;
      for (let t = 0; t < 400; t++) {
        s.fill(lambda, out, B);
        for (let i = 0; i < B; i++) {
          den += (out[i] - lam) ** 2;
          if (i > 0) num += (out[i] - lam) * (out[i - 1] - lam);
        }
        for (let g = 0; g < B; g += G) {
          let x = 0;
          for (let i = g; i < g + G; i++) x += out[i];
          gsum += x;
          gsq += x * x;
          groups++;
        }
      }
      expect(Math.abs(num / den)).toBeLessThan(0.01);
      const single = den / (400 * B);
      const gmean = gsum / groups;
      const gvar = gsq / groups - gmean * gmean;
      // 102,400 sums: the variance's sampling error is ~0.5%.
      expect(gvar / (G * single)).toBeGreaterThan(0.95);
      expect(gvar / (G * single)).toBeLessThan(1.05);
    });
  }
});

describe('ArrivalSampler fast mode, huge λ', () => {
  it('takes the floating-point path beyond int32 range: integer counts near λ, mean within sampling error', () => {
    const lam = 3e9;
    const s = new ArrivalSampler(new RandomSource(4).fork('a'), 'fast');
    const B = 512;
    const out = new Float64Array(B);
    let sum = 0;
    for (let t = 0; t < 20; t++) {
      const total = s.fill(new Float64Array(B).fill(lam), out, B);
      for (let i = 0; i < B; i++) {
        expect(Number.isInteger(out[i])).toBe(true);
        expect(Math.abs(out[i] - lam)).toBeLessThan(6 * Math.sqrt(lam));
      }
      sum += total;
    }
    expect(Math.abs(sum / (20 * B) - lam)).toBeLessThan(5 * Math.sqrt(lam / (20 * B)) + 1);
  });
});

describe('ArrivalSampler lastMax', () => {
  it('is the largest count the last fill wrote, on every path (small, normal, huge) and in both modes', () => {
    const lambda = Float64Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? i * 0.01 : i % 3 === 1 ? 4 + i : 3e9 * (i === 5 ? 1 : 0)));
    for (const mode of ['fast', 'exact'] as const) {
      const s = new ArrivalSampler(new RandomSource(6).fork('a'), mode);
      const out = new Float64Array(600);
      for (let t = 0; t < 5; t++) {
        s.fill(lambda, out, t === 4 ? 100 : 600);
        expect(s.lastMax).toBe(Math.max(0, ...out.subarray(0, t === 4 ? 100 : 600)));
      }
      s.fill(new Float64Array(10), out, 10);
      expect(s.lastMax).toBe(0);
    }
  });
});

describe('ArrivalSampler exact mode', () => {
  it('is poissonFast per bucket from the same stream', () => {
    const lambda = Float64Array.from({ length: 500 }, (_, i) => i * 0.1);
    const out = new Float64Array(500);
    new ArrivalSampler(new RandomSource(5).fork('a'), 'exact').fill(lambda, out, 500);
    const rng = new RandomSource(5).fork('a');
    expect(Array.from(out)).toEqual(Array.from(lambda, (l) => poissonFast(rng, l)));
  });
});

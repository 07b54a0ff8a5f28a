import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { expNeg, logFactorial, poissonFast } from '../../src/engine/poisson.ts';

describe('poissonFast', () => {
  it('expNeg matches Math.exp to double precision', () => {
    for (let x = 0; x < 16; x += 0.0137) expect(Math.abs(expNeg(x) / Math.exp(-x) - 1)).toBeLessThan(4e-16);
    for (const k of [0, 1, 5, 1023, 1024, 5000]) {
      let exact = 0;
      for (let i = 2; i <= k; i++) exact += Math.log(i);
      expect(logFactorial(k)).toBeCloseTo(exact, 8);
    }
  });

  it.each([0.01, 0.4, 3, 15.9, 16, 40, 1000, 1e6])('has mean and variance λ = %s', (lambda) => {
    const rng = new RandomSource(1).fork(`poisson/${lambda}`);
    const n = 40_000;
    let s = 0;
    let s2 = 0;
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const x = poissonFast(rng, lambda);
      if (!(Number.isInteger(x) && x >= 0)) wrong++;
      s += x;
      s2 += x * x;
    }
    expect(wrong).toBe(0);
    const mean = s / n;
    const v = s2 / n - mean * mean;
    // 5 standard errors of the mean; variance within 5%.
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(Math.abs(v / lambda - 1)).toBeLessThan(0.05);
  });

  it.each([3, 25])('follows the Poisson pmf (chi-square, λ = %s)', (lambda) => {
    const rng = new RandomSource(2).fork('pmf');
    const n = 50_000;
    const hist = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const x = poissonFast(rng, lambda);
      hist.set(x, (hist.get(x) ?? 0) + 1);
    }
    let chi = 0;
    let cells = 0;
    for (let k = 0; k < lambda * 3; k++) {
      const p = Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
      if (p * n < 20) continue;
      const o = hist.get(k) ?? 0;
      chi += (o - p * n) ** 2 / (p * n);
      cells++;
    }
    // chi-square with `cells` degrees of freedom: mean = cells, sd = sqrt(2·cells).
    expect(chi).toBeLessThan(cells + 5 * Math.sqrt(2 * cells));
  });
});

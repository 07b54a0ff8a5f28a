import { describe, expect, it } from 'vitest';
import { comparisonOf, headlinePair, headlineText, type SeedStats } from '../../src/report/headline.ts';
import type { PolicySummary, Summary } from '../../src/experiment/summary.ts';

const pol = (kind: string, slo: number, p99: number, moved: number) => ({ kind, sloViolationRate: slo, p99LatencyMs: p99, movedBytes: moved }) as unknown as PolicySummary;
const summary = (extra: Partial<Summary> & { seeds?: SeedStats } = {}): Summary & { seeds?: SeedStats } =>
  ({
    seed: 42,
    policies: { static: pol('static', 0.6, 5e6, 0), reactive: pol('reactive', 0.0483, 9910, 189 * 2 ** 30), predictive: pol('predictive', 0.00262, 1.99, 111 * 2 ** 30) },
    ...extra,
  }) as Summary & { seeds?: SeedStats };

describe('headline', () => {
  it('compares predictive with reactive, else the nearest kinds', () => {
    expect(headlinePair(summary().policies)).toEqual(['predictive', 'reactive']);
    expect(headlinePair({ a: { kind: 'static' }, t: { kind: 'reactive-threshold' } })).toEqual(['t', 'a']);
    expect(headlinePair({ a: { kind: 'static' } })).toBeNull();
  });

  it('with one seed gives point values and says there is no interval', () => {
    const t = headlineText(comparisonOf(summary())!);
    expect(t.lead).toBe('predictive vs reactive');
    expect(t.parts[0]).toBe('−95% records over the SLO (0.262% vs 4.83%)');
    expect(t.parts[1]).toBe('p99 1.99 ms vs 9.91 s');
    expect(t.parts[2]).toBe('moved 0.59× the bytes (111 GiB vs 189 GiB)');
    expect(t.seedsNote).toMatch(/^one seed \(42\), no interval/);
  });

  it('with per-seed data (keycast run --seeds N) gives means and the paired-ratio interval', () => {
    const st = (mean: number, lo: number, hi: number) => ({ mean, lo, hi, values: [lo, hi] });
    const seeds: SeedStats = {
      seeds: [1, 2, 3],
      policies: { predictive: { sloViolationRate: st(0.003, 0.002, 0.004), p99LatencyMs: st(2, 1.9, 2.1), movedBytes: st(2 ** 30, 2 ** 30, 2 ** 30) }, reactive: { sloViolationRate: st(0.05, 0.04, 0.06), p99LatencyMs: st(10_000, 9000, 11_000), movedBytes: st(2 ** 31, 2 ** 31, 2 ** 31) } },
      ratios: { 'predictive/reactive': { sloViolationRate: st(0.06, 0.03, 0.09), p99LatencyMs: st(0.0002, 0.0001, 0.0003), movedBytes: st(0.5, 0.45, 0.55) } },
    };
    const t = headlineText(comparisonOf(summary({ seeds }))!);
    expect(t.parts[0]).toBe('−94% records over the SLO [−97%, −91%] (0.300% vs 5.00%)');
    expect(t.parts[2]).toMatch(/moved 0\.5× the bytes \[0\.45×, 0\.55×\]/);
    expect(t.seedsNote).toMatch(/over 3 seeds \(1, 2, 3\)/);
  });

  it('says so when nobody violated the SLO or moved anything', () => {
    const s = summary({ policies: { reactive: pol('reactive', 0, 1, 0), predictive: pol('predictive', 0, 1, 0) } });
    const t = headlineText(comparisonOf(s)!);
    expect(t.parts[0]).toBe('no records over the SLO for either');
    expect(t.parts[2]).toBe('no data moved');
  });
});

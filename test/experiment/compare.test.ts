import { describe, expect, it } from 'vitest';
import { compareSummaries, parseTolerance } from '../../src/experiment/compare.ts';
import type { Summary } from '../../src/experiment/summary.ts';
import { comparisonTable } from '../../src/report/compare-table.ts';

const summary = (p99: number, moved: number, more: Record<string, unknown> = {}): Summary =>
  ({ scenario: 's', scenarioHash: 'h', seed: 1, policies: { a: { p99LatencyMs: p99, movedBytes: moved, sloViolationRate: 0 } }, ...more }) as unknown as Summary;

describe('comparing two runs', () => {
  it('a metric regresses beyond the tolerance and its floor; improvements are marked better', () => {
    const rows = compareSummaries(summary(100, 4 * 2 ** 20), summary(110, 2 ** 20), 0.05);
    const by = Object.fromEntries(rows.map((r) => [r.metric, r.status]));
    expect(by.p99LatencyMs).toBe('REGRESSION');
    expect(by.movedBytes).toBe('better');
    expect(by.sloViolationRate).toBe('ok');
    expect(compareSummaries(summary(100, 1000), summary(100.5, 1000), 0).find((r) => r.metric === 'p99LatencyMs')!.status).toBe('ok');
  });

  it('a policy missing from the run is marked; tolerances read as 5% or 0.05', () => {
    const rows = compareSummaries(summary(1, 1), { ...summary(1, 1), policies: {} }, 0.05);
    expect(rows.every((r) => r.status === 'missing')).toBe(true);
    expect(parseTolerance('5%')).toBe(0.05);
    expect(parseTolerance('0.05')).toBe(0.05);
    expect(() => parseTolerance('five')).toThrow();
  });

  it('the table notes different scenarios and counts regressions', () => {
    const base = summary(100, 1000);
    const run = summary(200, 1000, { scenarioHash: 'other', seed: 2 });
    const t = comparisonTable(compareSummaries(base, run, 0.05), base, run, 0.05);
    expect(t).toMatch(/^note: different scenarios/);
    expect(t).toMatch(/note: different seeds \(1 vs 2\)/);
    expect(t).toMatch(/1 regression\(s\) beyond 5\.0% tolerance/);
  });

  it('a metric the run lacks or holds as text is missing (fails), and a bare number above 1 is not a tolerance', () => {
    const run = { ...summary(100, 1000), policies: { a: { movedBytes: 1000, sloViolationRate: 'abc' } } } as unknown as Summary;
    const by = Object.fromEntries(compareSummaries(summary(100, 1000), run, 0.05).map((r) => [r.metric, r.status]));
    expect(by).toEqual({ p99LatencyMs: 'missing', movedBytes: 'ok', sloViolationRate: 'missing' });
    expect(() => parseTolerance('5')).toThrow(/fraction above 1: write 5% for a percentage/);
    expect(parseTolerance('1')).toBe(1);
    expect(parseTolerance('150%')).toBe(1.5);
  });

  it('runs of several seeds compare by their means, and the table says which seeds each side stands for', () => {
    const seeds = (p99: number[]) => ({ seeds: [5, 6], policies: { a: { p99LatencyMs: { mean: (p99[0] + p99[1]) / 2, lo: 0, hi: 0, values: p99 } } } });
    // The first seeds equal (100 vs 100), the means not (150 vs 100): the mean decides.
    const base = summary(100, 1000, { seed: 5, seeds: seeds([100, 200]) });
    const run = summary(100, 1000, { seed: 7, seeds: { ...seeds([100, 100]), seeds: [7, 8] } });
    const rows = compareSummaries(base, run, 0.05);
    expect(rows.find((r) => r.metric === 'p99LatencyMs')).toMatchObject({ baseline: 150, run: 100, status: 'better' });
    const t = comparisonTable(rows, base, run, 0.05);
    expect(t).toMatch(/^note: baseline means over seeds 5, 6; run means over seeds 7, 8/);
    const one = summary(120, 1000, { seed: 7 });
    expect(comparisonTable(compareSummaries(base, one, 0.05), base, one, 0.05)).toMatch(/note: baseline means over seeds 5, 6; run seed 7/);
  });
});

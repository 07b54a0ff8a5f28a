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
});

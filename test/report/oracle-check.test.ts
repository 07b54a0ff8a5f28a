/**
 * The run's headline says when the oracle (perfect forecast) did worse than predictive: beyond the
 * paired interval over seeds, or at the one seed that ran (said as such); nothing when it bounds.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/experiment/summary.ts';
import type { SeedStats } from '../../src/report/headline.ts';
import { oracleWarnings } from '../../src/report/oracle-check.ts';
import { headlineHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { terminalSummary } from '../../src/report/terminal.ts';

const policy = (kind: string, slo: number, rs: number) => ({
  kind, records: 10, servedRecords: 10, backlogRecords: 0, droppedRecords: 0, p50LatencyMs: 1, p95LatencyMs: 2, p99LatencyMs: 3, maxLatencyMs: 9, sloViolationRate: slo, recordSecondsOverSlo: rs,
  meanImbalance: 1.2, maxUtilization: 0.9, movedBytes: 5, operations: { split: 1, merge: 0, move: 2, create: 0, failed: 0, rolledBack: 0 },
  plans: { proposed: 1, completed: 1, rolledBack: 0, superseded: 0, aborted: 0 }, disruptionMs: 0, reconfigurationsPerDay: 3, keyChurn: 0.1, thrashing: 0, invariantViolations: 0, wallMs: 1,
});
const st = (mean: number, lo: number, hi: number) => ({ mean, lo, hi, values: [lo, hi] });
const summary = (oracle: { slo: number; rs: number }, seeds?: SeedStats): Summary & { seeds?: SeedStats } =>
  ({
    keycastVersion: '0', scenario: 's', description: '', scenarioHash: 'h', seed: 42, simulatedMs: 7_200_000, measuredMs: 3_600_000, sloLatencyMs: 100, sloPercentile: 99,
    policies: { reactive: policy('reactive', 0.03, 2e8), predictive: policy('predictive', 0.002, 3e6), oracle: policy('oracle', oracle.slo, oracle.rs) },
    expectations: [], invariantViolations: 0, ...(seeds ? { seeds } : {}),
  }) as unknown as Summary & { seeds?: SeedStats };
const overSeeds = (rs: ReturnType<typeof st>, slo: ReturnType<typeof st>): SeedStats => ({
  seeds: [42, 43, 44],
  policies: {},
  ratios: { 'oracle/predictive': { recordSecondsOverSlo: rs, sloViolationRate: slo } },
});

describe('does the oracle bound predictive, in the headline', () => {
  it('over seeds: flags the oracle worse beyond the interval, on every page', () => {
    const s = summary({ slo: 0.003, rs: 7e6 }, overSeeds(st(1.9, 1.06, 3.4), st(1.5, 0.9, 2.6)));
    const w = oracleWarnings(s);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/oracle \(perfect forecast\) did worse than predictive beyond the interval: record-seconds over the SLO 1\.9× \[1\.1×, 3\.4×\]/);
    expect(w[0]).not.toMatch(/records over the SLO 1\.5/); // within its interval: not claimed
    expect(headlineHtml(s)).toContain('class="warn oracle"');
    expect(renderMarkdown(s)).toContain('⚠️ oracle (perfect forecast) did worse');
    expect(terminalSummary(s)).toContain('⚠ oracle (perfect forecast) did worse');
  });

  it('over seeds: says nothing when the intervals reach 1 or below', () => {
    const s = summary({ slo: 0.003, rs: 7e6 }, overSeeds(st(1.8, 0.2, 17), st(1.6, 0.55, 4.9)));
    expect(oracleWarnings(s)).toEqual([]);
    expect(headlineHtml(s)).not.toContain('oracle');
  });

  it('one seed: a plain comparison, said to be one seed', () => {
    const w = oracleWarnings(summary({ slo: 0.004, rs: 6e6 }));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/did worse than predictive at this seed: record-seconds over the SLO 2×, records over the SLO 2×/);
    expect(w[0]).toMatch(/one seed, no interval: run --seeds N/);
    expect(oracleWarnings(summary({ slo: 0.001, rs: 1e6 }))).toEqual([]);
  });

  it('no oracle, or no predictive: nothing to check', () => {
    const s = summary({ slo: 0.5, rs: 1e12 });
    delete (s.policies as Record<string, unknown>).predictive;
    expect(oracleWarnings(s)).toEqual([]);
  });
});

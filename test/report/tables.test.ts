import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/experiment/summary.ts';
import type { SeedStats } from '../../src/report/headline.ts';
import { summaryTableHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { terminalSummary } from '../../src/report/terminal.ts';

const base = (kind: string, slo: number, p99: number, moved: number) => ({
  kind, records: 10, servedRecords: 10, backlogRecords: 0, droppedRecords: 0, p50LatencyMs: 1, p95LatencyMs: 2, p99LatencyMs: p99, maxLatencyMs: 9, sloViolationRate: slo,
  meanImbalance: 1.2, maxUtilization: 0.9, movedBytes: moved, operations: { split: 1, merge: 0, move: 2, create: 0, failed: 0, rolledBack: 0 },
  plans: { proposed: 1, completed: 1, rolledBack: 0, superseded: 0, aborted: 0 }, disruptionMs: 0, reconfigurationsPerDay: 3, keyChurn: 0.1, thrashing: 0, invariantViolations: 0, wallMs: 1,
});
const st = (mean: number, lo: number, hi: number) => ({ mean, lo, hi, values: [lo, hi] });
const summary = (seeds?: SeedStats): Summary & { seeds?: SeedStats } =>
  ({
    keycastVersion: '0', scenario: 's', description: '', scenarioHash: 'h', seed: 7, simulatedMs: 7_200_000, measuredMs: 3_600_000, sloLatencyMs: 100, sloPercentile: 99,
    policies: { reactive: base('reactive', 0.05, 900, 0), predictive: base('predictive', 0.01, 50, 0) }, expectations: [], invariantViolations: 0,
    ...(seeds ? { seeds } : {}),
  }) as unknown as Summary & { seeds?: SeedStats };

describe('summary tables over seeds', () => {
  const seeds: SeedStats = {
    seeds: [7, 8, 9],
    policies: { reactive: { sloViolationRate: st(0.06, 0.04, 0.08), p99LatencyMs: st(1000, 800, 1200), movedBytes: st(0, 0, 0) }, predictive: { sloViolationRate: st(0.012, 0.01, 0.014), p99LatencyMs: st(55, 50, 60), movedBytes: st(0, 0, 0) } },
    ratios: { 'predictive/reactive': { sloViolationRate: st(0.2, 0.15, 0.25), p99LatencyMs: st(0.055, 0.05, 0.06), movedBytes: { mean: null as unknown as number, lo: null as unknown as number, hi: null as unknown as number, values: [], excluded: 3 } } },
  };

  it('shows the mean and its interval per policy when the run had several seeds, and says so', () => {
    const html = summaryTableHtml(summary(seeds));
    expect(html).toMatch(/1\.20%<br><small class="ci">1\.00% – 1\.40%<\/small>/);
    expect(html).toMatch(/1 s<br><small class="ci">800 ms – 1\.2 s<\/small>/);
    expect(renderMarkdown(summary(seeds))).toMatch(/\| records over the SLO \| 6\.00% \[4\.00% – 8\.00%\] \| \*\*1\.20% \[1\.00% – 1\.40%\]\*\* \|/);
    const term = terminalSummary(summary(seeds));
    expect(term).toMatch(/over 3 seeds \(7, 8, 9\)/);
    expect(term).toContain("means over seeds 7, 8, 9, in brackets the 95% interval of the mean; a value without brackets is seed 7's");
    expect(terminalSummary(summary())).toContain("seed 7's values");
    expect(term).toMatch(/−80% records over the SLO \[−85%, −75%\]/);
    expect(term).toMatch(/no data moved/);
  });

  it('shows an interval within the metric’s domain: a share never above 100%, nothing below 0', () => {
    const wide: SeedStats = { ...seeds, policies: { ...seeds.policies, reactive: { ...seeds.policies.reactive, sloViolationRate: st(0.59, 0.165, 1.021), p99LatencyMs: st(40, -20, 100) } } };
    const md = renderMarkdown(summary(wide));
    expect(md).toContain('| records over the SLO | 59.0% [16.5% – 100.0%] |');
    expect(md).toContain('| p99 latency | **40 ms [0 ms – 100 ms]** |');
  });

  it('says at which seeds an expectation failed, each side to ten digits', () => {
    const e = { expr: 'static.p99LatencyMs < 4500000', pass: false, left: 4876334.512345678, right: 0.1 * 3, seeds: [ { seed: 10, pass: true, left: 4.1e6, right: 4.5e6 }, { seed: 11, pass: false, left: 4876334.512345678, right: 4.5e6 }, { seed: 12, pass: true, left: 3.5e6, right: 4.5e6 } ] };
    const s = { ...summary(seeds), expectations: [e, { expr: 'static.records > 0', pass: true, left: 10, right: 0, seeds: e.seeds.map((x) => ({ ...x, pass: true })) }] } as unknown as Summary;
    const term = terminalSummary(s);
    expect(term).toContain('✗ static.p99LatencyMs < 4500000   (left 4876334.512, right 0.3; held at 2 of 3 seeds; failed at seed 11)');
    expect(term).toContain('✓ static.records > 0   (held at 3 of 3 seeds)');
    expect(renderMarkdown(s)).toContain('| ❌ | `static.p99LatencyMs < 4500000` (held at 2 of 3 seeds; failed at seed 11) | 4876334.512 | 0.3 |');
  });

  it('with one seed shows the run’s values and no interval', () => {
    const html = summaryTableHtml(summary());
    expect(html).not.toMatch(/class="ci"/);
    expect(terminalSummary(summary())).toMatch(/one seed \(7\), no interval/);
    const lines = terminalSummary(summary()).split('\n').filter((l) => l.includes('.: '));
    expect(new Set(lines.map((l) => l.indexOf(':'))).size).toBe(1);
  });
});

describe('the spread strategy in the tables', () => {
  it('shows how long each auto policy held a striped layout and its switches, and lists them with their scores', () => {
    const s = summary();
    const events = [{ timeMs: 7_200_000, to: 'spread' as const, reason: 'actual layout 1.33% of traffic waiting, 128 stripes 0.00% (last 2.0 h)' }];
    (s.policies.predictive as { strategy?: unknown }).strategy = { switches: 1, spreadMs: 3_600_000, placements: 0, placedStripes: 0, events };
    const md = renderMarkdown(s);
    expect(md).toMatch(/\| held striped \(spread\) \| — \| 1 h · 1 switch \|/);
    expect(md).toContain('- predictive, at 2.0 h: to spread — actual layout 1.33% of traffic waiting, 128 stripes 0.00% (last 2.0 h)');
    expect(summaryTableHtml(s)).toContain('1 h · 1 switch');
    // stripes moved between nodes for the load coming, when there were any
    (s.policies.predictive as { strategy?: unknown }).strategy = { switches: 1, spreadMs: 3_600_000, placements: 12, placedStripes: 19, events };
    expect(renderMarkdown(s)).toMatch(/\| held striped \(spread\) \| — \| 1 h · 1 switch · 12 placements \(19 stripes\) \|/);
    // no auto policy: no row, no section
    const plain = renderMarkdown(summary());
    expect(plain).not.toContain('held striped (spread) |');
    expect(plain).not.toContain('Strategy switches');
  });
});

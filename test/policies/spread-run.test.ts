/**
 * The spread strategy in a run (policies/spread.ts through planning-policy.ts): on a moving band
 * where a move takes tens of minutes, the `auto` lane spreads, its migration finishes through 10%
 * operation failures (retried, never half-applied), it holds its layout through a node crash, it
 * moves held stripes between nodes for the load coming (stripe-placement.ts), and it serves better
 * than the same policy chasing (by 40% over seeds 1–3), its migrations never cut short by the APM's stale-plan re-check;
 * `strategy: chase` never spreads; under a churn budget the migration runs in cuts that fit it.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';
import type { PlanningReport } from '../../src/policies/planning-policy.ts';
import type { RunResult } from '../../src/experiment/run.ts';

/** A plan record as the tests read it. */
type SpreadPlan = { id: string; outcome?: string; savings: number; actions: readonly { action: { kind: string } }[] };

/** The spread strategy's plan records of lane `name` (`<lane>-spread-N`), in order. */
function spreadPlansOf(result: RunResult, name: string): SpreadPlan[] {
  const report = result.lanes.find((l) => l.name === name)!.report as unknown as PlanningReport;
  return (report.planRecords as readonly SpreadPlan[]).filter((r) => r.id.includes('-spread-'));
}

const yaml = `name: spread-run
seed: 1
duration: 12h
warmup: 6h
tick: 10s
keyspace: { kind: geo, keys: 50000, buckets: 256 }
workload:
  rate: 20000
  recordBytes: 2KB
  shape:
    diurnal: { amplitude: 0.3, peak: 14h }
    noise: { cv: 0.05 }
  keys:
    - { share: 0.5, zipf: { s: 0.9, shuffle: true } }
    - { share: 0.5, band: { center: 0.1, width: 0.08, speed: 1 } }
cluster:
  nodes: 6
  nodeCapacity: 5000
  partitions: 24
  maxPartitions: 128
  retention: 4h
  moveBandwidth: 15MB/s
  moveLoad: 0.2
  pauses: { move: 2s }
  faults: { opFailureRate: 0.1, crashes: [{ node: 2, at: 10h, duration: 20m }] }
slo: { latency: 100ms }
policies:
  auto: { kind: reactive, headroom: true, every: 5m, window: 5m, iterations: 1000 }
  chase: { kind: reactive, headroom: true, strategy: chase, every: 5m, window: 5m, iterations: 1000 }
  budget: { kind: reactive, headroom: true, every: 5m, window: 5m, iterations: 1000, churnBudget: { bytesPerHour: 50GB } }
`;

describe('spread strategy in a run', () => {
  const { summary, result } = runLoaded(parseScenario(yaml, 'spread-run.yaml', path.join(__dirname)), { workers: 1 });

  it('spreads where chasing loses, finishes its migration through operation failures, and serves better than chasing', () => {
    const s = summary.policies.auto.strategy!;
    expect(s.events[0].to).toBe('spread');
    expect(s.events[0].reason).toMatch(/128 stripes/);
    expect(s.events[0].timeMs).toBeLessThan(10 * 3_600_000);
    // Node 2 down from 10 h for 20 minutes: the layout holds (before, the strategy left it and chased).
    expect(s.events.map((e) => e.to)).toEqual(['spread']);
    const spreadPlans = spreadPlansOf(result, 'auto');
    expect(spreadPlans.some((r) => r.outcome === 'completed')).toBe(true);
    // The strategy judges its own plans: the APM's stale-plan re-check never cuts a migration short.
    expect(spreadPlans.filter((r) => r.outcome === 'aborted')).toEqual([]);
    expect(summary.policies.auto.operations.retried).toBeGreaterThan(0);
    expect(summary.policies.auto.sloViolationRate).toBeLessThan(summary.policies.chase.sloViolationRate);
  });

  it('serves with at most 60% of chasing’s SLO-violating records over seeds 1–3', () => {
    // One seed's ratio ranges 0.37–0.73: how far the 230-step stripe migration runs into the
    // measured hours (from 6 h) varies with the layout it starts from; over three seeds it is ≈ 0.5.
    let auto = summary.policies.auto.sloViolationRate;
    let chase = summary.policies.chase.sloViolationRate;
    for (const seed of [2, 3]) {
      const s = runLoaded(parseScenario(yaml, 'spread-run.yaml', path.join(__dirname), { seed, policies: ['auto', 'chase'] }), { workers: 1 }).summary;
      auto += s.policies.auto.sloViolationRate;
      chase += s.policies.chase.sloViolationRate;
    }
    expect(auto).toBeLessThan(0.6 * chase);
  });

  it('once its stripes are in place, moves some of them between nodes for the load coming, keeping the cut', () => {
    const records = spreadPlansOf(result, 'auto');
    const inPlace = records.findIndex((r) => r.outcome === 'completed');
    const later = records.slice(inPlace + 1);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) expect(r.actions.every((a) => a.action.kind === 'move')).toBe(true);
    expect(later.some((r) => r.outcome === 'completed')).toBe(true);
  });

  it('never spreads with strategy: chase', () => {
    expect(summary.policies.chase.strategy).toBeUndefined();
  });

  it('spreads under a churn budget, its migration in cuts that keep every rolling hour of plans within the budget', () => {
    // The migration moves about 270 GiB (the auto lane's first plan), five hours of this budget.
    const budget = 50 * 1024 ** 3;
    expect(summary.policies.budget.strategy!.events[0].to).toBe('spread');
    const records = (result.lanes.find((l) => l.name === 'budget')!.report as unknown as PlanningReport).planRecords;
    const spread = records.filter((r) => r.id.includes('-spread-'));
    expect(spread.length).toBeGreaterThan(3);
    expect(spread.some((r) => r.capped !== undefined)).toBe(true);
    // The cuts count what they move: several hours of the budget in all, each hour within it.
    expect(spread.reduce((a, r) => a + r.predicted.movedBytes, 0)).toBeGreaterThan(3 * budget);
    const plans = records.map((r) => ({ t: r.createdAtMs, b: r.predicted.movedBytes }));
    for (const x of plans) {
      const hour = plans.filter((y) => y.t <= x.t && y.t > x.t - 3_600_000).reduce((a, y) => a + y.b, 0);
      expect(hour).toBeLessThanOrEqual(budget * (1 + 1e-9));
    }
    expect(summary.policies.budget.sloViolationRate).toBeLessThan(0.5 * summary.policies.chase.sloViolationRate);
  });

  it('keeps the map whole and conserves records', () => {
    for (const p of Object.values(summary.policies)) {
      expect(p.invariantViolations).toBe(0);
      expect(Math.abs(p.records - p.servedRecords - p.backlogRecords - p.droppedRecords)).toBeLessThan(1e-6 * p.records + 1e-6);
    }
  });

  it('runs a migration to its end when the window it was planned on had nothing over capacity', () => {
    // The switch is priced on hours of scores; the window just observed may show no node over
    // capacity, so the plan's saving on it is 0. The APM's stale-plan re-check used to abort such a
    // migration after each batch and the next decision began it again (13 plans cut short on
    // tail-growth-slow, the fair baseline, seed 1). Here the first migration, 200-odd actions
    // planned on such a window, runs whole.
    const [first] = spreadPlansOf(result, 'auto');
    expect(first.savings).toBe(0);
    expect(first.outcome).toBe('completed');
    expect(first.actions.length).toBeGreaterThan(200);
  });
});

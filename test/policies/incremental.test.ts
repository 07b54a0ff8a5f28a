/**
 * Incremental decisions (planning-policy.ts): a decision is skipped while nothing the PRE plans
 * from has moved since the last one that found nothing; load that moves, or a node running into
 * overload, gets a decision at once.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';
import type { PlanningReport } from '../../src/policies/planning-policy.ts';

const BURST_AT = 2 * 3_600_000;

/** A still workload (no diurnal shape, no moving band) with one narrow burst at 2 h that overloads a node. */
const scenario = (policies: string) => `name: incremental
seed: 4
duration: 3h
warmup: 30m
tick: 2s
keyspace: { kind: user-id, keys: 20000, buckets: 256 }
workload:
  rate: 8000
  recordBytes: 128
  keys:
    - { share: 1, zipf: { s: 0.8, shuffle: true } }
  events:
    - { burst: { at: 2h, duration: 30m, center: 0.3, width: 0.02, multiplier: 12 } }
cluster: { nodes: 4, nodeCapacity: 3000, partitions: 8, maxPartitions: 64, moveBandwidth: 20MB/s }
slo: { latency: 100ms }
policies:
${policies}`;

describe('incremental decisions', () => {
  const loaded = parseScenario(
    scenario(`  skipping: { kind: reactive, every: 1m, window: 1m, iterations: 2000 }
  every: { kind: reactive, every: 1m, window: 1m, iterations: 2000, skipTolerance: 0 }
  loose: { kind: reactive, every: 1m, window: 1m, iterations: 2000, skipTolerance: 0.9 }
  predictive: { kind: predictive, every: 5m, horizon: 20m, iterations: 2000, minHistory: 1h }
  cold: { kind: reactive, every: 1m, window: 1m, iterations: 2000, skipTolerance: 0, warmShare: 0 }`),
    'incremental.yaml',
    path.join(__dirname),
  );
  const { summary, result } = runLoaded(loaded, { workers: 1 });
  const report = (name: string) => result.lanes.find((l) => l.name === name)!.report as unknown as PlanningReport;

  it('skips most decisions while the load stands still, and none with skipTolerance 0', () => {
    const s = report('skipping');
    const e = report('every');
    expect(s.decisions).toBe(e.decisions);
    expect(s.skippedDecisions).toBeGreaterThan(s.decisions / 2);
    expect(e.skippedDecisions).toBe(0);
    expect(report('predictive').skippedDecisions).toBeGreaterThanOrEqual(0);
  });

  it("resumes most searches from the last one's result on a quarter of the budget, none with warmShare 0", () => {
    const e = report('every');
    expect(e.warmDecisions).toBeGreaterThan(0);
    expect(e.warmDecisions).toBeLessThanOrEqual(e.decisions - e.skippedDecisions);
    expect(report('predictive').warmDecisions).toBeGreaterThan(0);
    expect(report('cold').warmDecisions).toBe(0);
    expect(report('cold').decisions).toBe(e.decisions);
  });

  // The burst adds about 1,760 records/s (59% of a node's capacity) to one node already at about
  // 2,000/s: with skipTolerance 0.9 only the overload check ends the skips.
  it('decides at once when a burst overloads a node: a plan at the first decision whose window holds it, as without skipping', () => {
    expect(report('loose').skippedDecisions).toBeGreaterThan(report('loose').decisions / 2);
    for (const name of ['skipping', 'every', 'loose']) {
      const plans = (report(name).planRecords as readonly { createdAtMs: number }[]).map((r) => r.createdAtMs).filter((t) => t >= BURST_AT);
      expect(plans.length, name).toBeGreaterThan(0);
      expect(Math.min(...plans), name).toBeLessThanOrEqual(BURST_AT + 60_000);
    }
  });

  it('keeps the map whole and conserves records', () => {
    for (const p of Object.values(summary.policies)) expect(p.invariantViolations).toBe(0);
  });
});

/** Churn budgets: the PRE honours what is left of a policy's hourly budget of moved state. */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';

const BUDGET = 200_000_000; // bytes per hour

describe('churnBudget', () => {
  const loaded = parseScenario(
    `name: churn
seed: 3
duration: 4h
warmup: 1h
tick: 2s
keyspace: { kind: user-id, keys: 20000, buckets: 256 }
workload:
  rate: 8000
  recordBytes: 256
  shape: { diurnal: { amplitude: 0.3, peak: 2h } }
  keys:
    - { share: 0.4, zipf: { s: 0.9, shuffle: true } }
    - { share: 0.6, band: { center: 0.1, width: 0.1, speed: 3 } }
cluster: { nodes: 4, nodeCapacity: 3000, partitions: 8, maxPartitions: 64, moveBandwidth: 20MB/s, retention: 20m }
slo: { latency: 100ms }
policies:
  free: { kind: reactive, every: 2m, window: 2m, iterations: 2000 }
  budget: { kind: reactive, every: 2m, window: 2m, iterations: 2000, churnBudget: { bytesPerHour: ${BUDGET} } }
`,
    'churn.yaml',
    path.join(__dirname),
  );
  const { summary, result } = runLoaded(loaded, { workers: 1 });

  it('moves less than the unbudgeted policy, and no rolling hour of plans exceeds the budget', () => {
    const p = summary.policies;
    expect(p.free.movedBytes).toBeGreaterThan(4 * BUDGET); // the budget binds
    expect(p.budget.movedBytes).toBeLessThan(p.free.movedBytes);
    const lane = result.lanes.find((l) => l.name === 'budget')!;
    expect(lane.report).toBeDefined();
    // the plans' predicted bytes, summed over any hour, stay within the budget
    const plans = (lane.report!.planRecords as { createdAtMs: number; predicted?: { movedBytes: number } }[]).map((r) => ({ t: r.createdAtMs, b: r.predicted?.movedBytes ?? NaN }));
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.every((x) => Number.isFinite(x.b))).toBe(true);
    for (const x of plans) {
      const hour = plans.filter((y) => y.t <= x.t && y.t > x.t - 3_600_000).reduce((a, y) => a + y.b, 0);
      expect(hour).toBeLessThanOrEqual(BUDGET * (1 + 1e-6));
    }
  });

  it('is parsed on every planning policy', () => {
    expect(loaded.policies.find(([n]) => n === 'budget')![1]).toMatchObject({ churnBudget: { bytesPerHour: BUDGET } });
  });
});

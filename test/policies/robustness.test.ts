/**
 * Robustness of the planning policies: the circuit breaker pauses planning after repeated plans
 * given up (and says when and why), and plans are cut at `apm.maxPlanActions`.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';

const scenario = (cluster: string, apm: string) => `name: robust
seed: 5
duration: 2h
warmup: 20m
tick: 5s
keyspace: { kind: user-id, keys: 20000, buckets: 128 }
workload:
  rate: 8000
  recordBytes: 128
  keys:
    - { share: 0.4, zipf: { s: 0.9, shuffle: true } }
    - { share: 0.6, band: { center: 0.1, width: 0.1, speed: 3 } }
cluster: { nodes: 4, nodeCapacity: 3000, partitions: 8, maxPartitions: 64, moveBandwidth: 20MB/s${cluster} }
apm: ${apm}
slo: { latency: 100ms }
policies:
  static: { kind: static }
  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 2000, goals: { movement: 0.5 } }
`;

describe('circuit breaker', () => {
  it('opens after repeated plans given up, pauses planning, and says when and why', () => {
    // Every operation fails and no retry is allowed: every plan with an action is given up.
    const loaded = parseScenario(scenario(', faults: { opFailureRate: 1 }', '{ retries: 0, breaker: { failures: 2, cooldown: 20m, maxCooldown: 2h } }'), 'robust.yaml', __dirname);
    const { summary } = runLoaded(loaded);
    const r = summary.policies.reactive;
    expect(r.breaker).toBeDefined();
    const b = r.breaker!;
    expect(b.opened).toBeGreaterThanOrEqual(1);
    expect(b.skippedDecisions).toBeGreaterThan(0);
    expect(b.openMs).toBeGreaterThan(0);
    expect(b.events[0].state).toBe('open');
    expect(b.events[0].reason).toMatch(/2 plans given up in a row; planning paused 1200 s; last: .*given up \[failed\]/);
    // Half-open lets one decision through; its plan fails too, so the pause doubles.
    const opens = b.events.filter((e) => e.state === 'open');
    if (opens.length > 1) expect(opens[1].reason).toMatch(/planning paused 2400 s/);
    // Without the breaker the same run proposes more plans (planning is not paused).
    const off = runLoaded(parseScenario(scenario(', faults: { opFailureRate: 1 }', '{ retries: 0, breaker: { failures: 1000 } }'), 'robust.yaml', __dirname)).summary.policies.reactive;
    expect(off.breaker!.opened).toBe(0);
    expect(off.plans.proposed).toBeGreaterThan(r.plans.proposed);
    expect(r.invariantViolations).toBe(0);
  });
});

describe('plan caps', () => {
  it('cuts plans at maxPlanActions; the next decisions plan the rest', () => {
    const { summary, result } = runLoaded(parseScenario(scenario('', '{ maxPlanActions: 2 }'), 'robust.yaml', __dirname));
    const lane = result.lanes.find((l) => l.name === 'reactive')!;
    const records = lane.report!.planRecords as { actions: unknown[]; capped?: { actions: number } }[];
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.actions.length).toBeLessThanOrEqual(2);
    expect(records.some((r) => r.capped && r.capped.actions > 2)).toBe(true);
    expect(summary.policies.reactive.sloViolationRate).toBeLessThanOrEqual(summary.policies.static.sloViolationRate);
    expect(summary.policies.reactive.invariantViolations).toBe(0);
  });
});

describe('a node removed below the highest id', () => {
  it('is never a plan target: no action rejected for it, the breaker stays shut, its partitions drained', () => {
    // Node 1 of 0…2 is removed at 1 h: the planners' node ids still run to 2, and before the fix
    // every plan sent partitions to node 1 (the least loaded, being empty), each rejected by the
    // control plane, until the breaker paused planning for most of the run.
    const text = scenario(', events: [ { removeNode: { at: 1h, node: 1 } } ]', '{}')
      .replace('nodes: 4,', 'nodes: 3,')
      .replace(/policies:[\s\S]*$/, `policies:
  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 1500 }
  oracle: { kind: oracle, every: 5m, horizon: 30m, iterations: 1500 }
`);
    const { summary, result } = runLoaded(parseScenario(text, 'robust.yaml', __dirname));
    for (const name of ['reactive', 'oracle']) {
      const p = summary.policies[name];
      expect(p.operations.rolledBack, name).toBe(0);
      expect(p.breaker!.opened, name).toBe(0);
      expect(p.invariantViolations, name).toBe(0);
      const lane = result.lanes.find((l) => l.name === name)!;
      const records = lane.report!.planRecords as { createdAtMs: number; actions: { action: { node?: number } }[] }[];
      const after = records.filter((r) => r.createdAtMs >= 3_600_000);
      expect(after.length, name).toBeGreaterThan(0);
      for (const r of after) for (const a of r.actions) expect(a.action.node, name).not.toBe(1);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { describeAction, formatPlanTable, parseSnapshot, planRepartition, planResultJson, seededRng } from '../../src/planner/index.ts';

const snapshot = {
  buckets: 8,
  load: [1, 1, 1, 1, 1, 1, 60, 60],
  stateBytes: [0, 0, 0, 0, 0, 0, 3_000_000, 3_000_000],
  partitions: { boundaries: [0, 4, 8], nodes: [0, 1] },
  cluster: { nodes: 2, nodeCapacity: 100, maxPartitions: 8, moveBandwidth: '10MB/s' },
  goals: { imbalance: 1, movement: 0.01, latency: 0 },
  threshold: 0.01,
};

describe('plan output', () => {
  it('describes each action kind on one line', () => {
    expect(describeAction({ kind: 'split', partition: 'p1', at: 6, newId: 'p2' })).toBe('split p1 at 6 → p2');
    expect(describeAction({ kind: 'create', partition: 'p1', at: 6, newId: 'p2', node: 1 })).toBe('create p1 at 6 → p2 on node 1');
    expect(describeAction({ kind: 'merge', partition: 'p1', with: 'p2' })).toBe('merge p1 + p2');
    expect(describeAction({ kind: 'move', partition: 'p1', node: 0 })).toBe('move p1 → node 0');
  });

  it('a proposed plan: JSON lists actions with dependencies; the table shows moved bytes in binary units', () => {
    const r = planRepartition(parseSnapshot(JSON.stringify(snapshot), 's.json'), { rng: seededRng(3), iterations: 3000, earlyExit: false });
    expect(r.proposed).toBe(true);
    const j = planResultJson(r) as { actions: { kind: string; dependsOn: number[] }[]; partitions: { boundaries: number[] }; predicted: { movedBytes: number } };
    expect(j.actions.length).toBe(r.plan.actions.length);
    for (const a of j.actions) expect(Array.isArray(a.dependsOn)).toBe(true);
    expect(j.partitions.boundaries).toEqual([...r.plan.after.boundaries]);
    const table = formatPlanTable(r);
    expect(table).toMatch(/^PROPOSED: /);
    expect(table).toMatch(/actions \(\d+\):/);
    if (j.predicted.movedBytes >= 1024 * 1024) expect(table).toMatch(/moved\s+-\s+\d+(\.\d+)? MiB/);
  });
});

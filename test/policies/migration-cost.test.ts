/** A spread migration priced as it runs (policies/migration-cost.ts): the APM's schedule, the layout at each cut-over, move load, backlog. */
import { describe, expect, it } from 'vitest';
import { migrationCost, paced, type MigrationInput } from '../../src/policies/migration-cost.ts';
import { estimateSchedule } from '../../src/manager/schedule.ts';
import { applyActions } from '../../src/model/apply-action.ts';
import { equalPartitionMap } from '../../src/model/partition-map.ts';
import type { PlanAction } from '../../src/model/plan.ts';

const B = 64;
const base = equalPartitionMap(B, 4, 4); // p0..p3 on nodes 0..3, 16 buckets each
const actions: PlanAction[] = [
  { kind: 'move', partition: 'p0', node: 1 },
  { kind: 'move', partition: 'p2', node: 0 },
  { kind: 'move', partition: 'p3', node: 2 },
];
const input = (over: Partial<MigrationInput> = {}): MigrationInput => ({
  base,
  target: applyActions(base, actions),
  actions,
  dependsOn: [[], [], [0]],
  rates: new Float64Array(B).fill(90 / 16), // 90 records/s a node, of 100
  avoidable: new Float64Array(B).fill(90 / 16),
  state: new Float64Array(B).fill(1e6), // 16 MB a partition, 16 s at 1 MB/s
  cluster: { nodeCapacity: 100, moveBandwidth: 1e6, moveLoad: 0.2, pauses: { split: 0, merge: 0, move: 0 }, maxConcurrentOps: 2 },
  dim: 4,
  noise: 0,
  horizonS: 6 * 3600,
  ...over,
});

describe('migration cost', () => {
  it('runs the actions on the APM’s schedule, the layout changing at each cut-over, moving nodes at reduced capacity', () => {
    const m = migrationCost(input());
    // p0 (0 → 1) and p2 (2 → 0) share node 0: 32 s each; p3 (3 → 2) waits for p0, then 16 s.
    expect(m.seconds).toBe(48);
    // 0–32 s: nodes 0, 1, 2 transfer at 80 of capacity with 90 each: 3 × 90 × 32 = 8,640 wait.
    // 32–48 s: node 1 holds p0 and p1 (180), node 3 sends p3 at 90 of 80: 180 × 16 + 90 × 16 = 4,320.
    // Backlogs: nodes 0 and 2 built 10 × 32 each and drain at 10/s on the target's spare (90 of
    // 100) for 32 s, 90 × 32 each; node 1's has no spare in the target (its own score's).
    expect(m.waiting).toBeCloseTo(8640 + 4320 + 2 * 2880, 1);
  });

  it('counts the ticks a node near what a transfer leaves it goes over, with the tick noise', () => {
    // 76 records/s a node, 80 left while transferring: nothing in the mean; with a p90 excess of
    // 10% (σ ≈ 7.8%), about a quarter of the ticks go over.
    const low = { rates: new Float64Array(B).fill(76 / 16), avoidable: new Float64Array(B).fill(76 / 16) };
    const quiet = migrationCost(input({ ...low, noise: 0 })).waiting;
    const noisy = migrationCost(input({ ...low, noise: 0.1 })).waiting;
    // Without noise (the least spread, 2%, still sends a few ticks over) node 1 waits, holding p0
    // and p1 (152) from 32 s to 48 s.
    expect(quiet).toBeGreaterThan(152 * 16);
    expect(quiet).toBeLessThan(152 * 16 + 50);
    expect(noisy - quiet).toBeGreaterThan(0.2 * 76 * 3 * 32);
    expect(noisy - quiet).toBeLessThan(0.3 * 76 * 4 * 48);
  });

  it('stops counting at the horizon', () => {
    const m = migrationCost(input({ horizonS: 20 }));
    expect(m.seconds).toBe(20);
    expect(m.waiting).toBeCloseTo(3 * 90 * 20, 1);
  });

  it('runs at a churn budget’s pace: an action starts once the budget has its bytes and those before it, at the schedule’s speed', () => {
    // 16 MB a move; 4,000 bytes/s is 14.4 MB a rolling hour, so each move waits for its bytes.
    const i = input();
    const sched = estimateSchedule({ before: base, actions, dependsOn: i.dependsOn }, i.state, i.cluster);
    const pace = 4000;
    const slow = paced(sched, pace, i.dependsOn);
    const at = (x: typeof slow, k: number) => x.actions.find((a) => a.index === k)!;
    expect(slow.actions.map((a) => a.durationMs).sort()).toEqual(sched.actions.map((a) => a.durationMs).sort());
    // p0 and p2 start together on their own; under the budget the second waits for 32 MB.
    expect(Math.max(at(slow, 0).startMs, at(slow, 1).startMs)).toBeCloseTo(((32e6 - 14.4e6) / pace) * 1000, 6);
    // p3 waits for p0 (its dependency) and for all 48 MB.
    expect(at(slow, 2).startMs).toBeGreaterThanOrEqual(at(slow, 0).startMs + at(slow, 0).durationMs);
    expect(at(slow, 2).startMs).toBeGreaterThanOrEqual(((48e6 - 14.4e6) / pace) * 1000);
    expect(paced(sched, 1e6, i.dependsOn)).toBe(sched); // an hour's budget holds the whole migration
    const m = migrationCost(input({ paceBytesPerSec: pace }));
    expect(m.seconds).toBe(slow.makespanMs / 1000);
    expect(m.waiting).toBeGreaterThan(migrationCost(input()).waiting);
  });
});

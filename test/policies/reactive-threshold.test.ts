import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { RandomSource } from '../../src/engine/random.ts';
import { applyAction } from '../../src/model/apply-action.ts';
import type { ControlPlane, OpEvent } from '../../src/model/control-plane.ts';
import { equalPartitionMap, makePartitionMap, type PartitionMap } from '../../src/model/partition-map.ts';
import type { PlanAction } from '../../src/model/plan.ts';
import type { ClusterFacts, PolicyContext } from '../../src/policies/policy.ts';
import { ReactiveThresholdPolicy } from '../../src/policies/reactive-threshold.ts';

/** A control plane that applies every accepted action at once; `refuse` rejects actions of that kind. */
class InstantControlPlane implements ControlPlane {
  readonly events$ = new Subject<OpEvent>();
  readonly submitted: PlanAction[] = [];
  constructor(
    public map: PartitionMap,
    private readonly nodes: readonly number[],
    private readonly refuse = new Set<string>(),
  ) {}
  currentMap() {
    return this.map;
  }
  activeNodes() {
    return this.nodes;
  }
  inFlight() {
    return 0;
  }
  submit(action: PlanAction) {
    if (this.refuse.has(action.kind)) return { accepted: false as const, code: 'busy' as const, reason: 'refused' };
    this.submitted.push(action);
    this.map = applyAction(this.map, action);
    return { accepted: true as const, opId: this.submitted.length };
  }
}

const FACTS: ClusterFacts = { nodeCapacity: 1000, maxPartitions: 64, moveBandwidth: 1e6, pauses: { split: 0, merge: 0, move: 0 }, maxConcurrentOps: 4, recordBytes: 100, retention: 60_000 };
const SPEC = { highWater: 0.8, lowWater: 0.2, cooldown: 300_000, every: 60_000, window: 60_000 };

/** A policy started on `control` with per-bucket observed rates `load`; `clock.now` is settable. */
function setUp(control: ControlPlane, load: number[], facts: Partial<ClusterFacts> = {}) {
  const clock = { now: 60_000 };
  const ctx: PolicyContext = {
    name: 'threshold',
    scheduler: { now: () => clock.now, at: () => 0, after: () => 0, cancel: () => {} },
    control,
    cluster: { ...FACTS, ...facts },
    buckets: load.length,
    startMs: 0,
    endMs: 3_600_000,
    warmupMs: 0,
    rng: new RandomSource(1).fork('t'),
    observedRate: (_span, out) => {
      out.set(load);
      return out;
    },
    expectedRate: (_t, out) => out,
    stateBytes: (out) => out,
  };
  const policy = new ReactiveThresholdPolicy(SPEC);
  policy.start(ctx);
  return { policy, clock, load };
}

describe('ReactiveThresholdPolicy.decide', () => {
  it('splits a partition above high water at its load median, onto the least-loaded node when that relieves its own', () => {
    // two nodes, two partitions of 4 buckets; p0 (node 0) carries 900/s of a 1000/s node; half its
    // load is reached in bucket 2, so it splits at 3; node 1 is idle: 0 + 400 < 900 − 400
    const control = new InstantControlPlane(equalPartitionMap(8, 2, 2), [0, 1]);
    const { policy } = setUp(control, [0, 100, 400, 400, 0, 0, 0, 0]);
    expect(policy.decide()).toEqual([{ kind: 'create', partition: 'p0', at: 3, node: 1, newId: 'p2' }]);
  });

  it('splits in place when moving the upper half would not relieve the node', () => {
    // node 1 is already as loaded as node 0: the half would only shift the hot spot
    const control = new InstantControlPlane(makePartitionMap(8, [0, 4, 8], [0, 1]), [0, 1]);
    const { policy } = setUp(control, [0, 0, 450, 450, 0, 0, 450, 450], { nodeCapacity: 2000, partitionCapacity: 500 });
    const acts = policy.decide();
    expect(acts.map((a) => a.kind)).toEqual(['split', 'split']);
    expect(acts[0]).toMatchObject({ partition: 'p0', at: 3 });
  });

  it('moves the hottest movable partition off a node above high water', () => {
    // node 0 holds p0 and p1 (400 + 450 = 850 > 800); nothing is above its partition capacity.
    // Moving p1 (450) would leave node 1 (40 + 450) above node 0 (400): p0 goes. The cold pair on
    // node 1 then merges (40 < 0.2 × 1000); p0, just moved, takes part in nothing else.
    const control = new InstantControlPlane(makePartitionMap(8, [0, 2, 4, 6, 8], [0, 0, 1, 1]), [0, 1]);
    const { policy } = setUp(control, [200, 200, 225, 225, 10, 10, 10, 10], { partitionCapacity: 1000 });
    expect(policy.decide()).toEqual([
      { kind: 'move', partition: 'p0', node: 1 },
      { kind: 'merge', partition: 'p2', with: 'p3' },
    ]);
  });

  it('merges cold neighbours on one node below low water, keeping at least one partition per node', () => {
    const control = new InstantControlPlane(makePartitionMap(8, [0, 2, 4, 6, 8], [0, 0, 1, 1]), [0, 1]);
    const { policy } = setUp(control, [10, 10, 10, 10, 10, 10, 10, 10]);
    // capacity of each partition: 1000 / 2 per node = 500; 40/s < 0.2 × 500
    expect(policy.decide()).toEqual([
      { kind: 'merge', partition: 'p0', with: 'p1' },
      { kind: 'merge', partition: 'p2', with: 'p3' },
    ]);
    const twoLeft = new InstantControlPlane(equalPartitionMap(8, 2, 2), [0, 1]);
    expect(setUp(twoLeft, [1, 1, 1, 1, 1, 1, 1, 1]).policy.decide()).toEqual([]);
  });

  it('a partition that took part in an operation waits out the cooldown', () => {
    const control = new InstantControlPlane(equalPartitionMap(8, 2, 2), [0, 1]);
    const { policy, clock } = setUp(control, [0, 100, 400, 400, 0, 0, 0, 0]);
    expect(policy.decide()).toHaveLength(1); // p0 → p0 + p2
    control.map = equalPartitionMap(8, 2, 2); // as if the split were undone: p0 is hot again
    clock.now += 60_000;
    expect(policy.decide()).toEqual([]); // p0 is cooling
    clock.now += SPEC.cooldown;
    expect(policy.decide()).toHaveLength(1);
  });

  it('refused submissions are not counted as done', () => {
    const control = new InstantControlPlane(equalPartitionMap(8, 2, 2), [0, 1], new Set(['create', 'split']));
    const { policy } = setUp(control, [0, 100, 400, 400, 0, 0, 0, 0]);
    expect(policy.decide()).toEqual([]);
    expect(control.submitted).toEqual([]);
  });

  it('does nothing without active nodes', () => {
    const control = new InstantControlPlane(equalPartitionMap(8, 2, 2), []);
    expect(setUp(control, [0, 0, 450, 450, 50, 50, 0, 0]).policy.decide()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { config, harness } from '../fixtures/cluster.ts';
import { PartitionManager, type ManagerEvent } from '../../src/manager/partition-manager.ts';
import { ActionTracker, TRANSITIONS, TransitionError } from '../../src/manager/action-state.ts';
import { estimateSchedule, inferDependencies } from '../../src/manager/schedule.ts';
import { applyAction, applyActions } from '../../src/model/apply-action.ts';
import { mapProblems, sameLayout, type PartitionMap } from '../../src/model/partition-map.ts';
import type { Plan, PlanAction } from '../../src/model/plan.ts';
import { RandomSource } from '../../src/engine/random.ts';

const impact = { maxPartitionLoad: 0, maxNodeLoad: 0, movedBytes: 0, imbalance: 1 };
function makePlan(before: PartitionMap, actions: PlanAction[], id = 'plan-1'): Plan {
  return { id, createdAtMs: 0, basis: 'test', before, after: applyActions(before, actions), actions, dependsOn: inferDependencies(actions), current: impact, predicted: impact, savings: 0.5 };
}

/** A random legal action sequence from `map` (seeded). */
function randomActions(map: PartitionMap, n: number, nodes: number, seed: number): PlanAction[] {
  const rng = new RandomSource(seed).fork('plan');
  const out: PlanAction[] = [];
  let m = map;
  let fresh = 500;
  for (let tries = 0; out.length < n && tries < n * 20; tries++) {
    const k = m.ids.length;
    const i = rng.int(k);
    const id = m.ids[i];
    const lo = m.boundaries[i];
    const hi = m.boundaries[i + 1];
    const kind = rng.int(4);
    let a: PlanAction;
    if (kind === 0 && hi - lo > 1) a = { kind: 'split', partition: id, at: lo + 1 + rng.int(hi - lo - 1), newId: `p${fresh++}` };
    else if (kind === 1 && hi - lo > 1) a = { kind: 'create', partition: id, at: lo + 1 + rng.int(hi - lo - 1), node: rng.int(nodes), newId: `p${fresh++}` };
    else if (kind === 2 && i + 1 < k) a = { kind: 'merge', partition: id, with: m.ids[i + 1] };
    else a = { kind: 'move', partition: id, node: rng.int(nodes) };
    try {
      m = applyAction(m, a);
      out.push(a);
    } catch {
      /* illegal here: draw again */
    }
  }
  return out;
}

describe('action state machine', () => {
  it('allows exactly the table and throws outside it', () => {
    const t = new ActionTracker();
    t.to('running', 1);
    t.to('done', 2);
    t.to('rolling-back', 3);
    t.to('rolling-back', 4, 'retry');
    t.to('rolled-back', 5);
    expect(t.history.map((h) => [h.from, h.to, h.atMs])).toEqual([
      ['pending', 'running', 1],
      ['running', 'done', 2],
      ['done', 'rolling-back', 3],
      ['rolling-back', 'rolling-back', 4],
      ['rolling-back', 'rolled-back', 5],
    ]);
    expect(() => new ActionTracker().to('done', 0)).toThrow(TransitionError);
    expect(TRANSITIONS.failed).toEqual([]);
  });
});

describe('PartitionManager', () => {
  it('executes a plan in dependency order and completes it', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 16);
    const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 4 });
    const events: ManagerEvent[] = [];
    m.events$.subscribe((e) => events.push(e));
    h.run(5, (c) => c.fill(5));
    const before = h.cluster.currentMap();
    const plan = makePlan(before, [
      { kind: 'split', partition: 'p0', at: 4, newId: 'p7' },
      { kind: 'move', partition: 'p7', node: 1 },
      { kind: 'move', partition: 'p1', node: 0 },
    ]);
    expect(plan.dependsOn).toEqual([[], [0], []]);
    m.execute(plan);
    h.run(60, (c) => c.fill(5));
    expect(sameLayout(h.cluster.currentMap(), plan.after)).toBe(true);
    expect(m.counts).toMatchObject({ proposed: 1, completed: 1 });
    const order = events.filter((e) => e.type === 'action' && e.to === 'running').map((e) => (e as { index: number }).index);
    expect(order).toEqual([0, 2, 1]);
    expect(m.records[0].outcome).toBe('completed');
  });

  it('rolls back completed actions when a later one fails, returning to the exact previous map', () => {
    const h = harness(config({ nodes: 2, partitions: 2, faults: { opFailureRate: 0, crashes: [] } }), 16);
    const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 1 });
    h.run(5, (c) => c.fill(5));
    const before = h.cluster.currentMap();
    // The third action is illegal once the first two ran (p0 is already on node 1): it fails.
    const plan: Plan = {
      ...makePlan(before, [
        { kind: 'split', partition: 'p0', at: 4, newId: 'p7' },
        { kind: 'move', partition: 'p0', node: 1 },
      ]),
      actions: [
        { kind: 'split', partition: 'p0', at: 4, newId: 'p7' },
        { kind: 'move', partition: 'p0', node: 1 },
        { kind: 'move', partition: 'p0', node: 1 },
      ],
      dependsOn: [[], [0], [1]],
    };
    m.execute(plan);
    h.run(120, (c) => c.fill(5));
    expect(m.counts.rolledBack).toBe(1);
    expect(m.rolledBackActions).toBe(2);
    expect(sameLayout(h.cluster.currentMap(), before)).toBe(true);
    expect(m.records[0].actions.map((a) => a.state)).toEqual(['rolled-back', 'rolled-back', 'failed']);
  });

  it('supersedes: a newer plan cancels the pending actions of an older one', () => {
    const h = harness(config({ nodes: 2, partitions: 4 }), 16);
    const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 1 });
    h.run(5, (c) => c.fill(5));
    const p1 = makePlan(h.cluster.currentMap(), [
      { kind: 'move', partition: 'p0', node: 1 },
      { kind: 'move', partition: 'p1', node: 0 },
      { kind: 'move', partition: 'p2', node: 1 },
    ], 'a');
    m.execute(p1);
    const base = m.planningBase();
    const p2 = makePlan(base, [{ kind: 'move', partition: 'p3', node: 0 }], 'b');
    m.execute(p2);
    h.run(120, (c) => c.fill(5));
    expect(m.records.map((r) => r.outcome)).toEqual(['superseded', 'completed']);
    expect(m.records[0].actions.map((a) => a.state)).toEqual(['done', 'cancelled', 'cancelled']);
    expect(h.cluster.currentMap().nodes).toEqual([1, 1, 0, 0]);
  });

  it('a newer plan starts beside the older plan\'s running move; its action on that partition waits for the move', () => {
    const h = harness(config({ nodes: 3, partitions: 4, maxConcurrentOps: 2, moveBandwidth: 1000 }), 16);
    const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 2 });
    h.run(5, (c) => c.fill(5));
    m.execute(makePlan(h.cluster.currentMap(), [{ kind: 'move', partition: 'p0', node: 2 }], 'a'));
    h.run(2, (c) => c.fill(5));
    const p2 = makePlan(m.planningBase(), [
      { kind: 'move', partition: 'p3', node: 2 },
      { kind: 'move', partition: 'p0', node: 1 },
    ], 'b');
    m.execute(p2);
    h.run(600, (c) => c.fill(5));
    const [a, b] = m.records;
    expect([a.outcome, b.outcome]).toEqual(['superseded', 'completed']);
    const aEnd = a.actions[0].endMs!;
    expect(b.startedAtMs).toBeLessThan(aEnd); // started while a's move ran
    expect(b.actions[0].startMs).toBeLessThan(aEnd); // p3: free, went at once
    expect(b.actions[1].startMs).toBeGreaterThanOrEqual(aEnd); // p0: waited for a's move
    expect(sameLayout(h.cluster.currentMap(), p2.after)).toBe(true);
  });

  it('property: a plan superseding a running one, random failures: the map stays whole, the limit holds; without failures it ends in its planned map', () => {
    const seen = { beside: 0, completed: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom(0, 0, 0.3), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 20 }), (seed, n1, n2, failRate, limit, gap) => {
        const h = harness(config({ nodes: 3, partitions: 4, maxConcurrentOps: limit, moveBandwidth: 20_000, faults: { opFailureRate: failRate, crashes: [] } }), 32, 1000, seed);
        const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: limit, retries: 2, retry: { baseMs: 500, maxMs: 4000 } });
        let maxInFlight = 0;
        h.cluster.events$.subscribe(() => (maxInFlight = Math.max(maxInFlight, h.cluster.inFlight())));
        h.run(3, (c) => c.fill(3));
        const before = h.cluster.currentMap();
        m.execute(makePlan(before, randomActions(before, n1, 3, seed), 'a'));
        h.run(gap, (c) => c.fill(3));
        const base = m.planningBase();
        const p2 = makePlan(base, randomActions(base, n2, 3, seed + 1), 'b');
        const older = h.cluster.inFlight();
        m.execute(p2);
        h.run(1500, (c) => c.fill(3), () => expect(mapProblems(h.cluster.currentMap(), 3)).toEqual([]));
        expect(m.busy).toBe(false);
        expect(maxInFlight).toBeLessThanOrEqual(limit);
        const b = m.records[1];
        if (older > 0 && b.startedAtMs !== undefined && b.startedAtMs < Math.max(...m.records[0].actions.map((x) => x.endMs ?? 0))) seen.beside++;
        if (failRate === 0) {
          expect(b.outcome).toBe('completed');
          expect(sameLayout(h.cluster.currentMap(), p2.after)).toBe(true);
          seen.completed++;
        }
      }),
      { numRuns: 80, seed: 4242 },
    );
    expect(seen.beside).toBeGreaterThan(5); // plans did start beside older operations
    expect(seen.completed).toBeGreaterThan(20);
  });

  it('aborts a plan whose saving no longer clears the threshold at a batch boundary', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 16);
    let calls = 0;
    const m = new PartitionManager({
      control: h.cluster,
      scheduler: h.scheduler,
      maxConcurrentOps: 4,
      threshold: 0.05,
      recheck: () => {
        calls++;
        return { savings: 0.01, partialPays: false };
      },
    });
    h.run(5, (c) => c.fill(5));
    const before = h.cluster.currentMap();
    m.execute(makePlan(before, [
      { kind: 'split', partition: 'p0', at: 4, newId: 'p7' },
      { kind: 'move', partition: 'p7', node: 1 },
    ]));
    h.run(60, (c) => c.fill(5));
    expect(calls).toBe(1);
    expect(m.counts.aborted).toBe(1);
    expect(sameLayout(h.cluster.currentMap(), before)).toBe(true);
    expect(m.records[0].actions.map((a) => a.state)).toEqual(['rolled-back', 'cancelled']);
  });

  it('property: random plans with random failures end in the planned map or the exact previous one, within the concurrency limit', () => {
    const seen = { completed: 0, 'rolled-back': 0, undoRetries: 0, retried: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 8 }), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), (seed, n, failRate, limit, retries) => {
        const h = harness(config({ nodes: 3, partitions: 4, maxConcurrentOps: limit, moveBandwidth: 50_000, faults: { opFailureRate: failRate, crashes: [] } }), 32, 1000, seed);
        const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: limit, retries, retry: { baseMs: 500, maxMs: 4000 } });
        m.events$.subscribe((e) => {
          if (e.type === 'undo-step' && e.status === 'failed') seen.undoRetries++;
        });
        let maxInFlight = 0;
        h.cluster.events$.subscribe(() => (maxInFlight = Math.max(maxInFlight, h.cluster.inFlight())));
        h.run(3, (c) => c.fill(3));
        const before = h.cluster.currentMap();
        const actions = randomActions(before, n, 3, seed);
        const plan = makePlan(before, actions);
        m.execute(plan);
        h.run(900, (c) => c.fill(3), () => {
          expect(mapProblems(h.cluster.currentMap(), 3)).toEqual([]);
          expect(h.cluster.inFlight()).toBeLessThanOrEqual(limit);
        });
        expect(m.busy).toBe(false);
        const end = h.cluster.currentMap();
        const outcome = m.records[0].outcome;
        if (outcome === 'completed' || outcome === 'rolled-back') seen[outcome]++;
        if (m.retriedActions > 0) seen.retried++;
        // No action was retried beyond its budget.
        for (const a of m.records[0].actions) expect(a.retries ?? 0).toBeLessThanOrEqual(retries);
        if (outcome === 'completed') expect(sameLayout(end, plan.after)).toBe(true);
        else {
          expect(outcome).toBe('rolled-back');
          expect(sameLayout(end, before)).toBe(true);
        }
        expect(maxInFlight).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 120, seed: 777 },
    );
    // The runs exercised both endings and retried undo steps that failed.
    expect(seen.completed).toBeGreaterThan(10);
    expect(seen['rolled-back']).toBeGreaterThan(5);
    expect(seen.undoRetries).toBeGreaterThan(0);
    expect(seen.retried).toBeGreaterThan(5);
  });
});

describe('schedule preview', () => {
  it('a split refused at maxPartitions waits for a merge of its batch without spending its retries', () => {
    // 4 partitions at a cap of 4 on one node: the split can only run once the slow merge is done.
    const cfg = config({ nodes: 1, partitions: 4, maxPartitions: 4, pauses: { split: 50, merge: 30_000, move: 200 } });
    const outcome = (retries: number) => {
      const h = harness(cfg, 16);
      const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 4, retries, retry: { baseMs: 500, maxMs: 1000 } });
      const events: ManagerEvent[] = [];
      m.events$.subscribe((e) => events.push(e));
      h.run(2, (c) => c.fill(1));
      const before = h.cluster.currentMap();
      const plan = makePlan(before, [
        { kind: 'split', partition: before.ids[3], at: 14, newId: 'p9' },
        { kind: 'merge', partition: before.ids[0], with: before.ids[1] },
      ]);
      expect(plan.dependsOn).toEqual([[], []]); // one batch
      m.execute(plan);
      h.run(60, (c) => c.fill(1));
      const ends = events.filter((e) => e.type === 'plan' && e.status !== 'started' && e.status !== 'waiting').map((e) => (e as { status: string }).status);
      return { ends, map: h.cluster.currentMap(), plan, retried: m.retriedActions };
    };
    const r = outcome(2);
    expect(r.ends).toEqual(['completed']);
    expect(sameLayout(r.map, r.plan.after)).toBe(true);
    expect(r.map.ids.length).toBe(4);
    expect(r.retried).toBe(0);
  });

  it('orders batches, respects the concurrency limit and stretches transfers sharing a node', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 8);
    const before = h.cluster.currentMap();
    const plan = makePlan(before, [
      { kind: 'split', partition: 'p0', at: 2, newId: 'p5' },
      { kind: 'move', partition: 'p5', node: 1 },
      { kind: 'move', partition: 'p1', node: 0 },
    ]);
    const state = new Float64Array(8).fill(1000); // 1000 B per bucket
    const s = estimateSchedule(plan, state, { moveBandwidth: 1000, pauses: { split: 50, merge: 50, move: 200 }, maxConcurrentOps: 2 });
    expect(s.batches).toBe(2);
    const byIndex = Object.fromEntries(s.actions.map((a) => [a.index, a]));
    expect(byIndex[0]).toMatchObject({ batch: 0, startMs: 0, durationMs: 50 });
    // p1 (4 buckets, 4000 B) shares nothing with the split in its wave: 4 s + 200 ms.
    expect(byIndex[2]).toMatchObject({ batch: 0, startMs: 0, durationMs: 4200, bytes: 4000 });
    expect(byIndex[1]).toMatchObject({ batch: 1, startMs: 4200, bytes: 2000, durationMs: 2200 });
    expect(s.makespanMs).toBe(6400);
  });
});

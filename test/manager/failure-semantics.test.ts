/**
 * The APM's failure semantics: transient failures retried per action within a budget, permanent
 * ones and spent budgets give the plan up (whole-plan rollback to the previous map), operation
 * timeouts through `ControlPlane.cancel`, and the plan state table.
 */
import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { config, harness } from '../fixtures/cluster.ts';
import { PartitionManager } from '../../src/manager/partition-manager.ts';
import { PLAN_TRANSITIONS, PlanTracker } from '../../src/manager/plan-state.ts';
import { TransitionError } from '../../src/manager/action-state.ts';
import { inferDependencies } from '../../src/manager/schedule.ts';
import { applyActions } from '../../src/model/apply-action.ts';
import { sameLayout, type PartitionMap } from '../../src/model/partition-map.ts';
import type { ControlPlane, OpCode, OpEvent } from '../../src/model/control-plane.ts';
import type { Plan, PlanAction } from '../../src/model/plan.ts';
import { Priority } from '../../src/engine/virtual-scheduler.ts';
import type { SimCluster } from '../../src/cluster/sim-cluster.ts';

const impact = { maxPartitionLoad: 0, maxNodeLoad: 0, movedBytes: 0, imbalance: 1 };
function makePlan(before: PartitionMap, actions: PlanAction[], id = 'plan-1'): Plan {
  return { id, createdAtMs: 0, basis: 'test', before, after: applyActions(before, actions), actions, dependsOn: inferDependencies(actions), current: impact, predicted: impact, savings: 0.5 };
}

/**
 * A control plane over a SimCluster that fails chosen operations 10 ms after they start (through
 * the cluster's `cancel`, so the map stays as it was), with the code `failWith(action, attempt)`
 * returns (undefined: let it run). Undo steps (tag ending in `:undo`) are never failed.
 */
function flaky(cluster: SimCluster, h: ReturnType<typeof harness>, failWith: (a: PlanAction, attempt: number) => OpCode | undefined): ControlPlane {
  const attempts = new Map<string, number>();
  const events$ = new Subject<OpEvent>();
  cluster.events$.subscribe((e) => events$.next(e));
  return {
    currentMap: () => cluster.currentMap(),
    activeNodes: () => cluster.activeNodes(),
    inFlight: () => cluster.inFlight(),
    cancel: (id, code, reason) => cluster.cancel(id, code, reason),
    events$,
    submit(action, tag) {
      const r = cluster.submit(action, tag);
      if (!r.accepted || tag?.endsWith(':undo')) return r;
      const key = JSON.stringify(action);
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      const code = failWith(action, n);
      if (code) h.scheduler.after(10, () => cluster.cancel(r.opId, code, `injected ${code}`), Priority.control);
      return r;
    },
  };
}

const ACTIONS: PlanAction[] = [
  { kind: 'split', partition: 'p0', at: 4, newId: 'p7' },
  { kind: 'move', partition: 'p7', node: 1 },
  { kind: 'move', partition: 'p1', node: 0 },
];

describe('APM failure semantics', () => {
  it('retries an action that failed transiently and completes the plan', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 16);
    const control = flaky(h.cluster, h, (a, n) => (n === 1 && a.kind === 'move' ? 'failed' : undefined));
    const m = new PartitionManager({ control, scheduler: h.scheduler, maxConcurrentOps: 4, retries: 3, retry: { baseMs: 1000, maxMs: 8000 } });
    h.run(5, (c) => c.fill(5));
    const plan = makePlan(h.cluster.currentMap(), ACTIONS);
    m.execute(plan);
    h.run(120, (c) => c.fill(5));
    expect(m.records[0].outcome).toBe('completed');
    expect(sameLayout(h.cluster.currentMap(), plan.after)).toBe(true);
    expect(m.retriedActions).toBe(2);
    expect(m.records[0].actions.map((a) => a.retries ?? 0)).toEqual([0, 1, 1]);
  });

  it('gives the plan up when the retry budget is spent and returns to the exact previous map', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 16);
    const control = flaky(h.cluster, h, (a) => (a.kind === 'move' && a.partition === 'p1' ? 'timeout' : undefined));
    const m = new PartitionManager({ control, scheduler: h.scheduler, maxConcurrentOps: 1, retries: 2, retry: { baseMs: 500, maxMs: 2000 } });
    h.run(5, (c) => c.fill(5));
    const before = h.cluster.currentMap();
    m.execute(makePlan(before, ACTIONS));
    h.run(300, (c) => c.fill(5));
    expect(m.records[0].outcome).toBe('rolled-back');
    expect(sameLayout(h.cluster.currentMap(), before)).toBe(true);
    const p1 = m.records[0].actions[2];
    expect(p1.state).toBe('failed');
    expect(p1.retries).toBe(2);
    expect(p1.reason).toMatch(/retry budget of 2 spent/);
    expect(m.records[0].reason).toMatch(/given up \[timeout\]/);
  });

  it('does not retry a permanent failure (node-down, illegal)', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 16);
    const control = flaky(h.cluster, h, (a) => (a.kind === 'move' ? 'node-down' : undefined));
    const m = new PartitionManager({ control, scheduler: h.scheduler, maxConcurrentOps: 4, retries: 5 });
    h.run(5, (c) => c.fill(5));
    const before = h.cluster.currentMap();
    m.execute(makePlan(before, ACTIONS));
    h.run(120, (c) => c.fill(5));
    expect(m.records[0].outcome).toBe('rolled-back');
    expect(m.retriedActions).toBe(0);
    expect(sameLayout(h.cluster.currentMap(), before)).toBe(true);
  });

  it('cancels a stuck operation at its timeout (code timeout) and retries it', () => {
    // Every operation gets stuck: each attempt times out; the budget runs out; the plan is undone.
    const h = harness(config({ nodes: 2, partitions: 2, faults: { opFailureRate: 0, stuckOpRate: 1, crashes: [] } }), 16);
    const codes: (OpCode | undefined)[] = [];
    h.cluster.events$.subscribe((e) => e.status === 'failed' && codes.push(e.code));
    const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 4, retries: 1, retry: { baseMs: 1000, maxMs: 1000 }, opTimeoutMs: () => 5000 });
    h.run(5, (c) => c.fill(5));
    const before = h.cluster.currentMap();
    m.execute(makePlan(before, [{ kind: 'move', partition: 'p1', node: 0 }]));
    h.run(60, (c) => c.fill(5));
    expect(codes).toEqual(['timeout', 'timeout']);
    expect(m.timedOutOps).toBe(2);
    expect(m.records[0].outcome).toBe('rolled-back');
    expect(h.cluster.inFlight()).toBe(0);
    expect(sameLayout(h.cluster.currentMap(), before)).toBe(true);
    // The attempts were 5 s apart plus the backoff: started at 5 s, timed out at 10 s, resubmitted at 11 s, timed out at 16 s.
    expect(m.records[0].endedAtMs).toBe(16_000);
  });

  it('without timeouts a stuck operation holds its plan (and a newer plan waits for it)', () => {
    const h = harness(config({ nodes: 2, partitions: 2, faults: { opFailureRate: 0, stuckOpRate: 1, crashes: [] } }), 16);
    const m = new PartitionManager({ control: h.cluster, scheduler: h.scheduler, maxConcurrentOps: 4 });
    h.run(5, (c) => c.fill(5));
    m.execute(makePlan(h.cluster.currentMap(), [{ kind: 'move', partition: 'p1', node: 0 }]));
    h.run(600, (c) => c.fill(5));
    expect(m.records[0].outcome).toBeUndefined();
    expect(h.cluster.inFlight()).toBe(1);
  });

  it('slow operations take slowFactor times longer', () => {
    const h = harness(config({ nodes: 2, partitions: 2, faults: { opFailureRate: 0, slowOpRate: 1, slowFactor: 4, crashes: [] } }), 16);
    const done: OpEvent[] = [];
    h.cluster.events$.subscribe((e) => e.status === 'done' && done.push(e));
    h.run(2, (c) => c.fill(5));
    h.scheduler.at(h.now(), () => h.cluster.submit({ kind: 'split', partition: 'p0', at: 4, newId: 'p9' }), Priority.control);
    h.run(3, (c) => c.fill(5));
    expect(done.map((e) => e.durationMs)).toEqual([200]); // 4 × the 50 ms split pause
  });
});

describe('plan state machine', () => {
  it('allows exactly the table and throws outside it', () => {
    const t = new PlanTracker();
    t.to('running');
    t.to('rolling-back');
    t.to('rolled-back');
    expect(() => t.to('running')).toThrow(TransitionError);
    expect(() => new PlanTracker().to('completed')).toThrow(TransitionError);
    for (const end of ['completed', 'rolled-back', 'superseded', 'aborted'] as const) expect(PLAN_TRANSITIONS[end]).toEqual([]);
  });
});

describe('APM defaults', () => {
  it('the manager defaults equal the scenario schema defaults', async () => {
    const { defaultApm } = await import('../../src/scenario/schema.ts');
    const { DEFAULT_APM } = await import('../../src/manager/apm-config.ts');
    expect(defaultApm()).toEqual(DEFAULT_APM);
  });
});

/**
 * The ControlPlane contract, hono-style: one suite that every implementation runs (the simulated
 * cluster, the in-memory plane, Redis). It pins what the APM relies on: submissions are accepted
 * or rejected at once with a stable code and change nothing when rejected; the map changes only
 * when an operation's `done` event arrives; a failed operation leaves the map as it was; a plan
 * whose action fails is rolled back by the APM to the map before it; a plane that can `cancel`
 * stops a move in flight, leaves the map as it was and lets the APM's operation timeout retry it;
 * and `verify()` finds the plane's map and the cluster behind it in agreement after all of it
 * (for Redis: no slot left open).
 */
import { describe, expect, it } from 'vitest';
import { PartitionManager } from '../../src/manager/partition-manager.ts';
import { inferDependencies } from '../../src/manager/schedule.ts';
import { applyAction, applyActions } from '../../src/model/apply-action.ts';
import { isTransient, type ControlPlane, type OpEvent } from '../../src/model/control-plane.ts';
import { mapProblems, sameLayout, type PartitionMap } from '../../src/model/partition-map.ts';
import type { Plan, PlanAction } from '../../src/model/plan.ts';
import type { SchedulerPort } from '../../src/engine/virtual-scheduler.ts';

/** The shape every implementation starts from: 64 buckets, 4 equal partitions round-robin on 3 nodes. */
export const CONTRACT_LAYOUT = { buckets: 64, partitions: 4, nodes: 3 } as const;

/** What an implementation hands the suite. */
export interface ControlPlaneHarness {
  readonly control: ControlPlane;
  readonly scheduler: SchedulerPort;
  /** Drives the plane (ticks, real time) until `pred` holds; rejects after `limitMs` of plane time. */
  until(pred: () => boolean, limitMs?: number): Promise<void>;
  /** Makes the next accepted move or create fail part-way (after it started sending). */
  failNextMove(): void;
  /** Disagreements between the plane's map and the cluster behind it (empty when none). */
  verify(): Promise<string[]>;
  close(): Promise<void>;
}

const impact = { maxPartitionLoad: 0, maxNodeLoad: 0, movedBytes: 0, imbalance: 1 };
function plan(before: PartitionMap, actions: PlanAction[], id: string): Plan {
  return { id, createdAtMs: 0, basis: 'contract', before, after: applyActions(before, actions), actions, dependsOn: inferDependencies(actions), current: impact, predicted: impact, savings: 0.5 };
}

/** Runs the contract against `make()` (a fresh plane per test). */
export function controlPlaneContract(name: string, make: () => Promise<ControlPlaneHarness>, opts: { timeoutMs?: number; skip?: string; noCancel?: string } = {}): void {
  const d = opts.skip ? describe.skip : describe;
  d(`ControlPlane contract: ${name}${opts.skip ? ` (skipped: ${opts.skip})` : ''}`, () => {
    const test = (title: string, fn: (h: ControlPlaneHarness, events: OpEvent[]) => Promise<void>, skip?: string) =>
      (skip ? it.skip : it)(`${title}${skip ? ` (skipped: ${skip})` : ''}`, async () => {
        const h = await make();
        const events: OpEvent[] = [];
        const sub = h.control.events$.subscribe((e) => events.push(e));
        try {
          await fn(h, events);
          expect(await h.verify()).toEqual([]);
        } finally {
          sub.unsubscribe();
          await h.close();
        }
      }, opts.timeoutMs ?? 30_000);

    test('starts from a sound map with every node up and nothing in flight', async (h) => {
      const m = h.control.currentMap();
      expect(mapProblems(m, CONTRACT_LAYOUT.nodes)).toEqual([]);
      expect(m.boundaries).toEqual([0, 16, 32, 48, 64]);
      expect(m.nodes).toEqual([0, 1, 2, 0]);
      expect(h.control.activeNodes()).toEqual([0, 1, 2]);
      expect(h.control.inFlight()).toBe(0);
    });

    test('a split is accepted, changes the map only when done, and reports started then done', async (h, events) => {
      const before = h.control.currentMap();
      const a: PlanAction = { kind: 'split', partition: 'p0', at: 8, newId: 'p9' };
      const r = h.control.submit(a, 'tag-1');
      expect(r.accepted).toBe(true);
      if (!r.accepted) return;
      expect(sameLayout(h.control.currentMap(), before)).toBe(true);
      expect(h.control.inFlight()).toBe(1);
      await h.until(() => events.some((e) => e.opId === r.opId && e.status === 'done'));
      const mine = events.filter((e) => e.opId === r.opId);
      expect(mine.map((e) => e.status)).toEqual(['started', 'done']);
      expect(mine.every((e) => e.tag === 'tag-1')).toBe(true);
      expect(mine[1].durationMs).toBeGreaterThanOrEqual(0);
      expect(mine[1].timeMs).toBeGreaterThanOrEqual(mine[0].timeMs);
      const after = h.control.currentMap();
      expect(sameLayout(after, applyAction(before, a))).toBe(true);
      expect(after.version).toBeGreaterThan(before.version);
      expect(h.control.inFlight()).toBe(0);
    });

    test('a move sends the partition to its node and reports where it came from and the bytes', async (h, events) => {
      const r = h.control.submit({ kind: 'move', partition: 'p1', node: 2 });
      expect(r.accepted).toBe(true);
      if (!r.accepted) return;
      await h.until(() => events.some((e) => e.opId === r.opId && e.status !== 'started'));
      const done = events.find((e) => e.opId === r.opId && e.status === 'done')!;
      expect(done).toBeDefined();
      expect(done.fromNode).toBe(1);
      expect(done.range).toEqual({ start: 16, end: 32 });
      expect(done.bytes).toBeGreaterThanOrEqual(0);
      expect(h.control.currentMap().nodes).toEqual([0, 2, 2, 0]);
    });

    test('rejects what cannot apply, with a stable code, and changes nothing', async (h) => {
      const before = h.control.currentMap();
      const cases: [PlanAction, string][] = [
        [{ kind: 'split', partition: 'p42', at: 4, newId: 'p9' }, 'illegal'],
        [{ kind: 'split', partition: 'p0', at: 0, newId: 'p9' }, 'illegal'],
        [{ kind: 'split', partition: 'p0', at: 4, newId: 'p1' }, 'illegal'],
        [{ kind: 'merge', partition: 'p0', with: 'p1' }, 'illegal'],
        [{ kind: 'merge', partition: 'p0', with: 'p3' }, 'illegal'],
        [{ kind: 'move', partition: 'p0', node: 0 }, 'noop'],
        [{ kind: 'move', partition: 'p0', node: 7 }, 'illegal'],
        [{ kind: 'create', partition: 'p2', at: 40, node: 9, newId: 'p9' }, 'illegal'],
      ];
      for (const [a, code] of cases) {
        const r = h.control.submit(a);
        expect(r.accepted, JSON.stringify(a)).toBe(false);
        if (!r.accepted) {
          expect(r.code, JSON.stringify(a)).toBe(code);
          expect(r.reason.length).toBeGreaterThan(3);
        }
      }
      expect(sameLayout(h.control.currentMap(), before)).toBe(true);
      expect(h.control.inFlight()).toBe(0);
    });

    test('a partition in an operation is busy until it ends', async (h, events) => {
      const r = h.control.submit({ kind: 'move', partition: 'p0', node: 1 });
      expect(r.accepted).toBe(true);
      const again = h.control.submit({ kind: 'split', partition: 'p0', at: 4, newId: 'p9' });
      expect(again.accepted).toBe(false);
      if (!again.accepted) {
        expect(again.code).toBe('busy');
        expect(isTransient(again.code)).toBe(true);
      }
      await h.until(() => h.control.inFlight() === 0);
      expect(events.filter((e) => e.status === 'done')).toHaveLength(1);
      const later = h.control.submit({ kind: 'split', partition: 'p0', at: 4, newId: 'p9' });
      expect(later.accepted).toBe(true);
      await h.until(() => h.control.inFlight() === 0);
    });

    test('a move that fails part-way leaves the map as it was, with a transient code', async (h, events) => {
      const before = h.control.currentMap();
      h.failNextMove();
      const r = h.control.submit({ kind: 'move', partition: 'p2', node: 0 });
      expect(r.accepted).toBe(true);
      if (!r.accepted) return;
      await h.until(() => events.some((e) => e.opId === r.opId && e.status !== 'started'));
      const failed = events.find((e) => e.opId === r.opId && e.status === 'failed')!;
      expect(failed).toBeDefined();
      expect(failed.code).toBeDefined();
      expect(isTransient(failed.code!)).toBe(true);
      expect(failed.reason!.length).toBeGreaterThan(3);
      expect(sameLayout(h.control.currentMap(), before)).toBe(true);
      expect(h.control.inFlight()).toBe(0);
    });

    test('the APM completes a plan of create, move, split and merge', async (h) => {
      const m = new PartitionManager({ control: h.control, scheduler: h.scheduler, maxConcurrentOps: 2 });
      const before = h.control.currentMap();
      const p = plan(
        before,
        [
          { kind: 'create', partition: 'p0', at: 8, node: 1, newId: 'p4' },
          { kind: 'split', partition: 'p2', at: 40, newId: 'p5' },
          { kind: 'move', partition: 'p3', node: 2 },
          { kind: 'move', partition: 'p5', node: 0 },
          { kind: 'merge', partition: 'p4', with: 'p1' },
        ],
        'plan-ok',
      );
      m.execute(p);
      await h.until(() => !m.busy, 60_000);
      expect(m.counts.completed).toBe(1);
      expect(sameLayout(h.control.currentMap(), p.after)).toBe(true);
    });

    test('the APM rolls a plan back to the map before it when a move fails', async (h) => {
      const before = h.control.currentMap();
      const p = plan(
        before,
        [
          { kind: 'split', partition: 'p1', at: 24, newId: 'p6' },
          { kind: 'move', partition: 'p6', node: 0 },
          { kind: 'move', partition: 'p1', node: 2 },
        ],
        'plan-fail',
      );
      // Fail the second move: the split and the first move are done by then and must be undone.
      let moves = 0;
      const sub = h.control.events$.subscribe((e) => {
        if (e.status === 'done' && e.action.kind === 'move' && e.action.partition === 'p6' && moves++ === 0) h.failNextMove();
      });
      // Subscribed before the APM, so the failure is armed before it submits the next move.
      // No retry budget: the first failure gives the plan up (with retries, see the next test).
      const m = new PartitionManager({ control: h.control, scheduler: h.scheduler, maxConcurrentOps: 1, retry: { baseMs: 50, maxMs: 500 }, retries: 0 });
      m.execute(p);
      await h.until(() => !m.busy, 60_000);
      sub.unsubscribe();
      expect(m.counts.rolledBack).toBe(1);
      expect(m.rolledBackActions).toBe(2);
      expect(sameLayout(h.control.currentMap(), before)).toBe(true);
    });

    const cancelTest = (title: string, fn: (h: ControlPlaneHarness, events: OpEvent[]) => Promise<void>) =>
      test(
        title,
        async (h, events) => {
          expect(typeof h.control.cancel).toBe('function');
          await fn(h, events);
        },
        opts.noCancel,
      );

    cancelTest('a cancelled move stops, fails with the given code and leaves the map as it was', async (h, events) => {
      const before = h.control.currentMap();
      const r = h.control.submit({ kind: 'move', partition: 'p1', node: 2 });
      expect(r.accepted).toBe(true);
      if (!r.accepted) return;
      await h.until(() => events.some((e) => e.opId === r.opId && e.status === 'started'));
      expect(h.control.cancel!(r.opId, 'timeout', 'cancelled by the contract')).toBe(true);
      await h.until(() => events.some((e) => e.opId === r.opId && e.status !== 'started'));
      const end = events.find((e) => e.opId === r.opId && e.status !== 'started')!;
      expect(end.status).toBe('failed');
      expect(end.code).toBe('timeout');
      expect(end.reason).toContain('cancelled by the contract');
      expect(sameLayout(h.control.currentMap(), before)).toBe(true);
      expect(h.control.inFlight()).toBe(0);
      expect(h.control.cancel!(r.opId, 'timeout', 'again')).toBe(false);
      // The partition is free again: a new move of it is accepted and completes.
      const again = h.control.submit({ kind: 'move', partition: 'p1', node: 2 });
      expect(again.accepted).toBe(true);
      if (again.accepted) await h.until(() => events.some((e) => e.opId === again.opId && e.status === 'done'));
      expect(h.control.currentMap().nodes[1]).toBe(2);
    });

    cancelTest("the APM's operation timeout cancels a move through the plane, and the retry completes", async (h) => {
      const before = h.control.currentMap();
      const p = plan(before, [{ kind: 'move', partition: 'p2', node: 1 }], 'plan-timeout');
      let submissions = 0;
      // The first attempt gets 1 ms (it cannot finish in time), the retry a minute.
      const m = new PartitionManager({ control: h.control, scheduler: h.scheduler, maxConcurrentOps: 1, retry: { baseMs: 50, maxMs: 500 }, retries: 2, opTimeoutMs: () => (submissions++ === 0 ? 1 : 60_000) });
      m.execute(p);
      await h.until(() => !m.busy, 60_000);
      expect(m.timedOutOps).toBe(1);
      expect(m.counts.completed).toBe(1);
      expect(sameLayout(h.control.currentMap(), p.after)).toBe(true);
    });

    test('the APM retries a move that failed part-way, and the plan completes', async (h) => {
      const before = h.control.currentMap();
      const p = plan(before, [{ kind: 'move', partition: 'p1', node: 2 }], 'plan-retry');
      h.failNextMove();
      const failed: OpEvent[] = [];
      const sub = h.control.events$.subscribe((e) => {
        if (e.status === 'failed') failed.push(e);
      });
      const m = new PartitionManager({ control: h.control, scheduler: h.scheduler, maxConcurrentOps: 1, retry: { baseMs: 50, maxMs: 500 }, retries: 2 });
      m.execute(p);
      await h.until(() => !m.busy, 60_000);
      sub.unsubscribe();
      expect(failed.length).toBe(1);
      expect(failed[0].code).toBe('failed');
      expect(m.counts.completed).toBe(1);
      expect(m.counts.rolledBack).toBe(0);
      expect(sameLayout(h.control.currentMap(), p.after)).toBe(true);
    });
  });
}

/**
 * The APM, Adaptive Partition Manager: executes plans through a `ControlPlane`, in dependency
 * order (batches = levels of `plan.dependsOn`), at most `maxConcurrentOps` operations at once;
 * streams status events; re-checks a plan's saving before each batch (stale-plan guard); and on
 * any failure undoes the plan's completed actions in reverse order, so the cluster returns to the
 * configuration before the plan (undo steps that fail are retried with exponential backoff).
 * A newer plan supersedes the pending actions of an older one.
 *
 * Plan outcomes: `completed`, `rolled-back` (an action failed; undone), `superseded` (a newer plan
 * took over; what was done stays), `aborted` (the re-check found it no longer pays; completed
 * batches are kept if they pay, else rolled back too).
 */
import { Subject } from 'rxjs';
import { Priority, type SchedulerPort } from '../engine/virtual-scheduler.ts';
import { applyAction } from '../model/apply-action.ts';
import type { ControlPlane, OpEvent } from '../model/control-plane.ts';
import { sameLayout, type PartitionMap } from '../model/partition-map.ts';
import type { Plan, PlanAction } from '../model/plan.ts';
import { ActionTracker, type ActionState } from './action-state.ts';
import { planBatches } from './batches.ts';

export type PlanOutcome = 'completed' | 'rolled-back' | 'superseded' | 'aborted';

/** A status event of the APM. */
export type ManagerEvent =
  | { readonly type: 'action'; readonly timeMs: number; readonly planId: string; readonly index: number; readonly action: PlanAction; readonly from: ActionState; readonly to: ActionState; readonly reason?: string }
  | { readonly type: 'plan'; readonly timeMs: number; readonly planId: string; readonly status: 'started' | 'waiting' | PlanOutcome; readonly reason?: string }
  | { readonly type: 'undo-step'; readonly timeMs: number; readonly planId: string; readonly index: number; readonly step: PlanAction; readonly status: 'done' | 'failed'; readonly reason?: string; readonly attempt: number };

/** What the stale-plan guard learns from the policy. */
export interface Recheck {
  /** The plan's saving now (against the latest forecast), as a fraction. */
  readonly savings: number;
  /** Whether the configuration reached so far is better than the one before the plan. */
  readonly partialPays: boolean;
}

export interface ManagerOptions {
  readonly control: ControlPlane;
  readonly scheduler: SchedulerPort;
  readonly maxConcurrentOps: number;
  /** Minimum saving for a plan to go on; with `recheck`. */
  readonly threshold?: number;
  /** Called before each batch after the first; omit to never re-check. */
  readonly recheck?: (plan: Plan, current: PartitionMap) => Recheck;
  /** Backoff of retried undo steps and re-submissions (ms). */
  readonly retry?: { readonly baseMs: number; readonly maxMs: number };
  /** Prefix of operation tags (the policy name). */
  readonly tag?: string;
}

/** A plan as data with its execution record (one line of `plans.jsonl`). */
export interface PlanRecord {
  id: string;
  basis: string;
  createdAtMs: number;
  startedAtMs?: number;
  endedAtMs?: number;
  outcome?: PlanOutcome;
  reason?: string;
  savings: number;
  current: Plan['current'];
  predicted: Plan['predicted'];
  actions: { action: PlanAction; state: ActionState; startMs?: number; endMs?: number; bytes?: number; reason?: string }[];
}

/** Plan-level counts (`summary.json` `plans`). */
export interface PlanCounts {
  proposed: number;
  completed: number;
  rolledBack: number;
  superseded: number;
  aborted: number;
}

interface UndoInfo {
  steps: PlanAction[];
  next: number;
  attempt: number;
}

class PlanRun {
  readonly trackers: ActionTracker[];
  readonly batchOf: number[];
  readonly batches: number;
  batch = 0;
  phase: 'waiting' | 'running' | 'rolling-back' | 'ended' = 'waiting';
  /** opId → action index (own operations in flight). */
  readonly ops = new Map<number, number>();
  /** Undo steps per action index, filled when the action completes. */
  readonly undo = new Map<number, UndoInfo>();
  /** Completion order of done actions (undo runs in reverse). */
  readonly doneOrder: number[] = [];
  undoQueue: number[] = [];
  undoOp: number | null = null;
  startMap: PartitionMap | null = null;
  /** Scheduler handle of a pending retry, or −1. */
  retryTimer = -1;
  readonly record: PlanRecord;
  constructor(readonly plan: Plan) {
    this.trackers = plan.actions.map(() => new ActionTracker());
    const b = planBatches(plan.actions.length, plan.dependsOn);
    this.batchOf = b.batchOf;
    this.batches = b.count;
    this.record = {
      id: plan.id,
      basis: plan.basis,
      createdAtMs: plan.createdAtMs,
      savings: plan.savings,
      current: plan.current,
      predicted: plan.predicted,
      actions: plan.actions.map((action) => ({ action, state: 'pending' as ActionState })),
    };
  }
}

export class PartitionManager {
  readonly events$ = new Subject<ManagerEvent>();
  readonly counts: PlanCounts = { proposed: 0, completed: 0, rolledBack: 0, superseded: 0, aborted: 0 };
  /** Actions undone (`operations.rolledBack`). */
  rolledBackActions = 0;
  /** Every plan handed to `execute`, with its outcome (for `plans.jsonl`). */
  readonly records: PlanRecord[] = [];
  private active: PlanRun | null = null;
  /** Older plans whose running operations still finish after being superseded. */
  private draining: PlanRun[] = [];
  private queued: PlanRun | null = null;
  private readonly retry: { baseMs: number; maxMs: number };

  constructor(private readonly o: ManagerOptions) {
    this.retry = { baseMs: o.retry?.baseMs ?? 1000, maxMs: o.retry?.maxMs ?? 60_000 };
    o.control.events$.subscribe((e) => this.onOpEvent(e));
  }

  private now(): number {
    return this.o.scheduler.now();
  }

  /** True while a plan is executing, rolling back or waiting. */
  get busy(): boolean {
    return this.active !== null || this.queued !== null || this.draining.some((r) => r.ops.size > 0);
  }

  /** Id of the plan executing now, if any. */
  get activePlanId(): string | undefined {
    return this.active?.plan.id;
  }

  /**
   * The map the cluster will have once the operations in flight finish (the right base for a
   * new plan that supersedes the current one).
   */
  planningBase(): PartitionMap {
    let map = this.o.control.currentMap();
    for (const run of [...this.draining, ...(this.active ? [this.active] : [])]) {
      if (run.phase === 'rolling-back') continue;
      for (const idx of run.ops.values()) {
        try {
          map = applyAction(map, run.plan.actions[idx]);
        } catch {
          /* the running action turned illegal: the cluster will fail it */
        }
      }
    }
    return map;
  }

  /**
   * Executes `plan`. A plan already running is superseded (its pending actions are cancelled; its
   * running ones finish); the new plan starts once no older operation is in flight, and is
   * aborted if the map is then not the one it was planned from. A plan rolling back finishes its
   * rollback first.
   */
  execute(plan: Plan): void {
    const run = new PlanRun(plan);
    this.records.push(run.record);
    this.counts.proposed++;
    if (this.queued) this.endPlan(this.queued, 'superseded', `superseded by ${plan.id} before it started`);
    this.queued = run;
    this.emit({ type: 'plan', timeMs: this.now(), planId: plan.id, status: 'waiting' });
    if (this.active && this.active.phase !== 'rolling-back') this.supersede(this.active, plan.id);
    this.startQueued();
  }

  private supersede(run: PlanRun, byId: string): void {
    for (let i = 0; i < run.trackers.length; i++) if (run.trackers[i].state === 'pending') this.transition(run, i, 'cancelled', `superseded by ${byId}`);
    this.endPlan(run, 'superseded', `superseded by ${byId}`);
  }

  private startQueued(): void {
    const run = this.queued;
    if (!run || this.active) return;
    if (this.draining.some((r) => r.ops.size > 0)) return; // wait for older operations
    this.queued = null;
    this.active = run;
    const map = this.o.control.currentMap();
    if (!sameLayout(map, run.plan.before)) {
      this.active = null;
      this.endPlan(run, 'aborted', 'the map changed since the plan was made');
      return;
    }
    run.startMap = map;
    run.phase = 'running';
    run.record.startedAtMs = this.now();
    this.emit({ type: 'plan', timeMs: this.now(), planId: run.plan.id, status: 'started' });
    if (run.plan.actions.length === 0) {
      this.finishActive(run, 'completed');
      return;
    }
    this.pump(run);
  }

  /** Submits what can run now; advances batches; re-checks before each new batch. */
  private pump(run: PlanRun): void {
    if (run.phase !== 'running' || this.active !== run) return;
    const t = run.trackers;
    // Advance past finished batches.
    while (run.batch < run.batches && t.every((tr, i) => run.batchOf[i] !== run.batch || tr.state === 'done')) {
      run.batch++;
      if (run.batch < run.batches && this.o.recheck) {
        const r = this.o.recheck(run.plan, this.o.control.currentMap());
        if (r.savings < (this.o.threshold ?? 0)) {
          this.abort(run, `re-check: saving ${(r.savings * 100).toFixed(1)}% below threshold`, r.partialPays);
          return;
        }
      }
    }
    if (run.batch >= run.batches) {
      this.finishActive(run, 'completed');
      return;
    }
    let transient = false;
    for (let i = 0; i < t.length; i++) {
      if (run.batchOf[i] !== run.batch || t[i].state !== 'pending') continue;
      if (!run.plan.dependsOn[i].every((d) => t[d].state === 'done')) continue;
      if (run.ops.size >= this.o.maxConcurrentOps || this.o.control.inFlight() >= this.o.maxConcurrentOps) {
        transient = true;
        break;
      }
      const res = this.o.control.submit(run.plan.actions[i], `${this.o.tag ? this.o.tag + ':' : ''}${run.plan.id}`);
      if (res.accepted) {
        run.ops.set(res.opId, i);
        this.captureUndo(run, i);
        this.transition(run, i, 'running');
      } else if (res.code === 'busy' || res.code === 'node-down') {
        transient = true;
      } else {
        this.transition(run, i, 'running', 'submitted');
        this.transition(run, i, 'failed', `rejected: ${res.reason}`);
        this.startRollback(run, `action ${i} rejected: ${res.reason}`);
        return;
      }
    }
    if (transient && run.ops.size === 0) this.later(run, () => this.pump(run), this.retry.baseMs);
  }

  private later(run: PlanRun, fn: () => void, delayMs: number): void {
    if (run.retryTimer >= 0) this.o.scheduler.cancel(run.retryTimer);
    run.retryTimer = this.o.scheduler.after(delayMs, () => {
      run.retryTimer = -1;
      fn();
    }, Priority.control);
  }

  /** Records what undoes action `i`, from the map just before it runs. */
  private captureUndo(run: PlanRun, i: number): void {
    const a = run.plan.actions[i];
    const map = this.o.control.currentMap();
    const idx = map.ids.indexOf(a.partition);
    let steps: PlanAction[];
    switch (a.kind) {
      case 'split':
        steps = [{ kind: 'merge', partition: a.partition, with: a.newId }];
        break;
      case 'create':
        steps = [
          { kind: 'move', partition: a.newId, node: map.nodes[idx] },
          { kind: 'merge', partition: a.partition, with: a.newId },
        ];
        break;
      case 'merge':
        steps = [{ kind: 'split', partition: a.partition, at: map.boundaries[idx + 1], newId: a.with }];
        break;
      case 'move':
        steps = [{ kind: 'move', partition: a.partition, node: map.nodes[idx] }];
        break;
    }
    run.undo.set(i, { steps, next: 0, attempt: 0 });
  }

  private onOpEvent(e: OpEvent): void {
    if (e.status === 'started') return;
    for (const run of [this.active, ...this.draining]) {
      if (!run) continue;
      if (run.undoOp === e.opId) {
        run.undoOp = null;
        this.onUndoStep(run, e);
        return;
      }
      const i = run.ops.get(e.opId);
      if (i === undefined) continue;
      run.ops.delete(e.opId);
      const rec = run.record.actions[i];
      rec.bytes = e.bytes;
      if (e.status === 'done') {
        this.transition(run, i, 'done');
        run.doneOrder.push(i);
        if (run.phase === 'running') this.pump(run);
        else if (run.phase === 'rolling-back') this.continueRollback(run);
      } else {
        this.transition(run, i, 'failed', e.reason);
        if (run.phase === 'running') this.startRollback(run, `action ${i} (${run.plan.actions[i].kind} ${run.plan.actions[i].partition}) failed: ${e.reason}`);
        else if (run.phase === 'rolling-back') this.continueRollback(run);
      }
      if (run !== this.active) {
        if (run.ops.size === 0) this.draining = this.draining.filter((r) => r !== run);
        this.startQueued();
      }
      return;
    }
  }

  private abort(run: PlanRun, reason: string, keepPartial: boolean): void {
    for (let i = 0; i < run.trackers.length; i++) if (run.trackers[i].state === 'pending') this.transition(run, i, 'cancelled', 'plan aborted');
    if (keepPartial || run.doneOrder.length === 0) {
      run.record.reason = reason;
      this.finishActive(run, 'aborted');
    } else {
      this.startRollback(run, reason, 'aborted');
    }
  }

  private rollbackOutcome = new Map<PlanRun, PlanOutcome>();

  /** Cancels what has not started, waits for running actions, then undoes done ones in reverse. */
  private startRollback(run: PlanRun, reason: string, outcome: PlanOutcome = 'rolled-back'): void {
    run.phase = 'rolling-back';
    run.record.reason = reason;
    this.rollbackOutcome.set(run, outcome);
    if (run.retryTimer >= 0) this.o.scheduler.cancel(run.retryTimer);
    for (let i = 0; i < run.trackers.length; i++) if (run.trackers[i].state === 'pending') this.transition(run, i, 'cancelled', 'plan rolling back');
    this.continueRollback(run);
  }

  private continueRollback(run: PlanRun): void {
    if (run.ops.size > 0 || run.undoOp !== null) return; // wait for running operations
    if (run.undoQueue.length === 0) {
      const pending = [...run.doneOrder].reverse().filter((i) => run.trackers[i].state === 'done');
      if (pending.length === 0 && !run.doneOrder.some((i) => run.trackers[i].state === 'rolling-back')) {
        const back = run.startMap && sameLayout(this.o.control.currentMap(), run.startMap);
        this.finishActive(run, this.rollbackOutcome.get(run) ?? 'rolled-back', back ? undefined : 'rollback ended on a different map');
        return;
      }
      run.undoQueue = pending;
      for (const i of pending) this.transition(run, i, 'rolling-back', run.record.reason);
    }
    this.nextUndoStep(run);
  }

  private nextUndoStep(run: PlanRun): void {
    while (run.undoQueue.length > 0) {
      const i = run.undoQueue[0];
      const u = run.undo.get(i)!;
      if (u.next >= u.steps.length) {
        run.undoQueue.shift();
        this.transition(run, i, 'rolled-back');
        this.rolledBackActions++;
        continue;
      }
      const step = u.steps[u.next];
      const res = this.o.control.submit(step, `${this.o.tag ? this.o.tag + ':' : ''}${run.plan.id}:undo`);
      if (res.accepted) {
        run.undoOp = res.opId;
        return;
      }
      // Already undone (e.g. the partition is where it should be)? Then skip the step.
      if (res.code === 'noop') {
        u.next++;
        continue;
      }
      this.undoFailed(run, i, step, res.reason);
      return;
    }
    this.continueRollback(run);
  }

  private onUndoStep(run: PlanRun, e: OpEvent): void {
    const i = run.undoQueue[0];
    const u = run.undo.get(i)!;
    if (e.status === 'done') {
      this.emit({ type: 'undo-step', timeMs: this.now(), planId: run.plan.id, index: i, step: e.action, status: 'done', attempt: u.attempt });
      u.next++;
      u.attempt = 0;
      this.nextUndoStep(run);
    } else {
      this.undoFailed(run, i, e.action, e.reason ?? 'failed');
    }
  }

  /** An undo step failed or was refused: report it and retry after an exponential backoff. */
  private undoFailed(run: PlanRun, i: number, step: PlanAction, reason: string): void {
    const u = run.undo.get(i)!;
    u.attempt++;
    this.emit({ type: 'undo-step', timeMs: this.now(), planId: run.plan.id, index: i, step, status: 'failed', reason, attempt: u.attempt });
    this.transition(run, i, 'rolling-back', `undo step failed (${reason}); retry ${u.attempt}`);
    const delay = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** Math.min(20, u.attempt - 1));
    this.later(run, () => this.nextUndoStep(run), delay);
  }

  private finishActive(run: PlanRun, outcome: PlanOutcome, reason?: string): void {
    if (run.retryTimer >= 0) this.o.scheduler.cancel(run.retryTimer);
    this.endPlan(run, outcome, reason ?? run.record.reason);
    if (this.active === run) this.active = null;
    this.startQueued();
  }

  private endPlan(run: PlanRun, outcome: PlanOutcome, reason?: string): void {
    if (run.phase === 'ended') return;
    run.phase = 'ended';
    run.record.outcome = outcome;
    run.record.endedAtMs = this.now();
    if (reason) run.record.reason = reason;
    const key = outcome === 'rolled-back' ? 'rolledBack' : outcome;
    this.counts[key]++;
    if (this.active === run) {
      this.active = null;
      if (run.ops.size > 0) this.draining.push(run);
    }
    if (this.queued === run) this.queued = null;
    this.emit({ type: 'plan', timeMs: this.now(), planId: run.plan.id, status: outcome, reason });
  }

  private transition(run: PlanRun, i: number, to: ActionState, reason?: string): void {
    const tr = run.trackers[i];
    const from = tr.state;
    const now = this.now();
    tr.to(to, now, reason);
    const rec = run.record.actions[i];
    rec.state = to;
    if (to === 'running') rec.startMs = now;
    if (to === 'done' || to === 'failed' || to === 'cancelled' || to === 'rolled-back') rec.endMs = now;
    if (reason && (to === 'failed' || to === 'cancelled')) rec.reason = reason;
    this.emit({ type: 'action', timeMs: now, planId: run.plan.id, index: i, action: run.plan.actions[i], from, to, reason });
  }

  private emit(e: ManagerEvent): void {
    this.events$.next(e);
  }
}

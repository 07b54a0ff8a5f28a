/**
 * The APM, Adaptive Partition Manager: executes plans through a `ControlPlane`, in dependency
 * order (batches = levels of `plan.dependsOn`), at most `maxConcurrentOps` operations at once;
 * streams status events; re-checks a plan's saving before each batch (stale-plan guard).
 *
 * Failure semantics, decided on the control plane's stable codes (`OpCode`), never on text:
 * - a transient failure of an action (`failed` part-way, `timeout`, `limit`) is retried: the
 *   action is resubmitted after an exponential backoff (`retry.baseMs` doubling up to
 *   `retry.maxMs`), at most `retries` times; a `busy` or `node-down` refusal at submission only
 *   waits (it costs no retry: nothing ran);
 * - a permanent failure (`illegal`, `noop`, `node-down` while running) or a spent retry budget
 *   gives the plan up: its completed actions are undone in reverse order, so the cluster returns
 *   to the configuration before the plan (undo steps that fail are retried with backoff, without
 *   limit, since the previous configuration is the promise);
 * - an operation running longer than `opTimeoutMs(action)` is cancelled through
 *   `ControlPlane.cancel` and counts as a failure with code `timeout` (transient: retried).
 * A newer plan cancels an older one's pending (and waiting-to-retry) actions, runs beside its running ones.
 *
 * State machines: plan-state.ts, action-state.ts; a plan's run, record and events: plan-run.ts;
 * the undo path: rollback.ts; operation timeouts: op-timeouts.ts.
 * Plan outcomes: `completed`, `rolled-back` (given up; undone), `superseded` (a newer plan took
 * over; what was done stays), `aborted` (the re-check found it no longer pays; completed
 * batches are kept if they pay, else rolled back too).
 */
import { Subject } from 'rxjs';
import { Priority } from '../engine/virtual-scheduler.ts';
import { isTransient, type OpCode, type OpEvent } from '../model/control-plane.ts';
import { sameLayout, type PartitionMap } from '../model/partition-map.ts';
import type { Plan, PlanAction } from '../model/plan.ts';
import type { ActionState } from './action-state.ts';
import { OpTimeouts } from './op-timeouts.ts';
import { heldByRunning, mapAfterInFlight, runningOps, transferNodes, PlanRecords, PlanRun, undoSteps, type ManagerEvent, type PlanCounts, type PlanRecord } from './plan-run.ts';
import type { PlanOutcome } from './plan-state.ts';
import { Rollback } from './rollback.ts';
import type { ManagerOptions } from './manager-options.ts';

export type { PlanOutcome } from './plan-state.ts';
export type { ManagerEvent, PlanCounts, PlanRecord } from './plan-run.ts';
export type { ManagerOptions, Recheck } from './manager-options.ts';

type SubmitOutcome = 'ok' | 'wait' | 'deferred' | 'given-up'; // deferred: waits for a merge of its batch, the others go on

export class PartitionManager {
  readonly events$ = new Subject<ManagerEvent>();
  readonly counts: PlanCounts = { proposed: 0, completed: 0, rolledBack: 0, superseded: 0, aborted: 0 };
  /** Actions undone (`operations.rolledBack`). */
  rolledBackActions = 0;
  /** Resubmissions of actions after a transient failure (`operations.retried`). */
  retriedActions = 0;
  /** Operations the APM cancelled for taking too long (`operations.timedOut`). */
  get timedOutOps(): number { return this.timeouts.timedOut; }
  /** Plans handed to `execute` and their outcome (plan-run.ts `PlanRecords`). */
  private readonly book: PlanRecords;
  private active: PlanRun | null = null;
  /** Older plans whose running operations still finish after being superseded. */
  private draining: PlanRun[] = [];
  private queued: PlanRun | null = null;
  private readonly retry: { baseMs: number; maxMs: number };
  private readonly maxRetries: number;
  private readonly timeouts: OpTimeouts;
  private readonly rollback: Rollback;

  constructor(private readonly o: ManagerOptions) {
    this.retry = { baseMs: o.retry?.baseMs ?? 1000, maxMs: o.retry?.maxMs ?? 60_000 };
    this.maxRetries = o.retries ?? 3;
    this.book = new PlanRecords(Math.max(2, o.recordLimit ?? 10_000), o.onRecord);
    this.timeouts = new OpTimeouts(o.control, o.scheduler, o.opTimeoutMs);
    this.rollback = new Rollback({
      control: this.o.control,
      now: () => this.now(),
      undoTag: (run) => `${this.tagOf(run)}:undo`,
      transition: (run, i, to, reason) => this.transition(run, i, to, reason),
      emit: (e) => this.emit(e),
      later: (run, fn, delayMs) => this.later(run, fn, delayMs),
      backoff: (attempt) => this.backoff(attempt),
      armTimeout: (opId, action) => this.timeouts.arm(opId, action),
      finish: (run, outcome, reason) => this.finishActive(run, outcome, reason),
      undone: () => this.rolledBackActions++,
    });
    o.control.events$.subscribe((e) => this.onOpEvent(e));
  }

  /**
   * Plans handed to `execute`, with their outcome (for `plans.jsonl`): all of them up to
   * `recordLimit`, then the first half and the latest ones (`droppedRecords` counts the rest);
   * empty when `onRecord` takes them.
   */
  get records(): readonly PlanRecord[] {
    return this.book.kept;
  }

  /** Mean ms from a plan's creation to its end, over the plans that ended. */
  get meanLagMs(): number {
    return this.book.ended > 0 ? Math.round(this.book.lagSumMs / this.book.ended) : 0;
  }

  /** Hands `onRecord` every leading record nothing changes any more (all of them with `all`). */
  flushRecords(all = false): void {
    this.book.flush(all);
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
    return this.active?.p.id;
  }

  /** Nodes sending or receiving state now: both ends of the in-flight moves and creates. */
  transferNodes(): Set<number> {
    return transferNodes(this.o.control.currentMap(), this.runs());
  }

  private runs(): PlanRun[] {
    return [...this.draining, ...(this.active ? [this.active] : [])];
  }

  /** The operations in flight of plans not rolling back, with when each last started (what a plan made now waits for). */
  runningOps = (): { action: PlanAction; startedAtMs: number }[] => runningOps(this.runs());

  /** The map the cluster will have once the operations in flight finish (the base for a plan that supersedes the current one). */
  planningBase(): PartitionMap {
    return mapAfterInFlight(this.o.control.currentMap(), this.runs());
  }

  /**
   * Executes `plan`. A plan already running is superseded (its pending actions are cancelled; its
   * running ones finish). The new plan starts beside them, aborted if the map their operations
   * lead to is not the one it was planned from; an action of it touching a partition one of them
   * holds waits for that operation. A plan rolling back finishes its rollback first.
   */
  execute(plan: Plan): void {
    const run = new PlanRun(plan);
    this.book.add(run);
    this.counts.proposed++;
    if (this.queued) this.endPlan(this.queued, 'superseded', `superseded by ${plan.id} before it started`);
    this.queued = run;
    this.emit({ type: 'plan', timeMs: this.now(), planId: plan.id, status: 'waiting' });
    if (this.active && this.active.state === 'running') this.supersede(this.active, plan.id);
    this.startQueued();
  }

  /** The operation tag of `run`'s actions. */
  private tagOf(run: PlanRun): string {
    return `${this.o.tag ? this.o.tag + ':' : ''}${run.p.id}`;
  }

  private supersede(run: PlanRun, byId: string): void {
    this.cancelWaiting(run, `superseded by ${byId}`);
    this.endPlan(run, 'superseded', `superseded by ${byId}`);
  }

  /** Cancels the actions of `run` that have not started or wait for a retry. */
  private cancelWaiting(run: PlanRun, reason: string): void {
    for (const h of run.retryTimers.values()) this.o.scheduler.cancel(h);
    run.retryTimers.clear();
    for (let i = 0; i < run.trackers.length; i++) {
      const st = run.trackers[i].state;
      if (st === 'pending' || st === 'retrying') this.transition(run, i, 'cancelled', reason);
    }
  }

  private startQueued(): void {
    const run = this.queued;
    if (!run || this.active) return;
    this.queued = null;
    this.active = run;
    const map = this.o.control.currentMap();
    // Planned from the map after the older operations in flight: it starts beside them.
    if (!sameLayout(mapAfterInFlight(map, this.draining), run.p.before)) {
      this.active = null;
      this.endPlan(run, 'aborted', 'the map changed since the plan was made');
      return;
    }
    run.startMap = map;
    run.plan.to('running');
    run.record.startedAtMs = this.now();
    this.emit({ type: 'plan', timeMs: this.now(), planId: run.p.id, status: 'started' });
    if (run.p.actions.length === 0) {
      this.finishActive(run, 'completed');
      return;
    }
    this.pump(run);
  }

  /** Submits what can run now; advances batches; re-checks before each new batch. */
  private pump(run: PlanRun): void {
    if (run.state !== 'running' || this.active !== run) return;
    const t = run.trackers;
    // Advance past finished batches.
    while (run.batch < run.batches && t.every((tr, i) => run.batchOf[i] !== run.batch || tr.state === 'done')) {
      run.batch++;
      if (run.batch < run.batches && this.o.recheck) {
        const r = this.o.recheck(run.p, this.o.control.currentMap());
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
    let wait = false;
    for (let i = 0; i < t.length; i++) {
      if (run.batchOf[i] !== run.batch || t[i].state !== 'pending') continue;
      if (!run.p.dependsOn[i].every((d) => t[d].state === 'done')) continue;
      const r = this.submitAction(run, i);
      if (r === 'given-up') return;
      if (r === 'deferred') continue; // resubmitted at the next pump (an operation ending)
      if (r === 'wait') {
        wait = true;
        break;
      }
    }
    if (wait && run.ops.size === 0 && run.retryTimers.size === 0) this.later(run, () => this.pump(run), this.backoff(Math.max(1, ...run.retries)));
  }

  /** Exponential backoff of the `attempt`-th retry (1-based). */
  private backoff(attempt: number): number {
    return Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** Math.min(20, Math.max(0, attempt - 1)));
  }

  /**
   * Submits action `i` (pending, or retrying after a failure). `wait`: the control plane is busy
   * (or a node is down, or a limit is reached with retries left): try again later. `given-up`:
   * refused for good or the retry budget is spent; the plan is rolling back.
   */
  private submitAction(run: PlanRun, i: number): SubmitOutcome {
    if (run.ops.size >= this.o.maxConcurrentOps || this.o.control.inFlight() >= this.o.maxConcurrentOps) return 'wait';
    const action = run.p.actions[i];
    if (heldByRunning(this.draining, action)) return 'deferred'; // an older plan's operation still holds its partition
    const res = this.o.control.submit(action, this.tagOf(run));
    if (res.accepted) {
      run.ops.set(res.opId, i);
      if (run.trackers[i].state === 'pending') this.captureUndo(run, i);
      else this.retriedActions++;
      this.transition(run, i, 'running');
      this.timeouts.arm(res.opId, action);
      return 'ok';
    }
    if (res.code === 'busy' || res.code === 'node-down') return 'wait';
    if (res.code === 'limit' && (action.kind === 'split' || action.kind === 'create') && run.mergeAhead(i)) return 'deferred'; // a merge of the batch frees one: no retry spent
    if (res.code === 'limit' && run.retries[i] < this.maxRetries) {
      run.retries[i]++;
      run.record.actions[i].retries = run.retries[i];
      return 'wait';
    }
    this.giveUp(run, i, res.code, `rejected: ${res.reason}`);
    return 'given-up';
  }

  /** Action `i` cannot be done: it fails and the plan rolls back. */
  private giveUp(run: PlanRun, i: number, code: OpCode, reason: string): void {
    const spent = isTransient(code) ? ` (retry budget of ${this.maxRetries} spent)` : '';
    this.transition(run, i, 'failed', `${reason}${spent}`);
    const a = run.p.actions[i];
    this.startRollback(run, `action ${i} (${a.kind} ${a.partition}) given up [${code}]: ${reason}${spent}`);
  }

  private later(run: PlanRun, fn: () => void, delayMs: number): void {
    if (run.retryTimer >= 0) this.o.scheduler.cancel(run.retryTimer);
    run.retryTimer = this.o.scheduler.after(delayMs, () => {
      run.retryTimer = -1;
      fn();
    }, Priority.control);
  }

  /** Schedules the resubmission of retrying action `i` after `delayMs`. */
  private retryLater(run: PlanRun, i: number, delayMs: number): void {
    const old = run.retryTimers.get(i);
    if (old !== undefined) this.o.scheduler.cancel(old);
    run.retryTimers.set(i, this.o.scheduler.after(delayMs, () => {
      run.retryTimers.delete(i);
      if (run.state !== 'running' || this.active !== run || run.trackers[i].state !== 'retrying') return;
      const r = this.submitAction(run, i);
      if (r === 'wait' || r === 'deferred') this.retryLater(run, i, this.backoff(Math.max(1, run.retries[i])));
    }, Priority.control));
  }

  /** Records what undoes action `i`, from the map just before it runs. */
  private captureUndo(run: PlanRun, i: number): void {
    run.undo.set(i, { steps: undoSteps(run.p.actions[i], this.o.control.currentMap()), next: 0, attempt: 0 });
  }

  private onOpEvent(e: OpEvent): void {
    if (e.status === 'started') return;
    this.timeouts.disarm(e.opId);
    for (const run of [this.active, ...this.draining]) {
      if (!run) continue;
      if (run.undoOp === e.opId) {
        run.undoOp = null;
        this.rollback.onStep(run, e);
        return;
      }
      const i = run.ops.get(e.opId);
      if (i === undefined) continue;
      run.ops.delete(e.opId);
      const rec = run.record.actions[i];
      rec.bytes = (rec.bytes ?? 0) + (e.bytes ?? 0);
      if (e.status === 'done') {
        this.transition(run, i, 'done');
        run.doneOrder.push(i);
        if (run.state === 'running') this.pump(run);
        else if (run.state === 'rolling-back') this.rollback.continue(run);
      } else {
        const code: OpCode = e.code ?? 'failed';
        const reason = e.reason ?? code;
        if (run.state === 'running' && this.active === run && isTransient(code) && run.retries[i] < this.maxRetries) {
          run.retries[i]++;
          rec.retries = run.retries[i];
          this.transition(run, i, 'retrying', `[${code}] ${reason}; retry ${run.retries[i]} of ${this.maxRetries}`);
          this.retryLater(run, i, this.backoff(run.retries[i]));
        } else if (run.state === 'running' && this.active === run) {
          this.giveUp(run, i, code, reason);
        } else {
          this.transition(run, i, 'failed', reason);
          if (run.state === 'rolling-back') this.rollback.continue(run);
        }
      }
      if (run !== this.active) {
        if (run.ops.size === 0) this.draining = this.draining.filter((r) => r !== run);
        this.startQueued();
        if (this.active?.state === 'running') this.pump(this.active); // actions it held may go now
      }
      return;
    }
  }

  private abort(run: PlanRun, reason: string, keepPartial: boolean): void {
    this.cancelWaiting(run, 'plan aborted');
    if (keepPartial || run.doneOrder.length === 0) {
      run.record.reason = reason;
      this.finishActive(run, 'aborted');
    } else {
      this.startRollback(run, reason, 'aborted');
    }
  }

  /** Cancels what has not started, waits for running actions, then undoes done ones in reverse. */
  private startRollback(run: PlanRun, reason: string, outcome: 'rolled-back' | 'aborted' = 'rolled-back'): void {
    run.plan.to('rolling-back');
    run.record.reason = reason;
    run.rollbackOutcome = outcome;
    if (run.retryTimer >= 0) this.o.scheduler.cancel(run.retryTimer);
    run.retryTimer = -1;
    this.cancelWaiting(run, 'plan rolling back');
    this.rollback.continue(run);
  }

  private finishActive(run: PlanRun, outcome: PlanOutcome, reason?: string): void {
    if (run.retryTimer >= 0) this.o.scheduler.cancel(run.retryTimer);
    run.retryTimer = -1;
    this.endPlan(run, outcome, reason ?? run.record.reason);
    if (this.active === run) this.active = null;
    this.startQueued();
  }

  private endPlan(run: PlanRun, outcome: PlanOutcome, reason?: string): void {
    if (run.ended) return;
    run.plan.to(outcome);
    for (const h of run.retryTimers.values()) this.o.scheduler.cancel(h);
    run.retryTimers.clear();
    run.record.outcome = outcome;
    run.record.endedAtMs = this.now();
    this.book.end(run.record, run.record.endedAtMs);
    if (reason) run.record.reason = reason;
    const key = outcome === 'rolled-back' ? 'rolledBack' : outcome;
    this.counts[key]++;
    if (this.active === run) {
      this.active = null;
      if (run.ops.size > 0) this.draining.push(run);
    }
    if (this.queued === run) this.queued = null;
    this.emit({ type: 'plan', timeMs: this.now(), planId: run.p.id, status: outcome, reason });
  }

  private transition(run: PlanRun, i: number, to: ActionState, reason?: string): void {
    const tr = run.trackers[i];
    const from = tr.state;
    const now = this.now();
    tr.to(to, now, reason);
    run.recordAction(i, to, now, reason);
    this.emit({ type: 'action', timeMs: now, planId: run.p.id, index: i, action: run.p.actions[i], from, to, reason });
  }

  private emit(e: ManagerEvent): void {
    this.events$.next(e);
    if (this.book.waiting) this.book.flush();
  }
}

/**
 * The rollback of a plan the APM gave up (or aborted without keeping what it did): once no
 * operation of it runs, its done actions are undone in reverse completion order, one undo step at
 * a time (plan-run.ts `undoSteps`); a step that fails or is refused is retried after an
 * exponential backoff without limit, since the configuration before the plan is the promise; a
 * step refused as `noop` is already undone and skipped. Kept apart from partition-manager.ts so
 * the undo path reads on its own.
 */
import type { ControlPlane, OpEvent } from '../model/control-plane.ts';
import { sameLayout } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';
import type { ActionState } from './action-state.ts';
import type { ManagerEvent, PlanRun } from './plan-run.ts';
import type { PlanOutcome } from './plan-state.ts';

/** What the rollback uses of the APM. */
export interface RollbackHost {
  readonly control: ControlPlane;
  now(): number;
  /** The operation tag of `run`'s undo steps. */
  undoTag(run: PlanRun): string;
  transition(run: PlanRun, i: number, to: ActionState, reason?: string): void;
  emit(e: ManagerEvent): void;
  /** Runs `fn` after `delayMs` (one pending call per run). */
  later(run: PlanRun, fn: () => void, delayMs: number): void;
  /** Backoff of the `attempt`-th retry (ms). */
  backoff(attempt: number): number;
  armTimeout(opId: number, action: PlanAction): void;
  /** The plan ends with `outcome`. */
  finish(run: PlanRun, outcome: PlanOutcome, reason?: string): void;
  /** One action is fully undone. */
  undone(): void;
}

export class Rollback {
  constructor(private readonly h: RollbackHost) {}

  /** Goes on with `run`'s rollback: waits for its operations, then undoes its done actions. */
  continue(run: PlanRun): void {
    if (run.ops.size > 0 || run.undoOp !== null) return; // wait for running operations
    if (run.undoQueue.length === 0) {
      const pending = [...run.doneOrder].reverse().filter((i) => run.trackers[i].state === 'done');
      if (pending.length === 0 && !run.doneOrder.some((i) => run.trackers[i].state === 'rolling-back')) {
        const back = run.startMap && sameLayout(this.h.control.currentMap(), run.startMap);
        this.h.finish(run, run.rollbackOutcome, back ? undefined : 'rollback ended on a different map');
        return;
      }
      run.undoQueue = pending;
      for (const i of pending) this.h.transition(run, i, 'rolling-back', run.record.reason);
    }
    this.nextStep(run);
  }

  /** The undo step in flight (`run.undoOp`) ended with `e`. */
  onStep(run: PlanRun, e: OpEvent): void {
    const i = run.undoQueue[0];
    const u = run.undo.get(i)!;
    if (e.status === 'done') {
      this.h.emit({ type: 'undo-step', timeMs: this.h.now(), planId: run.p.id, index: i, step: e.action, status: 'done', attempt: u.attempt });
      u.next++;
      u.attempt = 0;
      this.nextStep(run);
    } else {
      this.failed(run, i, e.action, e.reason ?? 'failed');
    }
  }

  private nextStep(run: PlanRun): void {
    while (run.undoQueue.length > 0) {
      const i = run.undoQueue[0];
      const u = run.undo.get(i)!;
      if (u.next >= u.steps.length) {
        run.undoQueue.shift();
        this.h.transition(run, i, 'rolled-back');
        this.h.undone();
        continue;
      }
      const step = u.steps[u.next];
      const res = this.h.control.submit(step, this.h.undoTag(run));
      if (res.accepted) {
        run.undoOp = res.opId;
        this.h.armTimeout(res.opId, step);
        return;
      }
      // Already undone (e.g. the partition is where it should be)? Then skip the step.
      if (res.code === 'noop') {
        u.next++;
        continue;
      }
      this.failed(run, i, step, res.reason);
      return;
    }
    this.continue(run);
  }

  /** An undo step failed or was refused: report it and retry after an exponential backoff. */
  private failed(run: PlanRun, i: number, step: PlanAction, reason: string): void {
    const u = run.undo.get(i)!;
    u.attempt++;
    this.h.emit({ type: 'undo-step', timeMs: this.h.now(), planId: run.p.id, index: i, step, status: 'failed', reason, attempt: u.attempt });
    this.h.transition(run, i, 'rolling-back', `undo step failed (${reason}); retry ${u.attempt}`);
    this.h.later(run, () => this.nextStep(run), this.h.backoff(u.attempt));
  }
}

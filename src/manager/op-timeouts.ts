/**
 * Operation timeouts of the APM: an operation running longer than `timeoutMs(action)` is
 * cancelled through `ControlPlane.cancel` with code `timeout` (the APM then treats it as a
 * transient failure). Armed when the control plane accepts an operation, disarmed when the
 * operation ends; nothing is armed without a timeout, or on a control plane that cannot cancel.
 */
import { Priority, type SchedulerPort } from '../engine/virtual-scheduler.ts';
import type { ControlPlane } from '../model/control-plane.ts';
import type { PlanAction } from '../model/plan.ts';

export class OpTimeouts {
  /** Operations cancelled for taking too long (`operations.timedOut`). */
  timedOut = 0;
  /** Timeout handles of operations in flight (opId → scheduler handle). */
  private readonly timers = new Map<number, number>();

  constructor(
    private readonly control: ControlPlane,
    private readonly scheduler: SchedulerPort,
    private readonly timeoutMs?: (action: PlanAction) => number,
  ) {}

  /** Arms the timeout of operation `opId` running `action`. */
  arm(opId: number, action: PlanAction): void {
    const ms = this.timeoutMs?.(action);
    if (ms === undefined || !this.control.cancel || !(ms > 0) || !Number.isFinite(ms)) return;
    const h = this.scheduler.after(ms, () => {
      this.timers.delete(opId);
      if (this.control.cancel!(opId, 'timeout', `operation ran longer than ${Math.round(ms)} ms`)) this.timedOut++;
    }, Priority.control);
    this.timers.set(opId, h);
  }

  /** Disarms the timeout of operation `opId` (it ended). */
  disarm(opId: number): void {
    const timer = this.timers.get(opId);
    if (timer === undefined) return;
    this.scheduler.cancel(timer);
    this.timers.delete(opId);
  }
}

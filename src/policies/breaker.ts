/**
 * The circuit breaker of a planning policy: after `failures` plans given up in a row (rolled
 * back), planning pauses for `cooldown` (open), then one decision is let through (half-open): a
 * plan that completes closes the breaker, one given up reopens it for twice as long (at most
 * `maxCooldown`). Decisions while open are skipped, so a failing control plane is not hammered;
 * the report says when and why (`summary.json` `breaker`), counting only measured time.
 */
import type { ApmConfig } from '../manager/apm-config.ts';
import type { BreakerReport } from '../model/policy-outcome.ts';

export class PlanBreaker {
  private givenUpInARow = 0;
  private state: 'closed' | 'open' | 'half-open' = 'closed';
  private openUntil = 0;
  private openedAt = 0;
  private cooldown: number;
  readonly report: BreakerReport = { opened: 0, openMs: 0, skippedDecisions: 0, events: [] };

  constructor(
    private readonly cfg: ApmConfig['breaker'],
    /** Start of the measured time (open time before it is not counted). */
    private readonly warmupMs: number,
  ) {
    this.cooldown = cfg.cooldown;
  }

  /** A plan ended: given up (rolled back) or completed. */
  planEnded(status: 'rolled-back' | 'completed', reason: string | undefined, nowMs: number): void {
    if (status === 'completed') {
      this.givenUpInARow = 0;
      if (this.state === 'half-open') {
        this.state = 'closed';
        this.cooldown = this.cfg.cooldown;
        this.event(nowMs, 'closed', 'a plan completed');
      }
      return;
    }
    this.givenUpInARow++;
    if (this.state === 'half-open' || (this.state === 'closed' && this.givenUpInARow >= this.cfg.failures)) {
      if (this.state === 'half-open') this.cooldown = Math.min(this.cfg.maxCooldown, this.cooldown * 2);
      this.state = 'open';
      this.openedAt = nowMs;
      this.openUntil = nowMs + this.cooldown;
      this.report.opened++;
      this.event(nowMs, 'open', `${this.givenUpInARow} plans given up in a row; planning paused ${Math.round(this.cooldown / 1000)} s; last: ${reason ?? 'rolled back'}`);
    }
  }

  /** Whether a decision may go through now (half-opens the breaker when the pause is over). */
  allows(nowMs: number): boolean {
    if (this.state !== 'open') return true;
    if (nowMs < this.openUntil) {
      this.report.skippedDecisions++;
      return false;
    }
    this.report.openMs += Math.max(0, nowMs - Math.max(this.openedAt, this.warmupMs));
    this.state = 'half-open';
    this.event(nowMs, 'half-open', 'pause over: one decision let through');
    return true;
  }

  /** The report at the end of the run (`endMs`), counting a pause still open. */
  close(endMs: number): BreakerReport {
    if (this.state === 'open') this.report.openMs += Math.max(0, endMs - Math.max(this.openedAt, this.warmupMs));
    this.state = 'closed';
    return this.report;
  }

  private event(timeMs: number, state: 'open' | 'half-open' | 'closed', reason: string): void {
    if (this.report.events.length < 100) this.report.events.push({ timeMs, state, reason });
  }
}

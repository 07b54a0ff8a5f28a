/**
 * What the APM is given (`ManagerOptions`): its control plane and scheduler, the concurrency cap,
 * the stale-plan guard, retries with backoff and operation timeouts. The defaults the scenario's
 * `apm:` block fills in are in apm-config.ts.
 */
import type { SchedulerPort } from '../engine/virtual-scheduler.ts';
import type { ControlPlane } from '../model/control-plane.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import type { Plan, PlanAction } from '../model/plan.ts';
import type { PlanRecord } from './plan-run.ts';

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
  /** Backoff of retried actions, undo steps and re-submissions (ms): baseMs doubling up to maxMs. */
  readonly retry?: { readonly baseMs: number; readonly maxMs: number };
  /** Retries per action after a transient failure before the plan is given up (default 3). */
  readonly retries?: number;
  /**
   * Time an operation may run before it is cancelled (code `timeout`); omit (or a control plane
   * without `cancel`) for no timeouts.
   */
  readonly opTimeoutMs?: (action: PlanAction) => number;
  /** Plan records kept in `records` (the first half and the latest half; default 10,000). */
  readonly recordLimit?: number;
  /**
   * Receives each plan record once nothing changes it any more (ended, its operations
   * finished), in the order the plans were handed to `execute`; `records` then stays empty (a
   * run streams them to `plans.jsonl`). `flushRecords()` hands over the rest at the end.
   */
  readonly onRecord?: (rec: PlanRecord) => void;
  /** Prefix of operation tags (the policy name). */
  readonly tag?: string;
}

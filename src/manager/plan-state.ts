/**
 * The state machine of one plan in the APM (the action one is in action-state.ts).
 *
 * ```
 *             ┌──────────────► superseded ◄──────────────┐
 *             │                                          │
 *   waiting ──┴──► running ──────────────────────────────┼──► completed
 *      │             │  │                                │
 *      │             │  └──► rolling-back ──► rolled-back│
 *      │             │            │                      │
 *      └─────────────┴────────────┴──────► aborted ◄─────┘
 * ```
 *
 * Edges, one per line:
 * - waiting → running: no older operation is in flight and the map is the one planned from
 * - waiting → superseded: a newer plan arrived before this one started
 * - waiting → aborted: the map changed since the plan was made
 * - running → completed: every action is done
 * - running → superseded: a newer plan took over (pending actions cancelled; what is done stays)
 * - running → aborted: the stale-plan re-check found it no longer pays, and what is done pays
 *   (or nothing is done)
 * - running → rolling-back: an action was given up (permanent failure or retry budget spent), or
 *   the re-check found it no longer pays and what is done does not pay either
 * - rolling-back → rolled-back: every done action was undone (the map before the plan)
 * - rolling-back → aborted: the rollback of a plan aborted by the re-check ended
 *
 * A plan rolling back is never superseded: a newer plan waits until the rollback ends.
 * Anything outside the table throws (a bug).
 */
import { TransitionError } from './action-state.ts';

export type PlanState = 'waiting' | 'running' | 'rolling-back' | 'completed' | 'rolled-back' | 'superseded' | 'aborted';

/** How a plan ended (`plans.jsonl` `outcome`). */
export type PlanOutcome = 'completed' | 'rolled-back' | 'superseded' | 'aborted';

/** The valid transitions. */
export const PLAN_TRANSITIONS: Readonly<Record<PlanState, readonly PlanState[]>> = {
  waiting: ['running', 'superseded', 'aborted'],
  running: ['completed', 'superseded', 'aborted', 'rolling-back'],
  'rolling-back': ['rolled-back', 'aborted'],
  completed: [],
  'rolled-back': [],
  superseded: [],
  aborted: [],
};

/** Whether `s` is an end state. */
export function isPlanOutcome(s: PlanState): s is PlanOutcome {
  return PLAN_TRANSITIONS[s].length === 0;
}

/** The state of one plan; `to` enforces the table. */
export class PlanTracker {
  state: PlanState = 'waiting';

  to(to: PlanState): void {
    if (!PLAN_TRANSITIONS[this.state].includes(to)) throw new TransitionError(`invalid plan transition ${this.state} → ${to}`);
    this.state = to;
  }
}

/**
 * The state machine of one plan action in the APM.
 *
 * ```
 *                 ┌───────────► cancelled            (superseded by a newer plan, or plan aborted)
 *                 │
 *   pending ──► running ──► done ──► rolling-back ──► rolled-back
 *                 │                     │    ▲
 *                 ▼                     └────┘ (an undo step failed: retried with backoff)
 *               failed
 * ```
 *
 * Edges, one per line:
 * - pending → running: submitted to the control plane and accepted
 * - pending → cancelled: a newer plan superseded this one, or the plan was aborted/rolled back
 * - running → done: the control plane reported the operation done
 * - running → failed: the control plane reported a failure (or rejected the request for good)
 * - done → rolling-back: a later action of the plan failed (or the aborted plan no longer pays)
 * - rolling-back → rolling-back: an undo step failed and is retried after a backoff
 * - rolling-back → rolled-back: every undo step of the action is done
 *
 * Every transition takes the virtual `now`; anything outside the table throws (a bug).
 */
import { KeycastError } from '../model/errors.ts';

export type ActionState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'rolling-back' | 'rolled-back';

/** The valid transitions. */
export const TRANSITIONS: Readonly<Record<ActionState, readonly ActionState[]>> = {
  pending: ['running', 'cancelled'],
  running: ['done', 'failed'],
  done: ['rolling-back'],
  'rolling-back': ['rolling-back', 'rolled-back'],
  failed: [],
  cancelled: [],
  'rolled-back': [],
};

/** A transition outside the table. */
export class TransitionError extends KeycastError {
  constructor(message: string) {
    super('TRANSITION', message);
    this.name = 'TransitionError';
  }
}

/** One recorded transition. */
export interface Transition {
  readonly from: ActionState;
  readonly to: ActionState;
  readonly atMs: number;
  readonly reason?: string;
}

/** The state of one action with its history. */
export class ActionTracker {
  state: ActionState = 'pending';
  readonly history: Transition[] = [];

  /** Moves to `to` at `nowMs`; throws TransitionError when the table does not allow it. */
  to(to: ActionState, nowMs: number, reason?: string): void {
    if (!TRANSITIONS[this.state].includes(to)) throw new TransitionError(`invalid transition ${this.state} → ${to}`);
    this.history.push({ from: this.state, to, atMs: nowMs, reason });
    this.state = to;
  }

  /** Time of the first transition into `s`, if any. */
  timeOf(s: ActionState): number | undefined {
    return this.history.find((t) => t.to === s)?.atMs;
  }
}

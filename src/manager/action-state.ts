/**
 * The state machine of one plan action in the APM.
 *
 * ```
 *                 ┌──────────────────────────────► cancelled   (plan superseded, aborted or rolled back)
 *                 │             ▲      ▲
 *   pending ──► running ──► done ──► rolling-back ──► rolled-back
 *     │           │   ▲                   │    ▲
 *     │           ▼   │ (resubmitted)     └────┘ (an undo step failed: retried with backoff)
 *     │        retrying ──────────► cancelled
 *     │           │
 *     └─────────► failed ◄── running   (given up: permanent code, or retry budget spent)
 * ```
 *
 * Edges, one per line:
 * - pending → running: submitted to the control plane and accepted
 * - pending → cancelled: a newer plan superseded this one, or the plan was aborted/rolled back
 * - pending → failed: the control plane refused it for good (`illegal`, or a transient code with
 *   the action's retry budget spent)
 * - running → done: the control plane reported the operation done
 * - running → retrying: the operation failed with a transient code (`failed`, `timeout`, `busy`,
 *   `limit`) and the action has retries left; it is resubmitted after an exponential backoff
 * - running → failed: the operation failed with a permanent code (`node-down`, `illegal`) or the
 *   action's retry budget is spent: the plan is given up (rolled back)
 * - retrying → running: resubmitted and accepted
 * - retrying → failed: the resubmission was refused for good, or the budget is spent
 * - retrying → cancelled: the plan was superseded, aborted or rolled back while it waited
 * - done → rolling-back: the plan was given up (or the aborted plan no longer pays)
 * - rolling-back → rolling-back: an undo step failed and is retried after a backoff
 * - rolling-back → rolled-back: every undo step of the action is done
 *
 * Every transition takes the virtual `now`; anything outside the table throws (a bug).
 */
import { KeycastError } from '../model/errors.ts';

export type ActionState = 'pending' | 'running' | 'retrying' | 'done' | 'failed' | 'cancelled' | 'rolling-back' | 'rolled-back';

/** The valid transitions. */
export const TRANSITIONS: Readonly<Record<ActionState, readonly ActionState[]>> = {
  pending: ['running', 'cancelled', 'failed'],
  running: ['done', 'retrying', 'failed'],
  retrying: ['running', 'failed', 'cancelled'],
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

/** Transitions an action keeps (the first ones and the latest): a retried action's history stays bounded. */
export const HISTORY_LIMIT = 16;

/** The state of one action with its (bounded) history. */
export class ActionTracker {
  state: ActionState = 'pending';
  readonly history: Transition[] = [];
  /** Transitions dropped from the middle of `history` (beyond HISTORY_LIMIT). */
  dropped = 0;

  /** Moves to `to` at `nowMs`; throws TransitionError when the table does not allow it. */
  to(to: ActionState, nowMs: number, reason?: string): void {
    if (!TRANSITIONS[this.state].includes(to)) throw new TransitionError(`invalid transition ${this.state} → ${to}`);
    if (this.history.length >= HISTORY_LIMIT) {
      this.history.splice(HISTORY_LIMIT / 2, 1);
      this.dropped++;
    }
    this.history.push({ from: this.state, to, atMs: nowMs, reason });
    this.state = to;
  }

  /** Time of the first transition into `s`, if any (among those kept). */
  timeOf(s: ActionState): number | undefined {
    return this.history.find((t) => t.to === s)?.atMs;
  }
}

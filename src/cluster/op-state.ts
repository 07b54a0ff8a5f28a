/**
 * The state machine of one operation in the simulated control plane (sim-cluster.ts).
 *
 * ```
 *          ┌──► pause ─────────────────────────┬──► done
 *          │     (split, merge: the cut-over)  │
 *   new ───┼──► transfer ──► cutover ──────────┘
 *          │       │           │
 *          └──► stuck          │      (any live state) ──► failed     (fault, crash, map changed)
 *                  │           │      (any live state) ──► cancelled  (the APM's timeout)
 * ```
 *
 * Edges, one per line:
 * - new → pause: a split or merge starts its cut-over pause
 * - new → transfer: a move or create starts sending its state
 * - new → stuck: the scenario's `stuckOpRate` drew this operation: it holds its partitions and
 *   does nothing until cancelled (or a node of it crashes)
 * - pause → done, cutover → done: the map changes (the only way it does)
 * - transfer → cutover: every byte was sent; the partition pauses for the cut-over
 * - pause | transfer | cutover | stuck → failed: an injected failure, a crashed node, or the map
 *   changed under it (`failed` event; the map is unchanged)
 * - pause | transfer | cutover | stuck → cancelled: `cancel` (the APM's operation timeout;
 *   a `failed` event with code `timeout`; the map is unchanged)
 *
 * Anything outside the table throws (a bug).
 */

import { KeycastError } from '../model/errors.ts';

export type OpState = 'new' | 'pause' | 'transfer' | 'cutover' | 'stuck' | 'done' | 'failed' | 'cancelled';

export const OP_TRANSITIONS: Readonly<Record<OpState, readonly OpState[]>> = {
  new: ['pause', 'transfer', 'stuck'],
  pause: ['done', 'failed', 'cancelled'],
  transfer: ['cutover', 'failed', 'cancelled'],
  cutover: ['done', 'failed', 'cancelled'],
  stuck: ['failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

/** An operation transition outside the table (a bug in the simulator). */
export class OpTransitionError extends KeycastError {
  constructor(message: string) {
    super('OP_TRANSITION', message);
    this.name = 'OpTransitionError';
  }
}

/** Checks `from → to` against the table and returns `to`. */
export function opTransition(from: OpState, to: OpState): OpState {
  if (!OP_TRANSITIONS[from].includes(to)) throw new OpTransitionError(`invalid operation transition ${from} → ${to}`);
  return to;
}

/** Whether an operation in state `s` is still in flight. */
export function opLive(s: OpState): boolean {
  return OP_TRANSITIONS[s].length > 0;
}

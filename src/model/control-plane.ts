/**
 * The control-plane interface the APM drives: submit one repartitioning operation, watch its
 * status events. The simulated cluster is one implementation; a real system's adapter is another.
 * Deliberately small: the current map, submit, and a stream of events.
 */
import type { Observable } from 'rxjs';
import type { PartitionMap } from './partition-map.ts';
import type { PlanAction } from './plan.ts';

/**
 * Stable outcome codes of the control plane; the APM decides on these, never on message text.
 * - `busy`: a concurrency cap or a partition already in an operation; try again later (transient).
 * - `limit`: a capacity limit such as `maxPartitions` (transient: a merge may free room).
 * - `node-down`: a node the action needs is down or gone (permanent for this attempt's target).
 * - `illegal`: the action does not apply to the current map (permanent).
 * - `noop`: the map already is as the action would leave it (e.g. a move to the node it is on).
 * - `timeout`: the operation did not finish in time and was cancelled (transient).
 * - `failed`: the operation failed part-way (transient).
 */
export type OpCode = 'busy' | 'limit' | 'node-down' | 'illegal' | 'noop' | 'timeout' | 'failed';

/** Codes worth a retry of the same action after a backoff. */
export function isTransient(code: OpCode): boolean {
  return code === 'busy' || code === 'limit' || code === 'timeout' || code === 'failed';
}

/** Status of an operation in the control plane. */
export type OpStatus = 'started' | 'done' | 'failed';

/** A status event of an operation. */
export interface OpEvent {
  readonly opId: number;
  readonly action: PlanAction;
  readonly status: OpStatus;
  readonly timeMs: number;
  /** Who asked (plan id or policy tag), echoed back. */
  readonly tag?: string;
  /** Why it failed, for people. */
  readonly reason?: string;
  /** Why it failed, for the APM (failed events only). */
  readonly code?: OpCode;
  /** Bytes sent so far (moves, creates), also for failed ones. */
  readonly bytes?: number;
  /** Node of the partition when the operation started. */
  readonly fromNode?: number;
  /** Buckets `[start, end)` the operation concerns (the partition, or the moving half). */
  readonly range?: { readonly start: number; readonly end: number };
  /** From start to this event. */
  readonly durationMs?: number;
  /** The map after the operation (done) or the unchanged map (failed). */
  readonly map?: PartitionMap;
}

/** Result of a submission: accepted with an id, or rejected with a reason (nothing changed). */
export type SubmitResult =
  | { readonly accepted: true; readonly opId: number }
  | { readonly accepted: false; readonly code: OpCode; readonly reason: string };

/** What the APM needs of a cluster. */
export interface ControlPlane {
  /** The current partition map (changes only when an operation completes). */
  currentMap(): PartitionMap;
  /** Nodes that are up and accept partitions. */
  activeNodes(): readonly number[];
  /** Starts an operation now; illegal requests are rejected with a reason and change nothing. */
  submit(action: PlanAction, tag?: string): SubmitResult;
  /** Operations in flight. */
  inFlight(): number;
  /**
   * Cancels operation `opId` if it is still in flight: the operation stops, leaves the map as it
   * was (like any failed operation) and its `failed` event (with `code`, `timeout` for an
   * operation that took too long) is emitted: before `cancel` returns on a simulated plane, once
   * the cluster is put back (no slot left open) on a real one. Returns false if the operation
   * already ended or is already stopping. Optional: without it the APM enforces no operation
   * timeouts.
   */
  cancel?(opId: number, code: OpCode, reason: string): boolean;
  /** Status events of every operation. */
  readonly events$: Observable<OpEvent>;
}

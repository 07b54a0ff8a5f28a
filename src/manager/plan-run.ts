/**
 * One plan as the APM runs it (`PlanRun`: its actions' states, batches, operations in flight,
 * retries and undo steps), the record of it written to `plans.jsonl` and its hand-over
 * (`PlanRecords`), the plan counts of the summary, the APM's status events, and what undoes each
 * kind of action. The plan's own states
 * and their table are in plan-state.ts, an action's in action-state.ts; partition-manager.ts
 * drives the run, rollback.ts undoes it.
 */
import { applyAction } from '../model/apply-action.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import { partitionsTouched, type Plan, type PlanAction } from '../model/plan.ts';
import { ActionTracker, type ActionState } from './action-state.ts';
import { planBatches } from './batches.ts';
import { isPlanOutcome, PlanTracker, type PlanOutcome, type PlanState } from './plan-state.ts';

/** A status event of the APM. */
export type ManagerEvent =
  | { readonly type: 'action'; readonly timeMs: number; readonly planId: string; readonly index: number; readonly action: PlanAction; readonly from: ActionState; readonly to: ActionState; readonly reason?: string }
  | { readonly type: 'plan'; readonly timeMs: number; readonly planId: string; readonly status: 'started' | 'waiting' | PlanOutcome; readonly reason?: string }
  | { readonly type: 'undo-step'; readonly timeMs: number; readonly planId: string; readonly index: number; readonly step: PlanAction; readonly status: 'done' | 'failed'; readonly reason?: string; readonly attempt: number };

/** A plan as data with its execution record (one line of `plans.jsonl`). */
export interface PlanRecord {
  id: string;
  basis: string;
  createdAtMs: number;
  startedAtMs?: number;
  endedAtMs?: number;
  outcome?: PlanOutcome;
  reason?: string;
  savings: number;
  /** The larger plan this one was cut from (`Plan.capped`). */
  capped?: Plan['capped'];
  current: Plan['current'];
  predicted: Plan['predicted'];
  actions: { action: PlanAction; state: ActionState; startMs?: number; endMs?: number; bytes?: number; reason?: string; retries?: number }[];
}

/** Plan-level counts (`summary.json` `plans`). */
export type { PlanCounts } from '../model/policy-outcome.ts';

/** The undo steps of one done action and how far they got. */
export interface UndoInfo {
  steps: PlanAction[];
  next: number;
  attempt: number;
}

/** The execution state of one plan in the APM: its actions' trackers and batches, undo steps, retries and record. */
export class PlanRun {
  readonly trackers: ActionTracker[];
  readonly batchOf: number[];
  readonly batches: number;
  readonly plan: PlanTracker = new PlanTracker();
  batch = 0;
  /** opId → action index (own operations in flight). */
  readonly ops = new Map<number, number>();
  /** Undo steps per action index, filled when the action completes. */
  readonly undo = new Map<number, UndoInfo>();
  /** Completion order of done actions (undo runs in reverse). */
  readonly doneOrder: number[] = [];
  /** Retries spent per action. */
  readonly retries: Int32Array;
  /** Scheduler handles of actions waiting to be resubmitted (index → handle). */
  readonly retryTimers = new Map<number, number>();
  undoQueue: number[] = [];
  undoOp: number | null = null;
  startMap: PartitionMap | null = null;
  /** Scheduler handle of a pending plan-level retry, or −1. */
  retryTimer = -1;
  /** How the rollback ends (`rolled-back`, or `aborted` for an aborted plan undone). */
  rollbackOutcome: 'rolled-back' | 'aborted' = 'rolled-back';
  readonly record: PlanRecord;
  constructor(readonly p: Plan) {
    this.trackers = p.actions.map(() => new ActionTracker());
    const b = planBatches(p.actions.length, p.dependsOn);
    this.batchOf = b.batchOf;
    this.batches = b.count;
    this.retries = new Int32Array(p.actions.length);
    this.record = {
      id: p.id,
      basis: p.basis,
      createdAtMs: p.createdAtMs,
      savings: p.savings,
      ...(p.capped ? { capped: p.capped } : {}),
      current: p.current,
      predicted: p.predicted,
      actions: p.actions.map((action) => ({ action, state: 'pending' as ActionState })),
    };
  }
  get state(): PlanState {
    return this.plan.state;
  }
  get ended(): boolean {
    return isPlanOutcome(this.plan.state);
  }
  /** Whether a merge of the batch running `i` is pending, running or retrying (it will lower the partition count). */
  mergeAhead(i: number): boolean {
    for (let j = 0; j < this.trackers.length; j++) {
      if (j === i || this.batchOf[j] !== this.batchOf[i] || this.p.actions[j].kind !== 'merge') continue;
      const s = this.trackers[j].state;
      if (s === 'pending' || s === 'running' || s === 'retrying') return true;
    }
    return false;
  }
  /** Writes action `i`'s new state `to` at `nowMs` into the plan's record. */
  recordAction(i: number, to: ActionState, nowMs: number, reason?: string): void {
    const rec = this.record.actions[i];
    rec.state = to;
    if (to === 'running' && rec.startMs === undefined) rec.startMs = nowMs;
    if (to === 'done' || to === 'failed' || to === 'cancelled' || to === 'rolled-back') rec.endMs = nowMs;
    if (reason && (to === 'failed' || to === 'cancelled')) rec.reason = reason;
  }
}

/**
 * The map the cluster will have once the operations in flight of `runs` finish (`map`: the map
 * now): the right base for a plan that supersedes them. A run rolling back is left out (its
 * operations undo), and so is an action that turned illegal (the cluster will fail it).
 */
export function mapAfterInFlight(map: PartitionMap, runs: readonly PlanRun[]): PartitionMap {
  for (const run of runs) {
    if (run.state === 'rolling-back') continue;
    for (const idx of run.ops.values()) {
      try {
        map = applyAction(map, run.p.actions[idx]);
      } catch {
        /* the running action turned illegal: the cluster will fail it */
      }
    }
  }
  return map;
}

/** The operations in flight of `runs` (those rolling back left out) and when each last started. */
export function runningOps(runs: readonly PlanRun[]): { action: PlanAction; startedAtMs: number }[] {
  const out: { action: PlanAction; startedAtMs: number }[] = [];
  for (const run of runs) {
    if (run.state === 'rolling-back') continue;
    for (const idx of run.ops.values()) out.push({ action: run.p.actions[idx], startedAtMs: run.trackers[idx].history.at(-1)?.atMs ?? 0 });
  }
  return out;
}

/** Whether an operation in flight of `runs` touches a partition `action` touches. */
export function heldByRunning(runs: readonly PlanRun[], action: PlanAction): boolean {
  const mine = partitionsTouched(action);
  for (const run of runs) {
    for (const idx of run.ops.values()) if (partitionsTouched(run.p.actions[idx]).some((p) => mine.includes(p))) return true;
  }
  return false;
}

/** Nodes sending or receiving state in `runs`: both ends of their in-flight moves and creates. */
export function transferNodes(map: PartitionMap, runs: readonly PlanRun[]): Set<number> {
  const out = new Set<number>();
  for (const run of runs) {
    for (const idx of run.ops.values()) {
      const a = run.p.actions[idx];
      if (a.kind !== 'move' && a.kind !== 'create') continue;
      out.add(a.node);
      const i = map.ids.indexOf(a.partition);
      if (i >= 0) out.add(map.nodes[i]);
    }
  }
  return out;
}

/**
 * Appends `rec` to `records`; beyond `limit`, drops the oldest ended record after the first half
 * (the first plans and the latest ones stay). Returns whether one was dropped.
 */
export function keepRecord(records: PlanRecord[], rec: PlanRecord, limit: number): boolean {
  records.push(rec);
  if (records.length <= limit) return false;
  const from = Math.floor(limit / 2);
  const k = records.findIndex((r, j) => j >= from && r.outcome !== undefined);
  if (k < 0) return false;
  records.splice(k, 1);
  return true;
}

/**
 * The hand-over of plan records: without a sink they are kept in memory (`kept`, at most `limit`:
 * the first half and the latest, `dropped` counts the rest); with one (a run streaming
 * `plans.jsonl`) each record goes to it once nothing changes it any more, in the order the plans
 * were handed over, and `kept` stays empty. Also the plans' mean execution lag (end − creation).
 */
export class PlanRecords {
  readonly kept: PlanRecord[] = [];
  dropped = 0;
  /** Σ (end − creation) over ended plans, and their count. */
  lagSumMs = 0;
  ended = 0;
  /** Runs whose records the sink has not had yet, in creation order. */
  private readonly unsettled: PlanRun[] = [];

  constructor(
    private readonly limit: number,
    private readonly sink?: (rec: PlanRecord) => void,
  ) {}

  /** A plan handed to the APM. */
  add(run: PlanRun): void {
    if (this.sink) this.unsettled.push(run);
    else if (keepRecord(this.kept, run.record, this.limit)) this.dropped++;
  }

  /** A plan ended at `endedAtMs` (its record's end time). */
  end(record: PlanRecord, endedAtMs: number): void {
    this.lagSumMs += endedAtMs - record.createdAtMs;
    this.ended++;
  }

  /** Whether records wait for the sink. */
  get waiting(): boolean {
    return this.unsettled.length > 0;
  }

  /** Hands the sink every leading record nothing changes any more (all of them with `all`). */
  flush(all = false): void {
    if (!this.sink) return;
    let k = 0;
    while (k < this.unsettled.length) {
      const run = this.unsettled[k];
      if (!all && !(run.ended && run.ops.size === 0 && run.undoOp === null)) break;
      this.sink(run.record);
      k++;
    }
    if (k > 0) this.unsettled.splice(0, k);
  }
}

/**
 * The steps that undo `a`, from `map`, the map just before it runs: a split is undone by a merge,
 * a merge by a split at the old cut with the old id, a move by a move back, a create by a move
 * back and a merge.
 */
export function undoSteps(a: PlanAction, map: PartitionMap): PlanAction[] {
  const idx = map.ids.indexOf(a.partition);
  switch (a.kind) {
    case 'split':
      return [{ kind: 'merge', partition: a.partition, with: a.newId }];
    case 'create':
      return [
        { kind: 'move', partition: a.newId, node: map.nodes[idx] },
        { kind: 'merge', partition: a.partition, with: a.newId },
      ];
    case 'merge':
      return [{ kind: 'split', partition: a.partition, at: map.boundaries[idx + 1], newId: a.with }];
    case 'move':
      return [{ kind: 'move', partition: a.partition, node: map.nodes[idx] }];
  }
}

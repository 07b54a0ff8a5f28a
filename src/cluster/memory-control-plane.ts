/**
 * An in-memory control plane: the partition map and operations with fixed durations on any
 * `SchedulerPort`, with injectable failures, node outages and `cancel`, and no queues or load.
 * It is the smallest full implementation of the `ControlPlane` contract, for testing the APM and policies
 * against scripted failures (a failure at a chosen operation, a node down at a chosen time) that
 * the simulated cluster only produces at random, and as the contract suite's reference.
 */
import { Subject } from 'rxjs';
import { Priority, type SchedulerPort } from '../engine/virtual-scheduler.ts';
import { applyAction } from '../model/apply-action.ts';
import type { ControlPlane, OpCode, OpEvent, SubmitResult } from '../model/control-plane.ts';
import { mapProblems, type PartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';
import { actionPartitions, actionRange, admission } from './admission.ts';

export interface MemoryControlPlaneOptions {
  readonly scheduler: SchedulerPort;
  readonly initialMap: PartitionMap;
  readonly nodes: number;
  readonly maxConcurrentOps?: number;
  readonly maxPartitions?: number;
  /** Duration of each kind of operation (ms); moves and creates add `bytes / moveBandwidth`. */
  readonly durations?: { readonly split?: number; readonly merge?: number; readonly move?: number };
  /** Bytes/s of a move (default 1 MB/s). */
  readonly moveBandwidth?: number;
  /** State bytes of buckets `[start, end)` (default 0). */
  readonly stateBytes?: (start: number, end: number) => number;
}

interface Op {
  readonly id: number;
  readonly action: PlanAction;
  readonly tag?: string;
  readonly startMs: number;
  readonly fromNode: number;
  readonly range: { start: number; end: number };
  readonly bytes: number;
  readonly durationMs: number;
  timer: number;
}

/** A scripted failure: the `nth` accepted operation from now (1 = the next) fails with `code`. */
interface Injected {
  remaining: number;
  code: OpCode;
  /** Fraction of the operation done when it fails (bytes sent are this fraction). */
  at: number;
  /** Kinds of operation that count (default all). */
  kinds?: readonly PlanAction['kind'][];
}

export class MemoryControlPlane implements ControlPlane {
  readonly events$ = new Subject<OpEvent>();
  private map: PartitionMap;
  private readonly ops = new Map<number, Op>();
  private readonly busy = new Set<string>();
  private readonly reserved = new Set<string>();
  private readonly up: boolean[];
  private nextOpId = 1;
  private injected: Injected[] = [];
  /** Bytes sent by every operation, failed ones included. */
  movedBytes = 0;

  constructor(private readonly o: MemoryControlPlaneOptions) {
    const p = mapProblems(o.initialMap, o.nodes);
    if (p.length) throw new RangeError(`initial map: ${p.join('; ')}`);
    this.map = o.initialMap;
    this.up = Array.from({ length: o.nodes }, () => true);
  }

  currentMap(): PartitionMap {
    return this.map;
  }

  activeNodes(): readonly number[] {
    return this.up.flatMap((u, i) => (u ? [i] : []));
  }

  inFlight(): number {
    return this.ops.size;
  }

  /**
   * Makes the `nth` accepted operation from now (of `kinds`, default any) fail with `code` after
   * `at` of its duration.
   */
  failNext(code: OpCode = 'failed', opts: { nth?: number; at?: number; kinds?: readonly PlanAction['kind'][] } = {}): void {
    this.injected.push({ remaining: opts.nth ?? 1, code, at: opts.at ?? 0.5, kinds: opts.kinds });
  }

  /**
   * Takes node `n` down or brings it back. Going down fails the operations touching it
   * (`node-down`) and rejects new ones until it is back.
   */
  setNodeUp(n: number, up: boolean): void {
    this.up[n] = up;
    if (up) return;
    for (const op of [...this.ops.values()]) {
      const dst = op.action.kind === 'move' || op.action.kind === 'create' ? op.action.node : op.fromNode;
      if (op.fromNode === n || dst === n) {
        this.o.scheduler.cancel(op.timer);
        this.fail(op, `node ${n} went down`, 'node-down', 0);
      }
    }
  }

  /**
   * Stops operation `opId` if it is still running: it fails with `code` and `reason` (bytes sent
   * in proportion to the time it ran), the map stays as it was. False when it is not running.
   */
  cancel(opId: number, code: OpCode, reason: string): boolean {
    const op = this.ops.get(opId);
    if (!op) return false;
    this.o.scheduler.cancel(op.timer);
    const now = this.o.scheduler.now();
    const frac = op.durationMs > 0 ? Math.min(1, (now - op.startMs) / op.durationMs) : 0;
    this.fail(op, reason, code, frac);
    return true;
  }

  submit(action: PlanAction, tag?: string): SubmitResult {
    const rejected = admission(
      {
        map: this.map,
        inFlight: this.ops.size,
        maxConcurrentOps: this.o.maxConcurrentOps ?? 4,
        maxPartitions: this.o.maxPartitions ?? 1024,
        busy: this.busy,
        reservedIds: this.reserved,
        nodeExists: (n) => Number.isInteger(n) && n >= 0 && n < this.up.length,
        nodeUp: (n) => this.up[n] === true,
      },
      action,
    );
    if (rejected) return { accepted: false, ...rejected };
    const now = this.o.scheduler.now();
    const i = this.map.ids.indexOf(action.partition);
    const range = actionRange(this.map, action);
    const moves = action.kind === 'move' || action.kind === 'create';
    const bytes = moves ? (this.o.stateBytes?.(range.start, range.end) ?? 0) : 0;
    const d = this.o.durations ?? {};
    const base = action.kind === 'split' ? (d.split ?? 10) : action.kind === 'merge' ? (d.merge ?? 10) : (d.move ?? 20);
    const durationMs = base + (moves ? (bytes / (this.o.moveBandwidth ?? 1024 * 1024)) * 1000 : 0);
    const op: Op = { id: this.nextOpId++, action, tag, startMs: now, fromNode: this.map.nodes[i], range, bytes, durationMs, timer: -1 };
    for (const p of actionPartitions(action)) this.busy.add(p);
    if (action.kind === 'split' || action.kind === 'create') this.reserved.add(action.newId);
    this.ops.set(op.id, op);
    let failure: Injected | undefined;
    for (const f of this.injected) if ((!f.kinds || f.kinds.includes(action.kind)) && --f.remaining === 0) failure = f;
    this.injected = this.injected.filter((f) => f.remaining > 0);
    // Events go out later, never inside submit: the caller records the op id first.
    this.o.scheduler.after(0, () => this.ops.has(op.id) && this.emit(op, 'started'), Priority.control);
    if (failure) {
      const f = failure;
      op.timer = this.o.scheduler.after(durationMs * f.at, () => this.fail(op, `injected failure (${f.code})`, f.code, f.at), Priority.control);
    } else {
      op.timer = this.o.scheduler.after(durationMs, () => this.complete(op), Priority.control);
    }
    return { accepted: true, opId: op.id };
  }

  private release(op: Op): void {
    this.ops.delete(op.id);
    for (const p of actionPartitions(op.action)) this.busy.delete(p);
    if (op.action.kind === 'split' || op.action.kind === 'create') this.reserved.delete(op.action.newId);
  }

  private complete(op: Op): void {
    this.release(op);
    this.map = applyAction(this.map, op.action); // Invariant: admission and `busy` keep it legal
    this.movedBytes += op.bytes;
    this.emit(op, 'done', op.bytes);
  }

  private fail(op: Op, reason: string, code: OpCode, frac: number): void {
    this.release(op);
    const sent = op.bytes * frac;
    this.movedBytes += sent;
    this.emit(op, 'failed', sent, reason, code);
  }

  private emit(op: Op, status: OpEvent['status'], bytes = 0, reason?: string, code?: OpCode): void {
    const now = this.o.scheduler.now();
    this.events$.next({ opId: op.id, action: op.action, status, timeMs: now, tag: op.tag, reason, code, bytes, fromNode: op.fromNode, range: op.range, durationMs: now - op.startMs, map: this.map });
  }
}

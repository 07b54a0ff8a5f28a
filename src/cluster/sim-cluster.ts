/**
 * The simulated cluster of one policy ("lane"): partitions as FIFO fluid queues on nodes, the
 * control plane (split, merge, move, create with pauses, state transfer and faults), node crashes
 * and node events, and the metrics of what happened.
 *
 * Per tick (`step`): each partition's arrivals join its queue as one cohort (or are served in place
 * when nothing waits and nothing limits them); each up node shares its capacity among its
 * partitions in proportion to their queued demand (capped per partition if `partitionCapacity`
 * is set); a paused partition serves nothing until its pause ends; served portions record their
 * measured latency (departure − arrival + base latency). Moves progress at the per-node move
 * bandwidth, shared equally among the moves using a node.
 *
 * What a crash keeps: a crashed node's partitions keep their queues (nothing is lost) and resume
 * when the node is back; records arriving meanwhile queue up (or are dropped at `queueLimit`).
 * Operations touching a crashed node fail; new ones are rejected.
 *
 * Faults an operation can draw (`faults`, each from the lane's fault stream, drawn only when its
 * rate is above zero so that a scenario without it draws the same numbers): fail part-way
 * (`opFailureRate`), run `slowFactor` times slower (`slowOpRate`: longer cut-over pause, slower
 * transfer), or get stuck (`stuckOpRate`: holds its partitions, does nothing until `cancel`led).
 * The operation state machine is in op-state.ts; what one operation draws and how transfers
 * progress, in sim-operation.ts; the arithmetic of a tick's service, in fluid-service.ts; the
 * nodes' life, in sim-nodes.ts; the partitions' queues, in partition-queues.ts; the end of a metrics window, in sim-window.ts. This class holds
 * the state they share and the control-plane contract.
 */
import { Subject } from 'rxjs';
import type { RandomStream } from '../engine/random.ts';
import { Priority, type VirtualScheduler } from '../engine/virtual-scheduler.ts';
import { applyAction } from '../model/apply-action.ts';
import type { KeyBatch } from '../model/batch.ts';
import type { ControlPlane, OpCode, OpEvent, SubmitResult } from '../model/control-plane.ts';
import { mapProblems, type PartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';
import { actionPartitions, actionRange, admission } from './admission.ts';
import type { BucketHistory } from './bucket-history.ts';
import type { ClusterConfig } from './config.ts';
import { FluidService } from './fluid-service.ts';
import { LaneMetrics } from './lane-metrics.ts';
import { opLive, opTransition, type OpState } from './op-state.ts';
import { PartitionQueues } from './partition-queues.ts';
import { drainTargets, SimNodes } from './sim-nodes.ts';
import { drawFaults, drawsFaults, faultKey, progressTransfers, type SimOp, type TransferHost } from './sim-operation.ts';
import { closeWindow } from './sim-window.ts';

/** Options beyond the cluster config. */
export interface SimClusterOptions {
  readonly config: ClusterConfig;
  readonly initialMap: PartitionMap;
  readonly scheduler: VirtualScheduler;
  /** The lane's fault stream (operation failures), used when `faultDraws` is absent. */
  readonly faults: RandomStream;
  /**
   * Common random numbers for faults: the draws of one operation from a key naming it (time,
   * kind, key range, source and target node), so every lane that submits the same operation at
   * the same instant faces the same failure (run.ts keys these by the seed alone).
   */
  readonly faultDraws?: (key: string) => RandomStream;
  /** Shared arrival history (state bytes). */
  readonly history: BucketHistory;
  readonly recordBytes: number;
  readonly warmupMs: number;
  readonly sloMs: number;
}

export class SimCluster implements ControlPlane {
  readonly events$ = new Subject<OpEvent>();
  readonly metrics: LaneMetrics;
  private map: PartitionMap;
  private readonly queues: PartitionQueues;
  private readonly nodes: SimNodes;
  private ops = new Map<number, SimOp>();
  private nextOpId = 1;
  private readonly cfg: ClusterConfig;
  private readonly sched: VirtualScheduler;
  /** Partitions held by an operation in flight. */
  private readonly busy = new Set<string>();
  /** Ids reserved by splits and creates in flight. */
  private readonly reservedIds = new Set<string>();
  /** Demand of the current window per node (records), for utilisation. */
  private windowNodeArrivals: Float64Array;
  /** Bytes/s each node sent or received in moves over the last tick (for `moveLoad`). */
  private moveUse: readonly number[] = [];
  private readonly service = new FluidService();
  private readonly onServed = (arrival: number, wait: number, n: number) => this.metrics.served(arrival, wait, n);
  private readonly transferHost: TransferHost = {
    down: (node, t) => !this.nodes.isUp(node, t),
    moved: (bytes, t) => this.metrics.moved(bytes, t),
    fail: (op, reason, code) => this.fail(op, reason, code),
    sent: (op, atMs) => this.startCutover(op, atMs),
  };

  constructor(private readonly o: SimClusterOptions) {
    this.cfg = o.config;
    this.sched = o.scheduler;
    this.map = o.initialMap;
    this.metrics = new LaneMetrics(o.warmupMs, o.sloMs, o.config.baseLatency);
    this.queues = new PartitionQueues(this.map.ids, o.warmupMs);
    this.nodes = new SimNodes(this.cfg.nodes);
    this.windowNodeArrivals = new Float64Array(this.cfg.nodes);
    this.checkMap('initial map');
    for (const c of this.cfg.faults.crashes) this.sched.at(c.at, () => this.crash(c.node, c.duration), Priority.control);
    for (const e of this.cfg.events) {
      if ('addNode' in e) this.sched.at(e.addNode.at, () => this.addNode(), Priority.control);
      else this.sched.at(e.removeNode.at, () => this.removeNode(e.removeNode.node), Priority.control);
    }
  }

  // ---------------- ControlPlane ----------------

  currentMap(): PartitionMap {
    return this.map;
  }

  activeNodes(): readonly number[] {
    return this.nodes.activeAt(this.sched.now());
  }

  /** Every node index ever created (removed ones included). */
  get nodeCount(): number {
    return this.nodes.count;
  }

  inFlight(): number {
    return this.ops.size;
  }

  submit(action: PlanAction, tag?: string): SubmitResult {
    const now = this.sched.now();
    const rejected = admission(
      {
        map: this.map,
        inFlight: this.ops.size,
        maxConcurrentOps: this.cfg.maxConcurrentOps,
        maxPartitions: this.cfg.maxPartitions,
        busy: this.busy,
        reservedIds: this.reservedIds,
        nodeExists: (n) => this.nodes.exists(n),
        nodeUp: (n) => this.nodes.isUp(n, now),
      },
      action,
    );
    if (rejected) return { accepted: false, ...rejected };
    const src = this.map.nodes[this.map.ids.indexOf(action.partition)];
    const dst = action.kind === 'move' || action.kind === 'create' ? action.node : src;
    const partitions = actionPartitions(action);
    const op: SimOp = { id: this.nextOpId++, action, tag, startMs: now, state: 'new', slow: 1, bytesTotal: 0, bytesSent: 0, src, dst, range: actionRange(this.map, action), partitions };
    let stuck = false;
    if (drawsFaults(this.cfg.faults)) {
      const faults = drawFaults(this.cfg.faults, this.o.faultDraws ? this.o.faultDraws(faultKey(now, op)) : this.o.faults);
      if (faults.failAt !== undefined) op.failAt = faults.failAt;
      stuck = faults.stuck;
      op.slow = faults.slow;
    }
    for (const p of partitions) this.busy.add(p);
    if (action.kind === 'split' || action.kind === 'create') {
      op.reservedId = action.newId;
      this.reservedIds.add(action.newId);
    }
    this.ops.set(op.id, op);
    this.emit(op, 'started');
    if (stuck) this.setState(op, 'stuck');
    else if (action.kind === 'split' || action.kind === 'merge') this.startPause(op, now);
    else {
      op.bytesTotal = this.stateBytes(op.range.start, op.range.end, now);
      op.setupLeftMs = ((this.cfg.movePerBucket ?? 0) * (op.range.end - op.range.start) + (op.bytesTotal > 0 ? (this.cfg.moveDataSetup ?? 0) : 0)) * op.slow;
      this.setState(op, 'transfer');
      if (op.bytesTotal <= 0 && op.setupLeftMs <= 0 && op.failAt === undefined) this.startCutover(op, now);
    }
    return { accepted: true, opId: op.id };
  }

  // ---------------- operations over time ----------------

  private setState(op: SimOp, to: OpState): void {
    op.state = opTransition(op.state, to);
  }

  /**
   * Cancels an operation in flight (the APM's timeout): it ends as a failed one (`code`), the
   * map unchanged, the rest of its pause not taken; bytes already sent stay counted.
   */
  cancel(opId: number, code: OpCode, reason: string): boolean {
    const op = this.ops.get(opId);
    if (!op || !opLive(op.state)) return false;
    this.fail(op, reason, code, 'cancelled');
    return true;
  }

  /** A split or merge: its partitions pause for the cut-over, and it completes (or fails part-way) at the end. */
  private startPause(op: SimOp, now: number): void {
    this.setState(op, 'pause');
    const pause = (op.action.kind === 'split' ? this.cfg.pauses.split : this.cfg.pauses.merge) * op.slow;
    if (op.failAt !== undefined) {
      const at = now + op.failAt * pause;
      this.pause(op.partitions, now, at);
      op.cancelTimer = this.sched.at(at, () => this.fail(op, 'operation failed during cut-over'), Priority.control);
    } else {
      this.pause(op.partitions, now, now + pause);
      op.cancelTimer = this.sched.at(now + pause, () => this.complete(op), Priority.control);
    }
  }

  private startCutover(op: SimOp, atMs: number): void {
    this.setState(op, 'cutover');
    const pause = op.action.kind === 'create' ? this.cfg.pauses.split + this.cfg.pauses.move : this.cfg.pauses.move;
    this.pause(op.partitions, atMs, atMs + pause);
    op.cancelTimer = this.sched.at(atMs + pause, () => this.complete(op), Priority.control);
  }

  private pause(ids: string[], from: number, to: number): void {
    this.queues.pause(ids, from, to, (start, end) => this.metrics.paused(start, end));
  }

  private finish(op: SimOp): void {
    this.ops.delete(op.id);
    if (op.reservedId) this.reservedIds.delete(op.reservedId);
    for (const p of op.partitions) this.busy.delete(p);
  }

  private complete(op: SimOp): void {
    const now = this.sched.now();
    const a = op.action;
    const before = this.map;
    let after: PartitionMap;
    try {
      after = applyAction(before, a);
    } catch (err) {
      this.fail(op, `map changed under the operation: ${(err as Error).message}`, 'illegal');
      return;
    }
    this.setState(op, 'done');
    this.finish(op);
    this.reshapeQueues(before, a, now);
    this.map = after;
    this.metrics.operation(a.kind, now);
    this.checkMap(`after ${a.kind} ${a.partition}`);
    this.emit(op, 'done');
  }

  /**
   * The queues follow a completed split or merge: a split hands the new partition the share of
   * the queue its keys held (by the state history's counts), a merge joins the two queues.
   */
  private reshapeQueues(before: PartitionMap, a: PlanAction, now: number): void {
    const i = before.ids.indexOf(a.partition);
    if (a.kind === 'split' || a.kind === 'create') {
      const lo = before.boundaries[i];
      const hi = before.boundaries[i + 1];
      const upper = this.o.history.rangeCount(a.at, hi, now, this.cfg.retention) + 1e-9;
      const whole = this.o.history.rangeCount(lo, hi, now, this.cfg.retention) + 2e-9;
      this.queues.split(a.partition, a.newId, a.at - lo > 0 ? upper / whole : 0);
    } else if (a.kind === 'merge') this.queues.merge(a.partition, a.with);
  }

  private fail(op: SimOp, reason: string, code: OpCode = 'failed', end: 'failed' | 'cancelled' = 'failed'): void {
    const now = this.sched.now();
    this.setState(op, end);
    if (op.cancelTimer !== undefined) this.sched.cancel(op.cancelTimer);
    this.finish(op);
    // A failed operation leaves the map as it was: a failed move's range stays on its source,
    // and the rest of its pause does not happen.
    this.queues.unpause(op.partitions, now, (from, until) => this.metrics.paused(from, until, -1));
    this.metrics.operation('failed', now);
    this.emit(op, 'failed', reason, code);
  }

  private emit(op: SimOp, status: OpEvent['status'], reason?: string, code?: OpCode): void {
    const now = this.sched.now();
    this.events$.next({
      opId: op.id,
      action: op.action,
      status,
      timeMs: now,
      tag: op.tag,
      reason,
      code,
      bytes: op.bytesTotal > 0 ? (status === 'done' ? op.bytesTotal : op.bytesSent) : 0,
      durationMs: now - op.startMs,
      fromNode: op.src,
      range: op.range,
      map: this.map,
    });
  }

  /** Bytes of state of buckets `[start, end)`: the last `retention` of records × recordBytes. */
  stateBytes(start: number, end: number, nowMs: number): number {
    return this.o.history.rangeCount(start, end, nowMs, this.cfg.retention) * this.o.recordBytes;
  }

  // ---------------- nodes ----------------

  private crash(node: number, durationMs: number): void {
    const now = this.sched.now();
    if (!this.nodes.crash(node, now, durationMs)) return;
    const onNode = this.map.nodes.filter((x) => x === node).length;
    this.metrics.paused(now, now + durationMs, onNode);
    for (const op of [...this.ops.values()]) {
      if ((op.state === 'transfer' || op.state === 'stuck') && (op.src === node || op.dst === node)) this.fail(op, `node ${node} crashed`, 'node-down');
    }
  }

  /** Adds an empty node; returns its index. */
  addNode(): number {
    const n = this.nodes.add();
    const w = new Float64Array(this.nodes.count);
    w.set(this.windowNodeArrivals);
    this.windowNodeArrivals = w;
    return n;
  }

  /**
   * Removes a node: it stops accepting partitions and its partitions are moved to the least
   * loaded remaining nodes (moves through the control plane, counted like any other), retried
   * every second until none is left on it.
   */
  removeNode(node: number): void {
    if (!this.nodes.remove(node)) return;
    const drain = () => {
      const ids = this.map.ids.filter((_, i) => this.map.nodes[i] === node);
      if (ids.length === 0) return;
      const targets = this.activeNodes();
      if (targets.length === 0) return;
      const held = new Map<number, number>(targets.map((t) => [t, 0]));
      this.map.nodes.forEach((x) => held.has(x) && held.set(x, held.get(x)! + 1));
      drainTargets(ids, held, (id, target) => this.submit({ kind: 'move', partition: id, node: target }, 'remove-node').accepted);
      if (this.map.nodes.some((x) => x === node)) this.sched.after(1000, drain, Priority.control);
    };
    drain();
  }

  // ---------------- the tick ----------------

  /**
   * Simulates one tick of arrivals and service (fluid-service.ts), drops what is over the queue
   * limit, and advances transfers. `prefix` (optional): the batch's prefix sums, shared by the
   * lanes of a run (see `partitionArrivals`).
   */
  step(batch: KeyBatch, prefix?: Float64Array): void {
    const t = batch.timeMs;
    const dt = batch.durationMs;
    const map = this.map;
    const arr = this.service.arrivalsOf(batch, map.boundaries, prefix);
    this.metrics.arrived(batch.total);
    const mid = t + dt / 2;
    const states = this.queues.inMapOrder(map);
    for (let p = 0; p < states.length; p++) this.windowNodeArrivals[map.nodes[p]] += arr[p];
    this.service.serve({
      timeMs: t,
      durationMs: dt,
      nodeOf: map.nodes,
      partitions: states,
      downUntil: (n) => this.nodes.downUntil(n),
      nodes: this.nodes.count,
      nodeCapacity: this.cfg.nodeCapacity,
      partitionCapacity: this.cfg.partitionCapacity ?? Infinity,
      moveLoad: this.cfg.moveLoad ?? 0,
      moveBandwidth: this.cfg.moveBandwidth,
      moveUse: this.moveUse,
      onServed: this.onServed,
      arrivals: arr,
      arrivalMs: mid,
    });
    if (this.cfg.queueLimit !== undefined) {
      for (const s of states) if (s.queue.size > this.cfg.queueLimit) this.metrics.dropped(mid, s.queue.trimTo(this.cfg.queueLimit));
    }
    this.moveUse = this.ops.size === 0 ? [] : progressTransfers([...this.ops.values()], t, dt, this.cfg.moveBandwidth, this.transferHost);
  }

  /** Records queued now. */
  backlog(): number {
    return this.queues.backlog();
  }

  /**
   * Closes a metrics window (sim-window.ts): imbalance from the window's per-bucket counts
   * (`windowCounts`), utilisation from the window's per-node arrivals.
   */
  closeWindow(startMs: number, windowMs: number, windowCounts: Float64Array, recordPartitions = true, index = Math.round(startMs / windowMs)): void {
    const view = { map: this.map, queueOf: (id: string) => this.queues.get(id)!.queue, nodes: this.nodes, nodeArrivals: this.windowNodeArrivals, nodeCapacity: this.cfg.nodeCapacity, backlog: this.backlog() };
    closeWindow(view, this.metrics, startMs, windowMs, windowCounts, recordPartitions, index);
    this.windowNodeArrivals.fill(0);
  }

  /** Ends the run: queued records enter the histogram with their wait so far; conservation is checked. */
  finishRun(endMs: number): void {
    this.queues.forEachCohort((arr, n) => this.metrics.queuedAtEnd(arr, Math.max(0, endMs - arr), n));
    const m = this.metrics;
    const backlog = this.backlog();
    const diff = m.records - m.servedRecords - backlog - m.droppedRecords;
    if (!(Math.abs(diff) <= 1e-6 * Math.max(1, m.records))) m.invariant(`records not conserved: ${m.records} generated, ${m.servedRecords} served, ${backlog} queued, ${m.droppedRecords} dropped`);
  }

  private checkMap(context: string): void {
    for (const p of mapProblems(this.map, this.nodes.count)) this.metrics.invariant(`${context}: ${p}`);
    for (const id of this.map.ids) if (!this.queues.has(id)) this.metrics.invariant(`${context}: no queue for ${id}`);
    if (this.queues.size !== this.map.ids.length) this.metrics.invariant(`${context}: ${this.queues.size} queues for ${this.map.ids.length} partitions`);
  }
}

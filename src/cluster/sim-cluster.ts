/**
 * The simulated cluster of one policy ("lane"): partitions as FIFO fluid queues on nodes, the
 * control plane (split, merge, move, create with pauses, state transfer and faults), node crashes
 * and node events, and the metrics of what happened.
 *
 * Per tick (`step`): each partition's arrivals join its queue as one cohort; each up node shares
 * its capacity among its partitions in proportion to their queued demand (capped per partition
 * if `partitionCapacity` is set); a paused partition serves nothing until its pause ends; served
 * portions record their measured latency (departure − arrival + base latency). Moves progress at
 * the per-node move bandwidth, shared equally among the moves using a node.
 *
 * What a crash keeps: a crashed node's partitions keep their queues (nothing is lost) and resume
 * when the node is back; records arriving meanwhile queue up (or are dropped at `queueLimit`).
 * Operations touching a crashed node fail; new ones are rejected.
 *
 * Faults an operation can draw (`faults`, each from the lane's fault stream, drawn only when its
 * rate is above zero so that a scenario without it draws the same numbers): fail part-way
 * (`opFailureRate`), run `slowFactor` times slower (`slowOpRate`: longer cut-over pause, slower
 * transfer), or get stuck (`stuckOpRate`: holds its partitions, does nothing until `cancel`led).
 * The operation state machine is in op-state.ts.
 */
import { Subject } from 'rxjs';
import type { RandomStream } from '../engine/random.ts';
import { Priority, type VirtualScheduler } from '../engine/virtual-scheduler.ts';
import { applyAction } from '../model/apply-action.ts';
import type { KeyBatch } from '../model/batch.ts';
import type { ControlPlane, OpCode, OpEvent, SubmitResult } from '../model/control-plane.ts';
import { MapError, mapProblems, partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';
import type { BucketHistory } from './bucket-history.ts';
import { CohortQueue } from './cohort-queue.ts';
import type { ClusterConfig } from './config.ts';
import { LaneMetrics } from './lane-metrics.ts';
import { opLive, opTransition, type OpState } from './op-state.ts';

interface PartitionState {
  queue: CohortQueue;
  /** Serves nothing before this time (split/merge/move cut-over). */
  pausedUntil: number;
  /** An operation holds this partition. */
  busy: boolean;
}

interface NodeState {
  active: boolean;
  downUntil: number;
  /** Time the node went down (for crash disruption accounting). */
  downSince: number;
}

interface Op {
  readonly id: number;
  readonly action: PlanAction;
  readonly tag?: string;
  readonly startMs: number;
  /** See op-state.ts; change it only through `setState`. */
  state: OpState;
  /** Duration multiplier (1, or `faults.slowFactor` for a slow operation). */
  slow: number;
  bytesTotal: number;
  bytesSent: number;
  /** Ms of the transfer still to spend on per-bucket work (`movePerBucket`, `moveDataSetup`) before bytes flow. */
  setupLeftMs: number;
  src: number;
  dst: number;
  range: { start: number; end: number };
  /** Fraction of its main phase at which it fails, or undefined. */
  failAt?: number;
  reservedId?: string;
  /** Scheduler handle of the op's pending completion or failure. */
  cancelTimer?: number;
  partitions: string[];
}

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
  private states = new Map<string, PartitionState>();
  private nodes: NodeState[] = [];
  private ops = new Map<number, Op>();
  private nextOpId = 1;
  private readonly cfg: ClusterConfig;
  private readonly sched: VirtualScheduler;
  private partArrivals = new Float64Array(0);
  private readonly reservedIds = new Set<string>();
  /** Demand of the last tick per node (records), for utilisation. */
  private windowNodeArrivals: Float64Array;
  // per-tick buffers, rebuilt when the map changes
  private cachedMap: PartitionMap | null = null;
  private cachedVersion = -1;
  private cachedStates: PartitionState[] = [];
  private serveFrac = new Float64Array(0);
  private nodeDemand = new Float64Array(0);
  private limitBuf = new Float64Array(0);
  private readonly onServed = (arrival: number, wait: number, n: number) => this.metrics.served(arrival, wait, n);

  constructor(private readonly o: SimClusterOptions) {
    this.cfg = o.config;
    this.sched = o.scheduler;
    this.map = o.initialMap;
    this.metrics = new LaneMetrics(o.warmupMs, o.sloMs, o.config.baseLatency);
    for (const id of this.map.ids) this.states.set(id, { queue: new CohortQueue(o.warmupMs), pausedUntil: 0, busy: false });
    for (let i = 0; i < this.cfg.nodes; i++) this.nodes.push({ active: true, downUntil: -1, downSince: 0 });
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
    const out: number[] = [];
    this.nodes.forEach((n, i) => {
      if (n.active && n.downUntil <= this.sched.now()) out.push(i);
    });
    return out;
  }

  /** Every node index ever created (removed ones included). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  inFlight(): number {
    return this.ops.size;
  }

  submit(action: PlanAction, tag?: string): SubmitResult {
    const rejected = this.rejection(action);
    if (rejected) return { accepted: false, ...rejected };
    const now = this.sched.now();
    const i = this.map.ids.indexOf(action.partition);
    const partitions = action.kind === 'merge' ? [action.partition, action.with] : [action.partition];
    const src = this.map.nodes[i];
    const dst = action.kind === 'move' || action.kind === 'create' ? action.node : src;
    const bnd = this.map.boundaries;
    const range = { start: action.kind === 'create' || action.kind === 'split' ? action.at : bnd[i], end: action.kind === 'merge' ? bnd[i + 2] : bnd[i + 1] };
    const op: Op = { id: this.nextOpId++, action, tag, startMs: now, state: 'new', slow: 1, bytesTotal: 0, bytesSent: 0, setupLeftMs: 0, src, dst, range, partitions };
    const f = this.cfg.faults;
    let stuck = false;
    if (f.opFailureRate > 0 || (f.stuckOpRate ?? 0) > 0 || (f.slowOpRate ?? 0) > 0) {
      // Keyed by what the operation does and when, so policies whose operations coincide face the same faults.
      const draws = this.o.faultDraws ? this.o.faultDraws(`${now}|${action.kind}|${range.start}-${range.end}|${src}>${dst}`) : this.o.faults;
      if (f.opFailureRate > 0 && draws.next() < f.opFailureRate) op.failAt = draws.next();
      stuck = (f.stuckOpRate ?? 0) > 0 && draws.next() < f.stuckOpRate!;
      if ((f.slowOpRate ?? 0) > 0 && draws.next() < f.slowOpRate!) op.slow = f.slowFactor ?? 10;
    }
    for (const p of partitions) this.states.get(p)!.busy = true;
    if (action.kind === 'split' || action.kind === 'create') {
      op.reservedId = action.newId;
      this.reservedIds.add(action.newId);
    }
    this.ops.set(op.id, op);
    this.emit(op, 'started');
    if (stuck) {
      this.setState(op, 'stuck');
      return { accepted: true, opId: op.id };
    }
    if (action.kind === 'split' || action.kind === 'merge') {
      this.setState(op, 'pause');
      const pause = (action.kind === 'split' ? this.cfg.pauses.split : this.cfg.pauses.merge) * op.slow;
      if (op.failAt !== undefined) {
        const at = now + op.failAt * pause;
        this.pause(partitions, now, at);
        op.cancelTimer = this.sched.at(at, () => this.fail(op, 'operation failed during cut-over'), Priority.control);
      } else {
        this.pause(partitions, now, now + pause);
        op.cancelTimer = this.sched.at(now + pause, () => this.complete(op), Priority.control);
      }
    } else {
      const b = this.map.boundaries;
      const start = action.kind === 'create' ? action.at : b[i];
      op.bytesTotal = this.stateBytes(start, b[i + 1], now);
      op.setupLeftMs = ((this.cfg.movePerBucket ?? 0) * (b[i + 1] - start) + (op.bytesTotal > 0 ? (this.cfg.moveDataSetup ?? 0) : 0)) * op.slow;
      this.setState(op, 'transfer');
      if (op.bytesTotal <= 0 && op.setupLeftMs <= 0 && op.failAt === undefined) this.startCutover(op, now);
    }
    return { accepted: true, opId: op.id };
  }

  private rejection(action: PlanAction): { code: OpCode; reason: string } | null {
    if (this.ops.size >= this.cfg.maxConcurrentOps) return { code: 'busy', reason: `maxConcurrentOps (${this.cfg.maxConcurrentOps}) reached` };
    const i = this.map.ids.indexOf(action.partition);
    if (i < 0) return { code: 'illegal', reason: `no partition ${action.partition}` };
    const parts = action.kind === 'merge' ? [action.partition, action.with] : [action.partition];
    for (const p of parts) {
      const s = this.states.get(p);
      if (!s) return { code: 'illegal', reason: `no partition ${p}` };
      if (s.busy) return { code: 'busy', reason: `partition ${p} is busy with another operation` };
    }
    const now = this.sched.now();
    const srcNode = this.nodes[this.map.nodes[i]];
    if (srcNode.downUntil > now) return { code: 'node-down', reason: `node ${this.map.nodes[i]} is down` };
    if (action.kind === 'move' || action.kind === 'create') {
      const n = this.nodes[action.node];
      if (!n || !n.active) return { code: 'illegal', reason: `node ${action.node} does not exist or was removed` };
      if (n.downUntil > now) return { code: 'node-down', reason: `node ${action.node} is down` };
    }
    if ((action.kind === 'split' || action.kind === 'create') && this.map.ids.length + this.reservedIds.size >= this.cfg.maxPartitions) {
      return { code: 'limit', reason: `maxPartitions (${this.cfg.maxPartitions}) reached` };
    }
    if ((action.kind === 'split' || action.kind === 'create') && this.reservedIds.has(action.newId)) return { code: 'busy', reason: `id ${action.newId} is reserved by another operation` };
    try {
      applyAction(this.map, action);
    } catch (err) {
      if (err instanceof MapError) return { code: err.noop ? 'noop' : 'illegal', reason: err.message };
      throw err;
    }
    return null;
  }

  // ---------------- operations over time ----------------

  private setState(op: Op, to: OpState): void {
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

  private startCutover(op: Op, atMs: number): void {
    this.setState(op, 'cutover');
    const pause = op.action.kind === 'create' ? this.cfg.pauses.split + this.cfg.pauses.move : this.cfg.pauses.move;
    this.pause(op.partitions, atMs, atMs + pause);
    op.cancelTimer = this.sched.at(atMs + pause, () => this.complete(op), Priority.control);
  }

  private pause(ids: string[], from: number, to: number): void {
    for (const id of ids) {
      const s = this.states.get(id)!;
      const start = Math.max(from, s.pausedUntil);
      if (to > start) this.metrics.paused(start, to);
      s.pausedUntil = Math.max(s.pausedUntil, to);
    }
  }

  private finish(op: Op): void {
    this.ops.delete(op.id);
    if (op.reservedId) this.reservedIds.delete(op.reservedId);
    for (const p of op.partitions) {
      const s = this.states.get(p);
      if (s) s.busy = false;
    }
  }

  private complete(op: Op): void {
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
    const i = before.ids.indexOf(a.partition);
    if (a.kind === 'split' || a.kind === 'create') {
      const s = this.states.get(a.partition)!;
      const lo = before.boundaries[i];
      const hi = before.boundaries[i + 1];
      const upper = this.o.history.rangeCount(a.at, hi, now, this.cfg.retention) + 1e-9;
      const whole = this.o.history.rangeCount(lo, hi, now, this.cfg.retention) + 2e-9;
      const frac = a.at - lo > 0 ? upper / whole : 0;
      const q = s.queue.splitOff(frac);
      this.states.set(a.newId, { queue: q, pausedUntil: s.pausedUntil, busy: false });
    } else if (a.kind === 'merge') {
      const l = this.states.get(a.partition)!;
      const r = this.states.get(a.with)!;
      l.queue.absorb(r.queue);
      l.pausedUntil = Math.max(l.pausedUntil, r.pausedUntil);
      this.states.delete(a.with);
    }
    this.map = after;
    this.metrics.operation(a.kind, now);
    this.checkMap(`after ${a.kind} ${a.partition}`);
    this.emit(op, 'done');
  }

  private fail(op: Op, reason: string, code: OpCode = 'failed', end: 'failed' | 'cancelled' = 'failed'): void {
    const now = this.sched.now();
    this.setState(op, end);
    if (op.cancelTimer !== undefined) this.sched.cancel(op.cancelTimer);
    this.finish(op);
    // A failed operation leaves the map as it was: a failed move's range stays on its source.
    for (const p of op.partitions) {
      const s = this.states.get(p);
      if (s && s.pausedUntil > now) {
        this.metrics.paused(now, s.pausedUntil, -1); // the rest of the pause does not happen
        s.pausedUntil = now;
      }
    }
    this.metrics.operation('failed', now);
    this.emit(op, 'failed', reason, code);
  }

  private emit(op: Op, status: OpEvent['status'], reason?: string, code?: OpCode): void {
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

  /** Bytes/s each node sent or received in moves over the last tick (for `moveLoad`). */
  private moveUse: number[] = [];

  /** Advances transfers by one tick of `dtMs` starting at `t`. */
  private progressTransfers(t: number, dtMs: number): void {
    if (this.moveUse.length) this.moveUse = [];
    if (this.ops.size === 0) return;
    const users = new Map<number, number>();
    const transfers: Op[] = [];
    for (const op of this.ops.values()) {
      if (op.state !== 'transfer') continue;
      transfers.push(op);
      users.set(op.src, (users.get(op.src) ?? 0) + 1);
      users.set(op.dst, (users.get(op.dst) ?? 0) + 1);
    }
    for (const op of transfers) {
      const down = this.nodes[op.src].downUntil > t || this.nodes[op.dst].downUntil > t;
      if (down) {
        this.fail(op, 'a node of the move crashed', 'node-down');
        continue;
      }
      // Per-bucket work (`movePerBucket`, `moveDataSetup`) comes first; bytes flow in what is left of the tick.
      const setup = Math.min(op.setupLeftMs, dtMs);
      op.setupLeftMs -= setup;
      const from = t + setup;
      const rate = this.cfg.moveBandwidth / Math.max(users.get(op.src)!, users.get(op.dst)!) / op.slow; // bytes/s
      const remaining = op.bytesTotal - op.bytesSent;
      if (op.setupLeftMs > 0) continue;
      const failBytes = op.failAt !== undefined ? op.failAt * op.bytesTotal : Infinity;
      const canSend = (rate * (dtMs - setup)) / 1000;
      if (failBytes - op.bytesSent <= canSend && failBytes < op.bytesTotal + 1e-9) {
        const sent = Math.max(0, failBytes - op.bytesSent);
        op.bytesSent += sent;
        this.metrics.moved(sent, t);
        this.fail(op, 'transfer failed part-way');
        continue;
      }
      const sentNow = Math.min(remaining, canSend);
      this.moveUse[op.src] = (this.moveUse[op.src] ?? 0) + (sentNow * 1000) / dtMs;
      this.moveUse[op.dst] = (this.moveUse[op.dst] ?? 0) + (sentNow * 1000) / dtMs;
      if (remaining <= canSend) {
        const doneAt = from + (remaining / rate) * 1000;
        this.metrics.moved(remaining, t);
        op.bytesSent = op.bytesTotal;
        this.startCutover(op, doneAt);
      } else {
        op.bytesSent += canSend;
        this.metrics.moved(canSend, t);
      }
    }
  }

  // ---------------- nodes ----------------

  private crash(node: number, durationMs: number): void {
    const now = this.sched.now();
    const n = this.nodes[node];
    if (!n) return;
    n.downSince = now;
    n.downUntil = Math.max(n.downUntil, now + durationMs);
    const onNode = this.map.nodes.filter((x) => x === node).length;
    this.metrics.paused(now, now + durationMs, onNode);
    for (const op of [...this.ops.values()]) {
      if ((op.state === 'transfer' || op.state === 'stuck') && (op.src === node || op.dst === node)) this.fail(op, `node ${node} crashed`, 'node-down');
    }
  }

  /** Adds an empty node; returns its index. */
  addNode(): number {
    this.nodes.push({ active: true, downUntil: -1, downSince: 0 });
    const w = new Float64Array(this.nodes.length);
    w.set(this.windowNodeArrivals);
    this.windowNodeArrivals = w;
    return this.nodes.length - 1;
  }

  /**
   * Removes a node: it stops accepting partitions and its partitions are moved to the least
   * loaded remaining nodes (moves through the control plane, counted like any other).
   */
  removeNode(node: number): void {
    const n = this.nodes[node];
    if (!n || !n.active) return;
    n.active = false;
    const drain = () => {
      const ids = this.map.ids.filter((_, i) => this.map.nodes[i] === node);
      if (ids.length === 0) return;
      const targets = this.activeNodes();
      if (targets.length === 0) return;
      const counts = new Map<number, number>(targets.map((t) => [t, 0]));
      this.map.nodes.forEach((x) => counts.has(x) && counts.set(x, counts.get(x)! + 1));
      for (const id of ids) {
        const target = [...counts.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0][0];
        const r = this.submit({ kind: 'move', partition: id, node: target }, 'remove-node');
        if (r.accepted) counts.set(target, counts.get(target)! + 1);
      }
      if (this.map.nodes.some((x) => x === node)) this.sched.after(1000, drain, Priority.control);
    };
    drain();
  }

  // ---------------- the tick ----------------

  /**
   * Simulates one tick of arrivals and service. `prefix` (optional): the batch's prefix sums
   * (`prefix[j]` = records of buckets < j), shared by the lanes of a run so that each reads its
   * partition totals in O(partitions) rather than O(buckets); counts are integers, so the totals
   * are exactly the direct sums.
   */
  step(batch: KeyBatch, prefix?: Float64Array): void {
    const t = batch.timeMs;
    const dt = batch.durationMs;
    const map = this.map;
    const b = map.boundaries;
    const k = b.length - 1;
    if (this.partArrivals.length < k) this.partArrivals = new Float64Array(Math.max(k, 2 * this.partArrivals.length));
    const arr = this.partArrivals;
    if (prefix) {
      for (let p = 0; p < k; p++) arr[p] = prefix[b[p + 1]] - prefix[b[p]];
    } else {
      const c = batch.counts;
      for (let p = 0; p < k; p++) {
        let s = 0;
        const hi = b[p + 1];
        for (let j = b[p]; j < hi; j++) s += c[j];
        arr[p] = s;
      }
    }
    this.metrics.arrived(batch.total);
    const mid = t + dt / 2;
    if (this.cachedVersion !== map.version || this.cachedMap !== map) {
      this.cachedStates = map.ids.map((id) => this.states.get(id)!);
      this.cachedMap = map;
      this.cachedVersion = map.version;
      this.serveFrac = new Float64Array(k);
    }
    if (this.nodeDemand.length !== this.nodes.length) this.nodeDemand = new Float64Array(this.nodes.length);
    const states = this.cachedStates;
    for (let p = 0; p < k; p++) {
      const s = states[p];
      s.queue.push(mid, arr[p]);
      this.windowNodeArrivals[map.nodes[p]] += arr[p];
    }
    // Service: each node's capacity is shared in proportion to queued demand (processor sharing
    // by demand); a partition takes at most its demand and its cap, and what capped partitions
    // leave is shared again among the others (water-filling).
    const nodeLimit = this.nodeDemand;
    nodeLimit.fill(0);
    const serveFrac = this.serveFrac;
    const limit = this.limitBuf.length >= k ? this.limitBuf : (this.limitBuf = new Float64Array(2 * k));
    const tEnd = t + dt;
    const cap = (this.cfg.nodeCapacity * dt) / 1000;
    const pcap = this.cfg.partitionCapacity !== undefined ? (this.cfg.partitionCapacity * dt) / 1000 : Infinity;
    for (let p = 0; p < k; p++) {
      const s = states[p];
      const node = this.nodes[map.nodes[p]];
      const downFor = node.downUntil > t ? Math.min(dt, node.downUntil - t) : 0;
      const pausedFor = s.pausedUntil > t ? Math.min(dt, s.pausedUntil - t) : 0;
      const f = 1 - Math.max(downFor, pausedFor) / dt;
      serveFrac[p] = f;
      const lim = f > 0 ? Math.min(s.queue.size, pcap * f) : 0;
      limit[p] = lim;
      nodeLimit[map.nodes[p]] += lim;
    }
    const moveLoad = this.cfg.moveLoad ?? 0;
    for (let n = 0; n < nodeLimit.length; n++) {
      // A node moving state serves less (`moveLoad`, from the bytes it moved in the last tick).
      const c = moveLoad > 0 && this.moveUse[n] ? cap * (1 - moveLoad * Math.min(1, this.moveUse[n] / this.cfg.moveBandwidth)) : cap;
      if (nodeLimit[n] > c) this.waterFill(n, c, k, limit, states);
    }
    for (let p = 0; p < k; p++) {
      const amount = limit[p];
      if (amount <= 0) continue;
      const f = serveFrac[p];
      states[p].queue.serve(amount, tEnd - f * dt, f * dt, this.onServed);
    }
    const m = this.metrics;
    if (this.cfg.queueLimit !== undefined) {
      for (let p = 0; p < k; p++) {
        const q = states[p].queue;
        if (q.size > this.cfg.queueLimit) {
          const d = q.trimTo(this.cfg.queueLimit);
          m.dropped(mid, d);
        }
      }
    }
    this.progressTransfers(t, dt);
  }

  /**
   * Shares `cap` records of node `n` among its partitions in proportion to their queued demand,
   * none above its limit (`limit[p]` on entry: min(queue, cap per partition)); writes the amounts
   * served into `limit`.
   */
  private waterFill(n: number, cap: number, k: number, limit: Float64Array, states: PartitionState[]): void {
    const nodes = this.map.nodes;
    const active: number[] = [];
    for (let p = 0; p < k; p++) if (nodes[p] === n && limit[p] > 0) active.push(p);
    let remaining = cap;
    let open = active;
    for (;;) {
      let demand = 0;
      for (const p of open) demand += states[p].queue.size;
      if (demand <= 0) break;
      const next: number[] = [];
      let fixed = false;
      for (const p of open) {
        const share = (remaining * states[p].queue.size) / demand;
        if (share >= limit[p]) fixed = true;
        else next.push(p);
      }
      if (!fixed) {
        for (const p of open) limit[p] = (remaining * states[p].queue.size) / demand;
        break;
      }
      for (const p of open) if (!next.includes(p)) remaining -= limit[p];
      open = next;
      if (open.length === 0 || remaining <= 0) {
        for (const p of open) limit[p] = 0;
        break;
      }
    }
  }

  /** Records queued now. */
  backlog(): number {
    let s = 0;
    for (const st of this.states.values()) s += st.queue.size;
    return s;
  }

  /**
   * Closes a metrics window: imbalance from the window's per-bucket counts, utilisation from the
   * window's per-node arrivals. `windowCounts` are the window's records per bucket.
   */
  closeWindow(startMs: number, windowMs: number, windowCounts: Float64Array, recordPartitions = true, index = Math.round(startMs / windowMs)): void {
    const map = this.map;
    const loads = partitionLoads(map, windowCounts);
    let max = 0;
    let sum = 0;
    for (let i = 0; i < loads.length; i++) {
      sum += loads[i];
      if (loads[i] > max) max = loads[i];
    }
    const mean = sum / loads.length;
    const imbalance = mean > 0 ? max / mean : 1;
    let maxUtil = 0;
    const sec = windowMs / 1000;
    const capWindow = this.cfg.nodeCapacity * sec;
    const nodeParts = new Array<number>(this.nodes.length).fill(0);
    const nodeBacklog = new Array<number>(this.nodes.length).fill(0);
    let cohorts = 0;
    map.nodes.forEach((n, i) => {
      const q = this.states.get(map.ids[i])!.queue;
      nodeParts[n]++;
      nodeBacklog[n] += q.size;
      cohorts += q.cohorts;
    });
    if (cohorts > this.metrics.maxCohorts) this.metrics.maxCohorts = cohorts;
    for (let n = 0; n < this.windowNodeArrivals.length; n++) {
      if (!this.nodes[n].active && this.windowNodeArrivals[n] === 0 && nodeParts[n] === 0) continue;
      const u = this.windowNodeArrivals[n] / capWindow;
      if (u > maxUtil) maxUtil = u;
      this.metrics.nodeSeries.push(index, { timeMs: startMs, node: n, rate: this.windowNodeArrivals[n] / sec, utilization: u, partitions: nodeParts[n], backlog: nodeBacklog[n], up: this.nodes[n].active && this.nodes[n].downUntil <= startMs + windowMs ? 1 : 0 });
    }
    if (recordPartitions && this.metrics.partitionSeries.takes(index)) {
      for (let i = 0; i < loads.length; i++) {
        this.metrics.partitionSeries.push(index, { timeMs: startMs, partition: map.ids[i], start: map.boundaries[i], end: map.boundaries[i + 1], node: map.nodes[i], rate: loads[i] / sec, backlog: this.states.get(map.ids[i])!.queue.size });
      }
    }
    this.windowNodeArrivals.fill(0);
    this.metrics.closeWindow(startMs, imbalance, maxUtil, loads.length, this.backlog(), index);
  }

  /** Ends the run: queued records enter the histogram with their wait so far; conservation is checked. */
  finishRun(endMs: number): void {
    for (const s of this.states.values()) s.queue.forEach((arr, n) => this.metrics.queuedAtEnd(arr, Math.max(0, endMs - arr), n));
    const m = this.metrics;
    const backlog = this.backlog();
    const diff = m.records - m.servedRecords - backlog - m.droppedRecords;
    if (Math.abs(diff) > 1e-6 * Math.max(1, m.records)) m.invariant(`records not conserved: ${m.records} generated, ${m.servedRecords} served, ${backlog} queued, ${m.droppedRecords} dropped`);
  }

  private checkMap(context: string): void {
    for (const p of mapProblems(this.map, this.nodes.length)) this.metrics.invariant(`${context}: ${p}`);
    for (const id of this.map.ids) if (!this.states.has(id)) this.metrics.invariant(`${context}: no queue for ${id}`);
    if (this.states.size !== this.map.ids.length) this.metrics.invariant(`${context}: ${this.states.size} queues for ${this.map.ids.length} partitions`);
  }
}

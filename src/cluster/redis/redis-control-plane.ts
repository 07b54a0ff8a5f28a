/**
 * The control plane of a real Redis Cluster (ioredis): the APM's `ControlPlane` over hash slots.
 * keycast's partition map stays the authority, held here; Redis slot ownership follows it.
 * Buckets map to contiguous slot ranges (slot-tags.ts), node i is the i-th master by port
 * (redis-nodes.ts).
 *
 * - split and merge are bookkeeping (both halves, or both partitions, are on one master);
 * - move migrates the partition's slot range, create splits and migrates the upper half: a
 *   two-phase slot-range migration (slot-migrator.ts).
 * - A failure (a command timeout, a node that died, an injected fault, the operation's deadline,
 *   `cancel`) stops the op's in-flight migrations, then recovery (slot-recovery.ts) leaves no slot
 *   open; only then is the `failed` event sent, so the APM never sees a map that Redis contradicts.
 * - At connect, slots an earlier run left open (a killed `keycast live`) are closed first.
 * - `verify()` compares the map with every master's `CLUSTER SLOTS` and looks for open slots.
 *
 * Node health: a PING per master every `healthIntervalMs`; a master that does not answer is
 * down (submissions touching it are rejected with `node-down`). The node set is fixed when
 * connecting: the `ControlPlane` interface has no node addition or removal.
 */
import { Subject } from 'rxjs';
import type { SchedulerPort } from '../../engine/virtual-scheduler.ts';
import { applyAction } from '../../model/apply-action.ts';
import type { ControlPlane, OpCode, OpEvent, SubmitResult } from '../../model/control-plane.ts';
import { equalPartitionMap, mapProblems, type PartitionMap } from '../../model/partition-map.ts';
import type { PlanAction } from '../../model/plan.ts';
import { actionPartitions, actionRange, admission } from '../admission.ts';
import { codeOf, RedisNodes, wallNow } from './redis-nodes.ts';
import { SlotMigrator, type MoveAccount } from './slot-migrator.ts';
import { SlotRecovery } from './slot-recovery.ts';
import { SLOTS, bucketsToSlots, slotsPerBucket } from './slot-tags.ts';

export type { RedisNode } from './redis-nodes.ts';

export interface RedisControlPlaneOptions {
  /** Any masters of the cluster (`host:port`); the rest are found with `CLUSTER NODES`. */
  readonly seeds: readonly { readonly host: string; readonly port: number }[];
  /** The APM's clock: event times and durations are in its ms (a wall-clock scheduler, maybe compressed). */
  readonly scheduler: SchedulerPort;
  /** Buckets of keycast's key space (must divide 16384). */
  readonly buckets: number;
  /** The map to start from (or a function of the number of masters): slots are migrated at connect until Redis matches it. */
  readonly initialMap: PartitionMap | ((masters: number) => PartitionMap);
  readonly maxConcurrentOps?: number;
  readonly maxPartitions?: number;
  /** Slots of one operation drained at once (default 4). */
  readonly slotParallelism?: number;
  /** Keys per MIGRATE (default 100). */
  readonly keysPerMigrate?: number;
  /** Command timeout, wall ms (default 10 s, plus 2 ms per command of a pipeline): a frozen node becomes a failure, not a hang. */
  readonly commandTimeoutMs?: number;
  /** MIGRATE's own timeout, wall ms (default 1000). */
  readonly migrateTimeoutMs?: number;
  /** An operation still running after this many wall ms is cancelled with `timeout` (default 120 s). */
  readonly opTimeoutMs?: number;
  /** Recovery of a failed operation gives up after this many wall ms (default 10 min); the slots stay flagged. */
  readonly recoveryTimeoutMs?: number;
  /** Health check period, wall ms (default 250). */
  readonly healthIntervalMs?: number;
  /** Test seam for fault injection: called before each slot is drained; a throw fails the operation. */
  readonly faultHook?: (info: { readonly action: PlanAction; readonly slot: number; readonly slotsDone: number }) => void;
}

/** Measured figures of one finished operation (calibration and reports). */
export interface RedisOpStats {
  readonly opId: number;
  readonly kind: PlanAction['kind'];
  readonly slots: number;
  readonly keys: number;
  readonly bytes: number;
  /** Wall ms from submit to done or failed. */
  readonly wallMs: number;
  /** Wall ms of phase 2 (the owner switch, until every master agrees). */
  readonly cutoverWallMs: number;
  readonly status: 'done' | 'failed';
  readonly code?: OpCode;
}

interface Op extends MoveAccount {
  readonly id: number;
  readonly tag?: string;
  readonly startMs: number;
  readonly startWall: number;
  readonly fromNode: number;
  readonly range: { start: number; end: number };
  slots: number;
  /** Set when the op must stop (failure elsewhere, deadline, cancel). */
  abort: { code: OpCode; reason: string } | null;
}

export class RedisControlPlane implements ControlPlane {
  readonly events$ = new Subject<OpEvent>();
  /** Figures of every finished operation, in finishing order. */
  readonly stats: RedisOpStats[] = [];
  /** Bytes sent by every operation (failed ones and recoveries included). */
  movedBytes = 0;
  /** Slots left open by an earlier run that `connect` closed. */
  repairedAtConnect: readonly number[] = [];
  private map: PartitionMap;
  private nodes!: RedisNodes;
  private migrator!: SlotMigrator;
  private recovery!: SlotRecovery;
  private up: boolean[] = [];
  private readonly ops = new Map<number, Op>();
  private readonly busy = new Set<string>();
  private readonly reserved = new Set<string>();
  private nextOpId = 1;
  private healthTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly spb: number;

  private constructor(private readonly o: RedisControlPlaneOptions) {
    this.spb = slotsPerBucket(o.buckets);
    this.map = typeof o.initialMap === 'function' ? equalPartitionMap(o.buckets, 1, 1) : o.initialMap;
  }

  /** Connects, finds the masters, closes any slot left open, and migrates slots until Redis matches `initialMap`. */
  static async connect(o: RedisControlPlaneOptions): Promise<RedisControlPlane> {
    const cp = new RedisControlPlane(o);
    try {
      cp.nodes = await RedisNodes.connect(o.seeds, o.commandTimeoutMs);
      cp.migrator = new SlotMigrator(cp.nodes, { keysPerMigrate: o.keysPerMigrate, migrateTimeoutMs: o.migrateTimeoutMs, faultHook: o.faultHook, onBytes: (b) => (cp.movedBytes += b) });
      cp.recovery = new SlotRecovery(cp.nodes, cp.migrator, () => cp.closed);
      cp.up = cp.nodes.list.map(() => true);
      const initial = typeof o.initialMap === 'function' ? o.initialMap(cp.nodes.length) : o.initialMap;
      const p = mapProblems(initial, cp.nodes.length);
      if (p.length) throw new RangeError(`initial map does not fit the ${cp.nodes.length} masters: ${p.join('; ')}`);
      cp.map = initial;
      await cp.adopt(initial);
      cp.healthTimer = setInterval(() => void cp.checkHealth(), o.healthIntervalMs ?? 250);
      cp.healthTimer.unref();
      return cp;
    } catch (err) {
      await cp.close();
      throw err;
    }
  }

  /** The masters, in keycast's node order. */
  get masters(): readonly import('./redis-nodes.ts').RedisNode[] {
    return this.nodes.list;
  }

  private async checkHealth(): Promise<void> {
    if (this.closed) return;
    await Promise.all(
      this.nodes.list.map(async (_, i) => {
        try {
          await this.nodes.ping(i);
          this.up[i] = true;
        } catch {
          this.up[i] = false;
        }
      }),
    );
  }

  /** Stops health checks and disconnects (operations in flight are abandoned: `cancelAll` first). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.nodes?.close();
  }

  // ---------------- ControlPlane ----------------

  currentMap(): PartitionMap {
    return this.map;
  }

  activeNodes(): readonly number[] {
    return this.up.flatMap((u, i) => (u ? [i] : []));
  }

  inFlight(): number {
    return this.ops.size;
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
        nodeExists: (n) => Number.isInteger(n) && n >= 0 && n < this.nodes.length,
        nodeUp: (n) => this.up[n] === true,
      },
      action,
    );
    if (rejected) return { accepted: false, ...rejected };
    const i = this.map.ids.indexOf(action.partition);
    const op: Op = { id: this.nextOpId++, action, tag, startMs: this.o.scheduler.now(), startWall: wallNow(), fromNode: this.map.nodes[i], range: actionRange(this.map, action), bytes: 0, keys: 0, slots: 0, cutoverWallMs: 0, abort: null };
    for (const p of actionPartitions(action)) this.busy.add(p);
    if (action.kind === 'split' || action.kind === 'create') this.reserved.add(action.newId);
    this.ops.set(op.id, op);
    // Events go out after submit returns (the caller records the op id first).
    queueMicrotask(() => {
      this.emit(op, 'started');
      void this.run(op);
    });
    return { accepted: true, opId: op.id };
  }

  /**
   * Cancels operation `opId` if it is in flight and not already stopping: its migration stops at
   * the next round (a slot batch), recovery closes every slot it opened (or moves back the ones
   * it switched), and only then is its `failed` event (with `code`) emitted, after `cancel` has
   * returned: a real cluster cannot be put back synchronously. Split and merge are bookkeeping
   * that finishes at once, so they are never in flight long enough to cancel.
   */
  cancel(opId: number, code: OpCode, reason: string): boolean {
    const op = this.ops.get(opId);
    if (!op || op.abort) return false;
    op.abort = { code, reason };
    return true;
  }

  /** Cancels every operation in flight; resolves when none is left (each closed its slots). */
  async cancelAll(code: OpCode, reason: string, timeoutMs = 120_000): Promise<boolean> {
    for (const id of [...this.ops.keys()]) this.cancel(id, code, reason);
    const end = wallNow() + timeoutMs;
    while (this.ops.size > 0 && wallNow() < end) await new Promise((r) => setTimeout(r, 20));
    return this.ops.size === 0;
  }

  private async run(op: Op): Promise<void> {
    const a = op.action;
    if (a.kind === 'split' || a.kind === 'merge') {
      this.complete(op); // bookkeeping: the slots stay on their master
      return;
    }
    const slots = bucketsToSlots(this.o.buckets, op.range.start, op.range.end);
    const list = Array.from({ length: slots.end - slots.start }, (_, k) => slots.start + k);
    op.slots = list.length;
    const limit = this.o.opTimeoutMs ?? 120_000;
    const deadline = setTimeout(() => (op.abort ??= { code: 'timeout', reason: `operation exceeded ${limit} ms` }), limit);
    try {
      await this.migrator.migrate(op.fromNode, a.node, list, op, () => op.abort, true, this.o.slotParallelism ?? 4);
      clearTimeout(deadline);
      // Cancelled during the cut-over: the slots are on the target now, and recovery moves them back.
      if (!op.abort) return this.complete(op);
    } catch (err) {
      clearTimeout(deadline);
      op.abort ??= { code: codeOf(err), reason: (err as Error).message };
    }
    const { code, reason } = op.abort!;
    const closed = await this.recovery.recover(op.fromNode, a.node, list, op, this.o.recoveryTimeoutMs ?? 600_000);
    this.fail(op, closed ? reason : `${reason}; recovery incomplete, slots left open`, code, closed);
  }

  private release(op: Op): void {
    this.ops.delete(op.id);
    for (const p of actionPartitions(op.action)) this.busy.delete(p);
    if (op.action.kind === 'split' || op.action.kind === 'create') this.reserved.delete(op.action.newId);
  }

  private complete(op: Op): void {
    this.release(op);
    this.map = applyAction(this.map, op.action); // Invariant: admission and `busy` keep it legal
    this.record(op, 'done');
    this.emit(op, 'done');
  }

  private fail(op: Op, reason: string, code: OpCode, closed: boolean): void {
    if (closed) this.release(op);
    else this.ops.delete(op.id); // the partitions stay busy: their slots are not settled
    this.record(op, 'failed', code);
    this.emit(op, 'failed', reason, code);
  }

  private record(op: Op, status: 'done' | 'failed', code?: OpCode): void {
    this.stats.push({ opId: op.id, kind: op.action.kind, slots: op.slots, keys: op.keys, bytes: op.bytes, wallMs: wallNow() - op.startWall, cutoverWallMs: op.cutoverWallMs, status, code });
  }

  private emit(op: Op, status: OpEvent['status'], reason?: string, code?: OpCode): void {
    const now = this.o.scheduler.now();
    this.events$.next({ opId: op.id, action: op.action, status, timeMs: now, tag: op.tag, reason, code, bytes: op.bytes, fromNode: op.fromNode, range: op.range, durationMs: now - op.startMs, map: this.map });
  }

  // ---------------- adoption and verification ----------------

  /** Owner (node index) per slot that `map` asks for. */
  private wanted(map: PartitionMap): Int32Array {
    const want = new Int32Array(SLOTS);
    for (let i = 0; i + 1 < map.boundaries.length; i++) want.fill(map.nodes[i], map.boundaries[i] * this.spb, map.boundaries[i + 1] * this.spb);
    return want;
  }

  /** Closes what a crashed run left open, then migrates slots until Redis matches `map`. */
  private async adopt(map: PartitionMap): Promise<void> {
    const acct: MoveAccount = { action: { kind: 'move', partition: map.ids[0], node: 0 }, bytes: 0, keys: 0, cutoverWallMs: 0 };
    this.repairedAtConnect = await this.recovery.repairOpenSlots(acct, 60_000);
    const owner = await this.nodes.owners(0);
    const want = this.wanted(map);
    const groups = new Map<string, number[]>();
    for (let s = 0; s < SLOTS; s++) {
      if (owner[s] === want[s]) continue;
      if (owner[s] < 0) throw new Error(`slot ${s} has no owner in the cluster: assign every slot before connecting`);
      const key = `${owner[s]}>${want[s]}`;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const [key, ss] of groups) {
      const [from, to] = key.split('>').map(Number);
      // A slow node can time a batch out: settle the slots back and try again, three times.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.migrator.migrate(from, to, ss, acct, () => null, false, 32);
          break;
        } catch (err) {
          if (attempt >= 3 || !(await this.recovery.recover(from, to, ss, acct, this.o.recoveryTimeoutMs ?? 600_000))) throw err;
        }
      }
    }
  }

  /**
   * Disagreements between keycast's map and the cluster: every reachable master's `CLUSTER
   * SLOTS` against the owner the map gives each slot (as ranges), open slots, and slots a failed
   * recovery left behind. Empty when the two agree.
   */
  async verify(): Promise<string[]> {
    const problems = mapProblems(this.map, this.nodes.length);
    const want = this.wanted(this.map);
    for (let i = 0; i < this.nodes.length; i++) {
      const name = `${this.nodes.list[i].host}:${this.nodes.list[i].port}`;
      try {
        const own = await this.nodes.owners(i);
        const v = await this.nodes.myself(i);
        problems.push(...ownerMismatches(own, want, i, name));
        for (const [slot, peer] of v.migrating) problems.push(`slot ${slot} is open on node ${i} (${name}): migrating to ${peer}`);
        for (const [slot, peer] of v.importing) problems.push(`slot ${slot} is open on node ${i} (${name}): importing from ${peer}`);
      } catch (err) {
        problems.push(`node ${i} (${name}) did not answer: ${(err as Error).message}`);
      }
    }
    for (const [s, why] of this.recovery.stuck) problems.push(`slot ${s}: ${why}`);
    return problems;
  }
}

/** Runs of slots where master `i` sees an owner other than the map's, one line per run. */
function ownerMismatches(own: Int32Array, want: Int32Array, i: number, name: string): string[] {
  const out: string[] = [];
  let s = 0;
  while (s < SLOTS) {
    if (own[s] === want[s]) {
      s++;
      continue;
    }
    let e = s;
    while (e + 1 < SLOTS && own[e + 1] !== want[e + 1] && own[e + 1] === own[s] && want[e + 1] === want[s]) e++;
    out.push(`slots ${s}-${e}: keycast's map says node ${want[s]}, node ${i} (${name}) sees ${own[s] < 0 ? 'no owner' : `node ${own[s]}`}`);
    s = e + 1;
  }
  return out;
}

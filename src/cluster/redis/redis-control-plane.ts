/**
 * The control plane of a real Redis Cluster (ioredis): the APM's `ControlPlane` over hash slots.
 * keycast's partition map stays the authority, held here; Redis slot ownership follows it.
 * Buckets map to contiguous slot ranges (slot-tags.ts), node i is the i-th master by port.
 *
 * - split and merge are bookkeeping (both halves, or both partitions, are on one master);
 * - move migrates the partition's slot range, create splits and migrates the upper half: a
 *   two-phase slot-range migration. Phase 1 opens every slot of the range (`SETSLOT IMPORTING`
 *   on the target, `MIGRATING` on the source) and drains the slots, `slotParallelism` at a time,
 *   with `GETKEYSINSLOT` + `MIGRATE … REPLACE KEYS` (REPLACE: a MIGRATE that timed out may land
 *   late, and the source copy is the live one). Phase 2 switches every slot's owner
 *   (`SETSLOT NODE`, target first, then source, then the other masters) and waits until every
 *   reachable master reports the same epoch and owner (switching back and forth faster than the
 *   epoch gossip loses the switch otherwise).
 * - A failure (a command timeout, a node that died, an injected fault, the operation's deadline)
 *   stops the op's in-flight migrations, then recovery leaves no slot open: a slot whose target
 *   holds none of its keys is closed in place (`SETSLOT STABLE`); one with keys on the target is
 *   finished forward and migrated back. Recovery retries until the nodes answer (a frozen node
 *   resumes, a killed one restarts from its append-only file); only then is the `failed` event
 *   sent, so the APM never sees a map that Redis contradicts.
 * - `verify()` compares the map with every master's `CLUSTER SLOTS` and looks for open slots.
 *
 * Node health: a PING per master every `healthIntervalMs`; a master that does not answer is
 * down (submissions touching it are rejected with `node-down`). Adding or removing masters is
 * not supported (the node set is fixed when connecting).
 */
import { Subject } from 'rxjs';
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { SchedulerPort } from '../../engine/virtual-scheduler.ts';
import { applyAction } from '../../model/apply-action.ts';
import type { ControlPlane, OpCode, OpEvent, SubmitResult } from '../../model/control-plane.ts';
import { equalPartitionMap, mapProblems, type PartitionMap } from '../../model/partition-map.ts';
import type { PlanAction } from '../../model/plan.ts';
import { actionPartitions, actionRange, admission } from '../admission.ts';
import { SLOTS, bucketsToSlots, slotsPerBucket } from './slot-tags.ts';
import { RedisTimeoutError, withTimeout } from './with-timeout.ts';

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

/** One master as keycast indexes it. */
export interface RedisNode {
  readonly index: number;
  readonly id: string;
  readonly host: string;
  readonly port: number;
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

interface Op {
  readonly id: number;
  readonly action: PlanAction;
  readonly tag?: string;
  readonly startMs: number;
  readonly startWall: number;
  readonly fromNode: number;
  readonly range: { start: number; end: number };
  bytes: number;
  keys: number;
  slots: number;
  cutoverWallMs: number;
  /** Set when the op must stop (failure elsewhere, deadline). */
  abort: { code: OpCode; reason: string } | null;
}

/** A failure of an operation with its code. */
class OpFailure extends Error {
  constructor(
    readonly code: OpCode,
    message: string,
  ) {
    super(message);
  }
}

/** The code of an error thrown by a Redis command. */
function codeOf(err: unknown): OpCode {
  if (err instanceof OpFailure) return err.code;
  if (err instanceof RedisTimeoutError) return 'timeout';
  const m = err instanceof Error ? err.message : String(err);
  if (/timed out|IOERR|timeout/i.test(m)) return 'timeout';
  if (/ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|EPIPE|connect ETIMEDOUT|enableOfflineQueue/i.test(m)) return 'node-down';
  return 'failed';
}

const wallNow = () => performance.now(); // clock-ok: a real cluster's operations take wall time
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Cmd = (string | number)[];

/** Parses the `myself` line of `CLUSTER NODES`: owned slots and open markers. */
function parseMyself(nodesText: string): { id: string; owned: Set<number>; migrating: Map<number, string>; importing: Map<number, string> } {
  const line = nodesText.split('\n').find((l) => l.includes('myself'));
  if (!line) throw new Error('CLUSTER NODES has no myself line');
  const f = line.trim().split(' ');
  const owned = new Set<number>();
  const migrating = new Map<number, string>();
  const importing = new Map<number, string>();
  for (const x of f.slice(8)) {
    let m = /^(\d+)(?:-(\d+))?$/.exec(x);
    if (m) {
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      for (let s = a; s <= b; s++) owned.add(s);
      continue;
    }
    m = /^\[(\d+)->-(\w+)\]$/.exec(x);
    if (m) migrating.set(Number(m[1]), m[2]);
    m = /^\[(\d+)-<-(\w+)\]$/.exec(x);
    if (m) importing.set(Number(m[1]), m[2]);
  }
  return { id: f[0], owned, migrating, importing };
}

export class RedisControlPlane implements ControlPlane {
  readonly events$ = new Subject<OpEvent>();
  /** Figures of every finished operation, in finishing order. */
  readonly stats: RedisOpStats[] = [];
  /** Bytes sent by every operation (failed ones and recoveries included). */
  movedBytes = 0;
  private map: PartitionMap;
  private nodes: RedisNode[] = [];
  private clients: Redis[] = [];
  private up: boolean[] = [];
  private readonly ops = new Map<number, Op>();
  private readonly busy = new Set<string>();
  private readonly reserved = new Set<string>();
  /** Slots a recovery could not close (verify reports them; their partitions stay busy). */
  private readonly stuck = new Map<number, string>();
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
      await cp.discover();
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
  get masters(): readonly RedisNode[] {
    return this.nodes;
  }

  private client(host: string, port: number): Redis {
    const c = new Redis({
      host,
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // No ioredis commandTimeout: its timed-out commands can surface as unhandled rejections;
      // `guard` bounds every command instead.
      connectTimeout: 1000,
      retryStrategy: () => 200,
    });
    c.on('error', () => {}); // failures surface on the commands; reconnection is ioredis's
    return c;
  }

  private async discover(): Promise<void> {
    let text: string | null = null;
    const errors: string[] = [];
    for (const s of this.o.seeds) {
      const c = this.client(s.host, s.port);
      try {
        await c.connect();
        text = (await c.call('CLUSTER', 'NODES')) as string;
        break;
      } catch (err) {
        errors.push(`${s.host}:${s.port}: ${(err as Error).message}`);
      } finally {
        c.disconnect();
      }
    }
    if (text === null) throw new Error(`no Redis Cluster node answered (${errors.join('; ')})`);
    const masters = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.trim().split(' '))
      .filter((f) => f[2].split(',').includes('master') && !f[2].includes('noaddr'))
      .map((f) => {
        const addr = /^([^:]+):(\d+)/.exec(f[1])!;
        return { id: f[0], host: addr[1], port: Number(addr[2]) };
      })
      .sort((a, b) => a.port - b.port || a.host.localeCompare(b.host));
    this.nodes = masters.map((m, index) => ({ index, ...m }));
    this.clients = this.nodes.map((n) => this.client(n.host, n.port));
    await Promise.all(this.clients.map((c) => c.connect()));
    this.up = this.nodes.map(() => true);
  }

  private async checkHealth(): Promise<void> {
    if (this.closed) return;
    await Promise.all(
      this.clients.map(async (c, i) => {
        try {
          await this.guard(c.ping());
          this.up[i] = true;
        } catch {
          this.up[i] = false;
        }
      }),
    );
  }

  /** Stops health checks and disconnects (operations in flight are abandoned). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    for (const c of this.clients) c.disconnect();
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
    const op: Op = {
      id: this.nextOpId++,
      action,
      tag,
      startMs: this.o.scheduler.now(),
      startWall: wallNow(),
      fromNode: this.map.nodes[i],
      range: actionRange(this.map, action),
      bytes: 0,
      keys: 0,
      slots: 0,
      cutoverWallMs: 0,
      abort: null,
    };
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

  private async run(op: Op): Promise<void> {
    const a = op.action;
    if (a.kind === 'split' || a.kind === 'merge') {
      this.complete(op); // bookkeeping: the slots stay on their master
      return;
    }
    const slots = bucketsToSlots(this.o.buckets, op.range.start, op.range.end);
    const list = Array.from({ length: slots.end - slots.start }, (_, k) => slots.start + k);
    op.slots = list.length;
    const deadline = setTimeout(() => {
      op.abort ??= { code: 'timeout', reason: `operation exceeded ${this.o.opTimeoutMs ?? 120_000} ms` };
    }, this.o.opTimeoutMs ?? 120_000);
    try {
      await this.migrate(op.fromNode, a.node, list, op, () => op.abort, true);
      clearTimeout(deadline);
      this.complete(op);
    } catch (err) {
      clearTimeout(deadline);
      const code = op.abort?.code ?? codeOf(err);
      const reason = op.abort?.reason ?? `${(err as Error).message}`;
      op.abort ??= { code, reason };
      const closed = await this.recover(op.fromNode, a.node, list, op);
      this.fail(op, closed ? reason : `${reason}; recovery incomplete, slots left open`, code, closed);
    }
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

  // ---------------- migration ----------------

  /** Bounds a command's promise: an operation must fail rather than hang (with-timeout.ts). */
  private guard<T>(p: Promise<T>, n = 1): Promise<T> {
    return withTimeout(p, (this.o.commandTimeoutMs ?? 10_000) + 2 * n);
  }

  private async exec(node: number, cmds: Cmd[]): Promise<unknown[]> {
    if (cmds.length === 0) return [];
    // Pipeline entries name ioredis methods (lower case), then the arguments.
    const res = (await this.guard(this.clients[node].pipeline(cmds.map((c) => [String(c[0]).toLowerCase(), ...c.slice(1).map(String)])).exec(), cmds.length)) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return v;
    });
  }

  private async call(node: number, ...args: (string | number)[]): Promise<unknown> {
    return this.guard(this.clients[node].call(String(args[0]), ...args.slice(1).map(String)));
  }

  /**
   * Migrates `slots` from master `from` to master `to`: open all, drain `slotParallelism` at a
   * time, switch all, wait for agreement. `stop()` is polled between batches; `hook` enables the
   * fault seam. Bytes and keys are added to `acct`.
   */
  private async migrate(from: number, to: number, slots: readonly number[], acct: Op, stop: () => { code: OpCode; reason: string } | null, hook: boolean, parallelism = this.o.slotParallelism ?? 4): Promise<void> {
    if (slots.length === 0) return;
    const src = this.nodes[from];
    const dst = this.nodes[to];
    const CHUNK = 2048;
    for (let k = 0; k < slots.length; k += CHUNK) {
      const part = slots.slice(k, k + CHUNK);
      await this.exec(to, part.map((s) => ['CLUSTER', 'SETSLOT', s, 'IMPORTING', src.id]));
      await this.exec(from, part.map((s) => ['CLUSTER', 'SETSLOT', s, 'MIGRATING', dst.id]));
    }
    // Workers take batches of slots; each round costs one round trip for the keys of the batch
    // and one for their MIGRATEs (a MIGRATE carries one slot's keys: cross-slot is refused).
    const BATCH = 64;
    let next = 0;
    let done = 0;
    let firstErr: unknown = null;
    const worker = async () => {
      while (firstErr === null && next < slots.length) {
        const st = stop();
        if (st) throw new OpFailure(st.code, st.reason);
        const batch = slots.slice(next, next + BATCH);
        next += batch.length;
        if (hook) for (const s of batch) this.o.faultHook?.({ action: acct.action, slot: s, slotsDone: done });
        await this.drainSlots(from, to, batch, acct, stop);
        done += batch.length;
      }
    };
    const par = Math.max(1, Math.min(parallelism, Math.ceil(slots.length / BATCH)));
    const results = await Promise.allSettled(Array.from({ length: par }, () => worker().catch((e) => ((firstErr ??= e), Promise.reject(e)))));
    if (firstErr !== null || results.some((r) => r.status === 'rejected')) throw firstErr;
    const st = stop();
    if (st) throw new OpFailure(st.code, st.reason);
    const t0 = wallNow();
    await this.switchOwner(slots, to, from);
    acct.cutoverWallMs += wallNow() - t0;
  }

  /** Moves every key of `slots` from `from` to `to`. */
  private async drainSlots(from: number, to: number, slots: readonly number[], acct: Op, stop: () => { code: OpCode; reason: string } | null): Promise<void> {
    const dst = this.nodes[to];
    const n = this.o.keysPerMigrate ?? 100;
    let open = [...slots];
    while (open.length > 0) {
      const keysOf = (await this.exec(from, open.map((s) => ['CLUSTER', 'GETKEYSINSLOT', s, n]))) as string[][];
      const st = stop();
      if (st) throw new OpFailure(st.code, st.reason);
      const batch = keysOf.filter((k) => k.length > 0);
      if (batch.length === 0) return;
      let attempt = 0;
      for (;;) {
        try {
          const cmds: Cmd[] = [];
          for (const keys of batch) cmds.push(...keys.map((k): Cmd => ['STRLEN', k]), ['MIGRATE', dst.host, dst.port, '', 0, this.o.migrateTimeoutMs ?? 1000, 'REPLACE', 'KEYS', ...keys]);
          const res = await this.exec(from, cmds);
          let bytes = 0;
          let j = 0;
          for (const keys of batch) {
            for (const k of keys) bytes += Number(res[j++]) + k.length;
            j++; // the MIGRATE's OK
            acct.keys += keys.length;
          }
          acct.bytes += bytes;
          this.movedBytes += bytes;
          break;
        } catch (err) {
          // A MIGRATE that timed out may still land: retrying with REPLACE is safe (the source copy is live).
          if (codeOf(err) !== 'timeout' || ++attempt >= 3) throw err;
        }
      }
      // A slot that gave fewer than n keys is empty now: in MIGRATING state new keys go to the target (ASK).
      open = open.filter((_, i) => keysOf[i].length === n);
    }
  }

  /** Phase 2: `to` owns `slots` (target first, then source, then the others), then waits for agreement. */
  private async switchOwner(slots: readonly number[], to: number, from: number): Promise<void> {
    const id = this.nodes[to].id;
    const cmds = slots.map((s): Cmd => ['CLUSTER', 'SETSLOT', s, 'NODE', id]);
    await this.exec(to, cmds);
    await this.exec(from, cmds);
    await Promise.all(
      this.nodes.map((_, i) => (i === to || i === from ? null : this.exec(i, cmds).catch(() => null))), // a down master learns by gossip
    );
    await this.awaitAgreement(slots, to);
  }

  /** Waits (up to 10 s) until every reachable master reports the same epoch and `owner` for `slots`. */
  private async awaitAgreement(slots: readonly number[], owner: number): Promise<void> {
    const want = this.nodes[owner];
    const end = wallNow() + 10_000;
    while (wallNow() < end) {
      const views = await Promise.all(
        this.clients.map(async (c) => {
          try {
            const [info, table] = await this.guard(Promise.all([c.call('CLUSTER', 'INFO') as Promise<string>, c.call('CLUSTER', 'SLOTS') as Promise<[number, number, [string, number, string]][]>]));
            return { epoch: /cluster_current_epoch:(\d+)/.exec(info)?.[1], table };
          } catch {
            return null; // unreachable: not asked to agree
          }
        }),
      );
      const live = views.filter((v) => v !== null);
      const agree =
        new Set(live.map((v) => v.epoch)).size <= 1 &&
        live.every((v) => slots.every((s) => v.table.some((r) => r[0] <= s && s <= r[1] && r[2][1] === want.port && r[2][0] === want.host)));
      if (agree) return;
      await sleep(25);
    }
  }

  // ---------------- recovery ----------------

  /**
   * Leaves every slot of `slots` owned by `home` with no open marker on `home` or `other`.
   * Retries until it succeeds or `recoveryTimeoutMs` passes; returns whether it succeeded.
   */
  private async recover(home: number, other: number, slots: readonly number[], acct: Op, timeoutMs = this.o.recoveryTimeoutMs ?? 600_000): Promise<boolean> {
    const end = wallNow() + timeoutMs;
    for (;;) {
      try {
        await this.settleSlots(home, other, slots, acct);
        for (const s of slots) this.stuck.delete(s);
        return true;
      } catch (err) {
        if (this.closed || wallNow() > end) {
          for (const s of slots) this.stuck.set(s, `recovery of ${acct.action.kind} ${acct.action.partition} failed: ${(err as Error).message}`);
          return false;
        }
        await sleep(250);
      }
    }
  }

  private async settleSlots(home: number, other: number, slots: readonly number[], acct: Op): Promise<void> {
    const never = () => null;
    const [hv, ov] = await Promise.all([this.call(home, 'CLUSTER', 'NODES'), this.call(other, 'CLUSTER', 'NODES')]).then((t) => t.map((x) => parseMyself(x as string)));
    const back = slots.filter((s) => ov.owned.has(s));
    const rest = slots.filter((s) => !ov.owned.has(s));
    // Close the target's import first: from then on no write can land there (a client's ASKING
    // write is refused), so a count of 0 below stays 0 and the slot can close in place.
    // Counting first would race a write redirected there between the count and the close.
    await this.exec(other, rest.filter((s) => ov.importing.has(s)).map((s) => ['CLUSTER', 'SETSLOT', s, 'STABLE']));
    const counts = (await this.exec(other, rest.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]))) as number[];
    const forward = rest.filter((_, k) => counts[k] > 0);
    const close = rest.filter((s, k) => counts[k] === 0 && (hv.migrating.has(s) || hv.importing.has(s) || ov.migrating.has(s) || !hv.owned.has(s)));
    // Target holds none of the slot's keys: close it in place.
    await this.exec(home, close.map((s) => ['CLUSTER', 'SETSLOT', s, 'STABLE']));
    await this.exec(other, close.filter((s) => ov.migrating.has(s)).map((s) => ['CLUSTER', 'SETSLOT', s, 'STABLE']));
    const homeLost = close.filter((s) => !hv.owned.has(s));
    if (homeLost.length) await this.switchOwner(homeLost, home, other);
    // Keys already on the target: finish forward, then migrate back.
    if (forward.length) {
      await this.migrate(home, other, forward, acct, never, false);
      back.push(...forward);
    }
    if (back.length) {
      // The source may still think it owns some (switched on the target only): tell it first.
      const tell = back.filter((s) => hv.owned.has(s));
      if (tell.length) await this.exec(home, tell.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', this.nodes[other].id]));
      await this.migrate(other, home, back, acct, never, false);
    }
    const problems = await this.slotProblems(slots, home, [home, other]);
    if (problems.length) throw new Error(problems[0]);
  }

  // ---------------- adoption and verification ----------------

  /** Owner (node index) per slot that `map` asks for. */
  private wanted(map: PartitionMap): Int32Array {
    const want = new Int32Array(SLOTS);
    for (let i = 0; i + 1 < map.boundaries.length; i++) want.fill(map.nodes[i], map.boundaries[i] * this.spb, map.boundaries[i + 1] * this.spb);
    return want;
  }

  private async adopt(map: PartitionMap): Promise<void> {
    const acct: Op = { id: 0, action: { kind: 'move', partition: map.ids[0], node: 0 }, startMs: 0, startWall: wallNow(), fromNode: 0, range: { start: 0, end: 0 }, bytes: 0, keys: 0, slots: 0, cutoverWallMs: 0, abort: null };
    // Close whatever a crashed run left open, keeping each slot where its owner has it.
    for (let i = 0; i < this.nodes.length; i++) {
      const v = parseMyself((await this.call(i, 'CLUSTER', 'NODES')) as string);
      const peers = new Map<number, number[]>();
      for (const [s, id] of [...v.migrating, ...v.importing]) {
        const peer = this.nodes.findIndex((n) => n.id === id);
        if (peer < 0) continue;
        const home = v.owned.has(s) ? i : peer;
        const key = home * 1000 + (home === i ? peer : i);
        peers.set(key, [...(peers.get(key) ?? []), s]);
      }
      for (const [key, ss] of peers) {
        if (!(await this.recover(Math.floor(key / 1000), key % 1000, ss, acct, 60_000))) {
          throw new Error(`${ss.length} slot(s) left open by an earlier run could not be closed within 60 s (slot ${ss[0]}: ${this.stuck.get(ss[0]) ?? '?'}); keycast cluster down && keycast cluster up starts afresh`);
        }
      }
    }
    const owner = await this.owners(0);
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
          await this.migrate(from, to, ss, acct, () => null, false, 32);
          break;
        } catch (err) {
          if (attempt >= 3 || !(await this.recover(from, to, ss, acct))) throw err;
        }
      }
    }
  }

  /** Owner node index per slot as master `via` sees it (−1: unowned or unknown master). */
  private async owners(via: number): Promise<Int32Array> {
    const table = (await this.call(via, 'CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
    const out = new Int32Array(SLOTS).fill(-1);
    for (const r of table) out.fill(this.nodes.findIndex((n) => n.host === r[2][0] && n.port === r[2][1]), r[0], r[1] + 1);
    return out;
  }

  /** Problems of `slots` on masters `on`: owner other than `owner`, or an open marker. */
  private async slotProblems(slots: readonly number[], owner: number, on: readonly number[]): Promise<string[]> {
    const out: string[] = [];
    for (const i of on) {
      const v = parseMyself((await this.call(i, 'CLUSTER', 'NODES')) as string);
      const own = await this.owners(i);
      for (const s of slots) {
        if (own[s] !== owner) out.push(`slot ${s}: node ${i} sees owner ${own[s]}, not ${owner}`);
        if (v.migrating.has(s) || v.importing.has(s)) out.push(`slot ${s} is open on node ${i}`);
      }
    }
    return out;
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
      const name = `${this.nodes[i].host}:${this.nodes[i].port}`;
      let own: Int32Array;
      let v: ReturnType<typeof parseMyself>;
      try {
        own = await this.owners(i);
        v = parseMyself((await this.call(i, 'CLUSTER', 'NODES')) as string);
      } catch (err) {
        problems.push(`node ${i} (${name}) did not answer: ${(err as Error).message}`);
        continue;
      }
      let s = 0;
      while (s < SLOTS) {
        if (own[s] === want[s]) {
          s++;
          continue;
        }
        let e = s;
        while (e + 1 < SLOTS && own[e + 1] !== want[e + 1] && own[e + 1] === own[s] && want[e + 1] === want[s]) e++;
        problems.push(`slots ${s}-${e}: keycast's map says node ${want[s]}, node ${i} (${name}) sees ${own[s] < 0 ? 'no owner' : `node ${own[s]}`}`);
        s = e + 1;
      }
      for (const [slot, peer] of v.migrating) problems.push(`slot ${slot} is open on node ${i} (${name}): migrating to ${peer}`);
      for (const [slot, peer] of v.importing) problems.push(`slot ${slot} is open on node ${i} (${name}): importing from ${peer}`);
    }
    for (const [s, why] of this.stuck) problems.push(`slot ${s}: ${why}`);
    return problems;
  }
}

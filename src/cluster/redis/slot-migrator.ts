/**
 * Two-phase slot-range migration between two masters. Phase 1 opens every slot (`SETSLOT
 * IMPORTING` on the target, `MIGRATING` on the source) and drains the slots, `parallelism`
 * workers at a time, with `GETKEYSINSLOT` + `MIGRATE … REPLACE KEYS` (REPLACE: a MIGRATE that
 * timed out may land late, and the source copy is the live one). Phase 2 switches every slot's
 * owner (`SETSLOT NODE`, target first, then source, then the other masters) and waits until every
 * reachable master reports the same epoch and owner (switching back and forth faster than the
 * epoch gossip loses the switch otherwise). A `stop()` poll between rounds lets a failure
 * elsewhere or a cancellation end the migration early, with the slots left open for recovery.
 *
 * MIGRATE blocks its source until the target has stored the keys, so two masters migrating to
 * each other at once (or any cycle A→B→C→A) wait on each other until MIGRATE's timeout, again
 * and again: concurrent moves of a live run stalled the whole cluster that way (writes failed for
 * a minute). `MigrateGate` lets a MIGRATE round start only when its edge closes no cycle among the
 * rounds running.
 */
import type { OpCode } from '../../model/control-plane.ts';
import type { PlanAction } from '../../model/plan.ts';
import { codeOf, OpFailure, sleep, wallNow, type Cmd, type RedisNodes } from './redis-nodes.ts';
import type { SlotsRow } from './slot-view.ts';

/** Where a migration adds up what it sent. */
export interface MoveAccount {
  readonly action: PlanAction;
  keys: number;
  bytes: number;
  cutoverWallMs: number;
}

/** Why a migration must stop, or null to go on. */
export type StopPoll = () => { code: OpCode; reason: string } | null;

export interface MigratorOptions {
  /** Keys per MIGRATE (default 100). */
  readonly keysPerMigrate?: number;
  /** MIGRATE's own timeout, wall ms (default 1000). */
  readonly migrateTimeoutMs?: number;
  /** Called before each batch of slots is drained; a throw fails the migration (test seam). */
  readonly faultHook?: (info: { readonly action: PlanAction; readonly slot: number; readonly slotsDone: number }) => void;
  /** Called with the bytes of every MIGRATE that succeeded. */
  readonly onBytes?: (bytes: number) => void;
}

/** Admits MIGRATE rounds whose source→target edges keep the running rounds' graph acyclic. */
export class MigrateGate {
  private readonly edges = new Map<string, number>();
  private waiters: (() => void)[] = [];

  /** Whether `to` reaches `from` through running edges (then from→to would close a cycle). */
  private reaches(to: number, from: number): boolean {
    const seen = new Set<number>();
    const stack = [to];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === from) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const k of this.edges.keys()) {
        const [a, b] = k.split('>').map(Number);
        if (a === n) stack.push(b);
      }
    }
    return false;
  }

  async acquire(from: number, to: number): Promise<void> {
    const key = `${from}>${to}`;
    while (!this.edges.has(key) && this.reaches(to, from)) await new Promise<void>((r) => this.waiters.push(r));
    this.edges.set(key, (this.edges.get(key) ?? 0) + 1);
  }

  release(from: number, to: number): void {
    const key = `${from}>${to}`;
    const n = (this.edges.get(key) ?? 1) - 1;
    if (n > 0) this.edges.set(key, n);
    else this.edges.delete(key);
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

/** Slots per round trip of one worker. */
const BATCH = 64;
/** SETSLOT commands per pipeline when opening slots. */
const CHUNK = 2048;

export class SlotMigrator {
  private readonly gate = new MigrateGate();

  constructor(
    private readonly nodes: RedisNodes,
    private readonly o: MigratorOptions = {},
  ) {}

  private checkStop(stop: StopPoll): void {
    const st = stop();
    if (st) throw new OpFailure(st.code, st.reason);
  }

  /** Migrates `slots` from master `from` to `to`; `hook` enables the fault seam. */
  async migrate(from: number, to: number, slots: readonly number[], acct: MoveAccount, stop: StopPoll, hook: boolean, parallelism = 4): Promise<void> {
    if (slots.length === 0) return;
    const src = this.nodes.list[from];
    const dst = this.nodes.list[to];
    for (let k = 0; k < slots.length; k += CHUNK) {
      const part = slots.slice(k, k + CHUNK);
      await this.nodes.exec(to, part.map((s) => ['CLUSTER', 'SETSLOT', s, 'IMPORTING', src.id]));
      await this.nodes.exec(from, part.map((s) => ['CLUSTER', 'SETSLOT', s, 'MIGRATING', dst.id]));
    }
    await this.drainAll(from, to, slots, acct, stop, hook, parallelism);
    this.checkStop(stop);
    const t0 = wallNow();
    await this.switchOwner(slots, to, from);
    acct.cutoverWallMs += wallNow() - t0;
  }

  /** Workers take batches of slots until all are drained or one fails (then all stop). */
  private async drainAll(from: number, to: number, slots: readonly number[], acct: MoveAccount, stop: StopPoll, hook: boolean, parallelism: number): Promise<void> {
    let next = 0;
    let done = 0;
    let firstErr: unknown = null;
    const worker = async () => {
      while (firstErr === null && next < slots.length) {
        this.checkStop(stop);
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
  }

  /** Moves every key of `slots` from `from` to `to`. */
  private async drainSlots(from: number, to: number, slots: readonly number[], acct: MoveAccount, stop: StopPoll): Promise<void> {
    const n = this.o.keysPerMigrate ?? 100;
    let open = [...slots];
    while (open.length > 0) {
      const keysOf = (await this.nodes.exec(from, open.map((s) => ['CLUSTER', 'GETKEYSINSLOT', s, n]))) as string[][];
      this.checkStop(stop);
      const batch = keysOf.filter((k) => k.length > 0);
      if (batch.length === 0) return;
      await this.migrateKeys(from, to, batch, acct);
      // A slot that gave fewer than n keys is empty now: in MIGRATING state new keys go to the target (ASK).
      open = open.filter((_, i) => keysOf[i].length === n);
    }
  }

  /** One pipeline: per slot the keys' sizes (byte accounting) and one MIGRATE of them. */
  private async migrateKeys(from: number, to: number, batch: readonly string[][], acct: MoveAccount): Promise<void> {
    const dst = this.nodes.list[to];
    for (let attempt = 1; ; attempt++) {
      try {
        const cmds: Cmd[] = [];
        for (const keys of batch) cmds.push(...keys.map((k): Cmd => ['STRLEN', k]), ['MIGRATE', dst.host, dst.port, '', 0, this.o.migrateTimeoutMs ?? 1000, 'REPLACE', 'KEYS', ...keys]);
        await this.gate.acquire(from, to);
        let res: unknown[];
        try {
          res = await this.nodes.exec(from, cmds);
        } finally {
          this.gate.release(from, to);
        }
        let bytes = 0;
        let j = 0;
        for (const keys of batch) {
          for (const k of keys) bytes += Number(res[j++]) + k.length;
          j++; // the MIGRATE's OK
          acct.keys += keys.length;
        }
        acct.bytes += bytes;
        this.o.onBytes?.(bytes);
        return;
      } catch (err) {
        // A MIGRATE that timed out may still land: retrying with REPLACE is safe (the source copy is live).
        if (codeOf(err) !== 'timeout' || attempt >= 3) throw err;
      }
    }
  }

  /** Phase 2: `to` owns `slots` (target first, then source, then the others), then waits for agreement. */
  async switchOwner(slots: readonly number[], to: number, from: number): Promise<void> {
    const id = this.nodes.list[to].id;
    const cmds = slots.map((s): Cmd => ['CLUSTER', 'SETSLOT', s, 'NODE', id]);
    await this.nodes.exec(to, cmds);
    await this.nodes.exec(from, cmds);
    await Promise.all(
      this.nodes.list.map((_, i) => (i === to || i === from ? null : this.nodes.exec(i, cmds).catch(() => null))), // a down master learns by gossip
    );
    await this.awaitAgreement(slots, to);
  }

  /** Waits (up to 10 s) until every reachable master reports the same epoch and `owner` for `slots`. */
  async awaitAgreement(slots: readonly number[], owner: number): Promise<void> {
    const want = this.nodes.list[owner];
    const end = wallNow() + 10_000;
    while (wallNow() < end) {
      const views = await Promise.all(
        this.nodes.list.map(async (_, i) => {
          try {
            const [info, table] = await Promise.all([this.nodes.call(i, 'CLUSTER', 'INFO') as Promise<string>, this.nodes.call(i, 'CLUSTER', 'SLOTS') as Promise<SlotsRow[]>]);
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
}

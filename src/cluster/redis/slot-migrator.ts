/**
 * Two-phase slot-range migration between two masters. Phase 1 opens every slot (`SETSLOT
 * IMPORTING` on the target, `MIGRATING` on the source) and drains the slots, `parallelism`
 * workers at a time, with `GETKEYSINSLOT` + `MIGRATE … REPLACE KEYS` (REPLACE: a MIGRATE that
 * timed out may land late, and the source copy is the live one). Phase 2 switches every slot's
 * owner (`SETSLOT NODE`, target first, then source, then the other masters), one switch at a time
 * and only once the target's config epoch is the cluster's strictly greatest (else the old owner's
 * gossip wins the slot back and the target deletes its keys), then waits until every reachable
 * master reports the same epoch and owner (a failure, code `timeout`, if they do not within
 * 10 s). A `stop()` poll between rounds lets a failure elsewhere or a cancellation end the
 * migration early, with the slots left open for recovery.
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
import { parseConfigEpochs, type SlotsRow } from './slot-view.ts';

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
  /** How long an owner switch waits for its epoch or for agreement before it fails, wall ms (default 10 s). */
  readonly agreeTimeoutMs?: number;
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
  /** The last owner switch queued (they run one at a time). */
  private switching: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodes: RedisNodes,
    private readonly o: MigratorOptions = {},
  ) {}

  private get agreeMs(): number {
    return this.o.agreeTimeoutMs ?? 10_000;
  }

  private checkStop(stop: StopPoll): void {
    const st = stop();
    if (st) throw new OpFailure(st.code, st.reason);
  }

  /** Migrates `slots` from master `from` to `to`; `hook` enables the fault seam. */
  async migrate(from: number, to: number, slots: readonly number[], acct: MoveAccount, stop: StopPoll, hook: boolean, parallelism = 4): Promise<void> {
    if (slots.length === 0) return;
    await this.prepare(from, to, slots, acct, stop, hook, parallelism);
    this.checkStop(stop);
    const t0 = wallNow();
    await this.switchOwner(slots, to, from);
    acct.cutoverWallMs += wallNow() - t0;
  }

  /** Phase 1: opens every slot of `slots` (importing on `to`, migrating on `from`) and drains it to `to`. */
  async prepare(from: number, to: number, slots: readonly number[], acct: MoveAccount, stop: StopPoll, hook: boolean, parallelism = 4): Promise<void> {
    const src = this.nodes.list[from];
    const dst = this.nodes.list[to];
    for (let k = 0; k < slots.length; k += CHUNK) {
      const part = slots.slice(k, k + CHUNK);
      await this.nodes.exec(to, part.map((s) => ['CLUSTER', 'SETSLOT', s, 'IMPORTING', src.id]));
      await this.nodes.exec(from, part.map((s) => ['CLUSTER', 'SETSLOT', s, 'MIGRATING', dst.id]));
    }
    await this.drainAll(from, to, slots, acct, stop, hook, parallelism);
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

  /**
   * Phase 2: `to` owns `slots`. Switches run one at a time, each after the new owner's config
   * epoch was made the cluster's strictly greatest (`raiseEpoch`): a master that claims a slot
   * with an epoch no greater than the old owner's loses the claim to the old owner's gossip and
   * deletes the keys it just imported (Redis drops the keys of a slot it learns it does not own).
   * Two switches at once do exactly that: one target's import bumps its epoch while another
   * target claims slots from it with a lower one. Then `SETSLOT NODE` on the target, the
   * source, the others, and a wait until every reachable master agrees (a failure if they do not).
   */
  switchOwner(slots: readonly number[], to: number, from: number): Promise<void> {
    const run = this.switching.then(() => this.switchNow(slots, to, from));
    this.switching = run.catch(() => {});
    return run;
  }

  private async switchNow(slots: readonly number[], to: number, from: number): Promise<void> {
    await this.raiseEpoch(to);
    const id = this.nodes.list[to].id;
    const cmds = slots.map((s): Cmd => ['CLUSTER', 'SETSLOT', s, 'NODE', id]);
    await this.nodes.exec(to, cmds);
    await this.nodes.exec(from, cmds);
    await Promise.all(
      this.nodes.list.map((_, i) => (i === to || i === from ? null : this.nodes.exec(i, cmds).catch(() => null))), // a down master learns by gossip
    );
    await this.awaitAgreement(slots, to);
  }

  /**
   * Config epoch of every master: the highest any reachable master reports for it in `CLUSTER
   * NODES` (its own line for itself; others' views stand for an unreachable one; −1 if none does).
   */
  async configEpochs(): Promise<number[]> {
    const out = this.nodes.list.map(() => -1);
    await Promise.all(
      this.nodes.list.map(async (_, i) => {
        try {
          for (const [id, e] of parseConfigEpochs((await this.nodes.call(i, 'CLUSTER', 'NODES')) as string)) {
            const k = this.nodes.indexOfId(id);
            if (k >= 0) out[k] = Math.max(out[k], e);
          }
        } catch {
          /* unreachable: the others' views stand for it */
        }
      }),
    );
    return out;
  }

  /**
   * Bumps master `node`'s config epoch (`CLUSTER BUMPEPOCH`) until it is strictly greater than
   * every other master's. A bump goes one past the greatest epoch the node has heard of, so it
   * may need the gossip of a recent bump first (STILL), or a collision to resolve: retries for
   * `agreeTimeoutMs`, then fails with `timeout`.
   */
  async raiseEpoch(node: number): Promise<void> {
    const end = wallNow() + this.agreeMs;
    for (;;) {
      const e = await this.configEpochs();
      if (e[node] >= 0 && e.every((x, i) => i === node || x < e[node])) return;
      if (wallNow() > end) throw new OpFailure('timeout', `master ${node}'s config epoch could not be made the greatest within ${this.agreeMs / 1000} s (epochs ${e.join(', ')})`);
      const r = String(await this.nodes.call(node, 'CLUSTER', 'BUMPEPOCH'));
      if (!r.startsWith('BUMPED')) await sleep(25);
    }
  }

  /** Waits until every reachable master reports the same epoch and `owner` for `slots`; fails with `timeout` after `agreeTimeoutMs`. */
  async awaitAgreement(slots: readonly number[], owner: number): Promise<void> {
    const want = this.nodes.list[owner];
    const end = wallNow() + this.agreeMs;
    for (;;) {
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
      const disagree = live.filter((v) => !slots.every((s) => v.table.some((r) => r[0] <= s && s <= r[1] && r[2][1] === want.port && r[2][0] === want.host))).length;
      const epochs = new Set(live.map((v) => v.epoch));
      if (disagree === 0 && epochs.size <= 1) return;
      if (wallNow() > end) {
        throw new OpFailure('timeout', `the masters did not agree within ${this.agreeMs / 1000} s that master ${owner} owns slots ${slots[0]}-${slots[slots.length - 1]} (${disagree} of ${live.length} see another owner; epochs ${[...epochs].join(', ')})`);
      }
      await sleep(25);
    }
  }
}

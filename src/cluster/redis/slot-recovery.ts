/**
 * Recovery of slots a migration left open, so that no slot stays MIGRATING or IMPORTING: after a
 * failed or cancelled operation, and at connect for slots a crashed run (a killed `keycast live`)
 * left open. An open slot cannot be rolled back in place: the target's import is closed first
 * (from then on no redirected write can land there), a slot whose target holds none of its keys is
 * closed in place (`SETSLOT STABLE`), one with keys there is finished forward and migrated back.
 * Recovery retries until the nodes answer (a frozen node resumes, a killed one restarts from its
 * append-only file) or its time is up.
 */
import { sleep, wallNow, type RedisNodes } from './redis-nodes.ts';
import type { MoveAccount, SlotMigrator } from './slot-migrator.ts';

/** An open slot as one master reports it. */
export interface OpenSlot {
  readonly slot: number;
  /** The master reporting it, and the peer it migrates to or imports from. */
  readonly node: number;
  readonly peer: number;
  readonly state: 'migrating' | 'importing';
  /** Whether `node` owns the slot. */
  readonly owned: boolean;
}

/** Every open slot of every reachable master. */
export async function openSlots(nodes: RedisNodes): Promise<OpenSlot[]> {
  const out: OpenSlot[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const v = await nodes.myself(i);
    for (const [state, m] of [['migrating', v.migrating], ['importing', v.importing]] as const) {
      for (const [slot, id] of m) out.push({ slot, node: i, peer: nodes.indexOfId(id), state, owned: v.owned.has(slot) });
    }
  }
  return out.sort((a, b) => a.slot - b.slot || a.node - b.node);
}

export class SlotRecovery {
  /** Slots a recovery could not close, with why (verify reports them). */
  readonly stuck = new Map<number, string>();

  constructor(
    private readonly nodes: RedisNodes,
    private readonly migrator: SlotMigrator,
    private readonly isClosed: () => boolean = () => false,
  ) {}

  /**
   * Leaves every slot of `slots` owned by `home` with no open marker on `home` or `other`.
   * Retries until it succeeds or `timeoutMs` passes; returns whether it succeeded.
   */
  async recover(home: number, other: number, slots: readonly number[], acct: MoveAccount, timeoutMs: number): Promise<boolean> {
    const end = wallNow() + timeoutMs;
    for (;;) {
      try {
        await this.settleSlots(home, other, slots, acct);
        for (const s of slots) this.stuck.delete(s);
        return true;
      } catch (err) {
        if (this.isClosed() || wallNow() > end) {
          for (const s of slots) this.stuck.set(s, `recovery of ${acct.action.kind} ${acct.action.partition} failed: ${(err as Error).message}`);
          return false;
        }
        await sleep(250);
      }
    }
  }

  private async settleSlots(home: number, other: number, slots: readonly number[], acct: MoveAccount): Promise<void> {
    const never = () => null;
    const [hv, ov] = await Promise.all([this.nodes.myself(home), this.nodes.myself(other)]);
    const back = slots.filter((s) => ov.owned.has(s));
    const rest = slots.filter((s) => !ov.owned.has(s));
    // Close the target's import first: from then on no write can land there (a client's ASKING
    // write is refused), so a count of 0 below stays 0 and the slot can close in place.
    // Counting first would race a write redirected there between the count and the close.
    await this.nodes.exec(other, rest.filter((s) => ov.importing.has(s)).map((s) => ['CLUSTER', 'SETSLOT', s, 'STABLE']));
    const counts = (await this.nodes.exec(other, rest.map((s) => ['CLUSTER', 'COUNTKEYSINSLOT', s]))) as number[];
    const forward = rest.filter((_, k) => counts[k] > 0);
    const close = rest.filter((s, k) => counts[k] === 0 && (hv.migrating.has(s) || hv.importing.has(s) || ov.migrating.has(s) || !hv.owned.has(s)));
    // Target holds none of the slot's keys: close it in place.
    await this.nodes.exec(home, close.map((s) => ['CLUSTER', 'SETSLOT', s, 'STABLE']));
    await this.nodes.exec(other, close.filter((s) => ov.migrating.has(s)).map((s) => ['CLUSTER', 'SETSLOT', s, 'STABLE']));
    const homeLost = close.filter((s) => !hv.owned.has(s));
    if (homeLost.length) await this.migrator.switchOwner(homeLost, home, other);
    // Keys already on the target: finish forward, then migrate back.
    if (forward.length) {
      await this.migrator.migrate(home, other, forward, acct, never, false);
      back.push(...forward);
    }
    if (back.length) {
      // The source may still think it owns some (switched on the target only): tell it first.
      const tell = back.filter((s) => hv.owned.has(s));
      if (tell.length) await this.nodes.exec(home, tell.map((s) => ['CLUSTER', 'SETSLOT', s, 'NODE', this.nodes.list[other].id]));
      await this.migrator.migrate(other, home, back, acct, never, false);
    }
    const problems = await this.slotProblems(slots, home, [home, other]);
    if (problems.length) throw new Error(problems[0]);
  }

  /**
   * Closes every slot left open (by a crashed run), keeping each where its owner has it. Returns
   * the slots it closed; throws when some could not be closed within `timeoutMs` each.
   */
  async repairOpenSlots(acct: MoveAccount, timeoutMs: number): Promise<number[]> {
    const groups = new Map<string, Set<number>>();
    for (const o of await openSlots(this.nodes)) {
      if (o.peer < 0) continue;
      const home = o.owned ? o.node : o.peer;
      const other = home === o.node ? o.peer : o.node;
      const key = `${home}>${other}`;
      groups.set(key, (groups.get(key) ?? new Set()).add(o.slot));
    }
    const repaired: number[] = [];
    for (const [key, set] of groups) {
      const ss = [...set].sort((a, b) => a - b);
      const [home, other] = key.split('>').map(Number);
      if (!(await this.recover(home, other, ss, acct, timeoutMs))) {
        throw new Error(
          `${ss.length} slot(s) left open by an earlier run could not be closed within ${Math.round(timeoutMs / 1000)} s (slot ${ss[0]}: ${this.stuck.get(ss[0]) ?? '?'}); keycast cluster down && keycast cluster up starts afresh`,
        );
      }
      repaired.push(...ss);
    }
    return repaired.sort((a, b) => a - b);
  }

  /** Problems of `slots` on masters `on`: owner other than `owner`, or an open marker. */
  async slotProblems(slots: readonly number[], owner: number, on: readonly number[]): Promise<string[]> {
    const out: string[] = [];
    for (const i of on) {
      const v = await this.nodes.myself(i);
      const own = await this.nodes.owners(i);
      for (const s of slots) {
        if (own[s] !== owner) out.push(`slot ${s}: node ${i} sees owner ${own[s]}, not ${owner}`);
        if (v.migrating.has(s) || v.importing.has(s)) out.push(`slot ${s} is open on node ${i}`);
      }
    }
    return out;
  }
}

/**
 * Closes every slot a crashed run left open in the cluster the seeds belong to (`keycast cluster
 * repair`; `keycast live` does the same when it connects). Returns the slots closed.
 */
export async function repairCluster(seeds: readonly { readonly host: string; readonly port: number }[], timeoutMs = 60_000): Promise<number[]> {
  const { RedisNodes } = await import('./redis-nodes.ts');
  const { SlotMigrator } = await import('./slot-migrator.ts');
  const nodes = await RedisNodes.connect(seeds);
  try {
    const recovery = new SlotRecovery(nodes, new SlotMigrator(nodes));
    return await recovery.repairOpenSlots({ action: { kind: 'move', partition: 'repair', node: 0 }, keys: 0, bytes: 0, cutoverWallMs: 0 }, timeoutMs);
  } finally {
    nodes.close();
  }
}

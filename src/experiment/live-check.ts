/**
 * The end-of-run check of a live run: every acknowledged write must still be in the cluster, on
 * the master that owns its slot in keycast's map (a key found only on another master is
 * misplaced: the cluster would not find it). Reads every slot that got writes straight from each
 * master with `CLUSTER GETKEYSINSLOT`, so no redirect hides a key on the wrong master. A write
 * counts as lost only when every master's slot was read and none holds it; a slot that could not
 * be read is reported as unread (not verified), never as lost or as fine.
 */
import { Redis } from 'ioredis';
import type { RedisNode } from '../cluster/redis/redis-control-plane.ts';
import { withTimeout } from '../cluster/redis/with-timeout.ts';
import type { PartitionMap } from '../model/partition-map.ts';

export interface WriteCheck {
  lost: number;
  misplaced: number;
  /** Acknowledged writes in slots whose owner could not be read back (after retries): not verified. */
  unread: number;
  checked: number;
}

/** Attempts per batch of slots before a master's slots count as unread. */
const READ_ATTEMPTS = 3;

/** The owner node of `slot` in `map` (`spb` slots per bucket). */
export function ownerOfSlot(map: PartitionMap, spb: number, slot: number): number {
  const bucket = Math.floor(slot / spb);
  let i = 0;
  while (map.boundaries[i + 1] <= bucket) i++;
  return map.nodes[i];
}

/**
 * Keys present per slot on one master. A batch that cannot be read (unreachable master, a timeout
 * under load, an error reply) is retried on a fresh connection; slots still unread are left out
 * of the map, so the caller can tell "not read" from "not there".
 */
async function keysOn(m: RedisNode, slots: readonly number[]): Promise<Map<number, Set<string>>> {
  const out = new Map<number, Set<string>>();
  for (let k = 0; k < slots.length; k += 256) {
    const part = slots.slice(k, k + 256);
    for (let attempt = 0; attempt < READ_ATTEMPTS && !part.every((s) => out.has(s)); attempt++) await readBatch(m, part.filter((s) => !out.has(s)), out);
  }
  return out;
}

/** One attempt at reading `slots` of one master into `out` (slots with an error reply stay out). */
async function readBatch(m: RedisNode, slots: readonly number[], out: Map<number, Set<string>>): Promise<void> {
  const c = new Redis({ host: m.host, port: m.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  c.on('error', () => {});
  try {
    await withTimeout(c.connect(), 10_000, 'connecting to read keys back');
    const res = (await withTimeout(c.pipeline(slots.map((s) => ['cluster', 'getkeysinslot', String(s), '100000000'])).exec(), 60_000, 'reading keys back')) ?? [];
    slots.forEach((s, j) => {
      if (res[j] && !res[j][0]) out.set(s, new Set(res[j][1] as string[]));
    });
  } catch {
    /* unreachable or too slow: these slots stay unread for now */
  } finally {
    c.disconnect();
  }
}

/** Counts acknowledged writes (`acked`: ids per slot, `keyOf` their keys) that are lost or misplaced. */
export async function checkWrites(masters: readonly RedisNode[], map: PartitionMap, spb: number, acked: ReadonlyMap<number, readonly number[]>, keyOf: (slot: number, id: number) => string): Promise<WriteCheck> {
  const slots = [...acked.keys()].sort((a, b) => a - b);
  const present = await Promise.all(masters.map((m) => keysOn(m, slots)));
  const r: WriteCheck = { lost: 0, misplaced: 0, unread: 0, checked: 0 };
  for (const s of slots) {
    const owner = ownerOfSlot(map, spb, s);
    const ownerRead = present[owner].has(s);
    for (const id of acked.get(s)!) {
      r.checked++;
      const key = keyOf(s, id);
      if (present[owner].get(s)?.has(key)) continue;
      if (present.some((p) => p.get(s)?.has(key))) r.misplaced++;
      else if (!ownerRead || present.some((p) => !p.has(s))) r.unread++;
      else r.lost++;
    }
  }
  return r;
}

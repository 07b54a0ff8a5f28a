/**
 * Ordered key space → Redis Cluster hash slots. Redis places a key by CRC16 of its `{hash tag}`
 * mod 16384, which scrambles key order; keycast needs contiguous key ranges on contiguous slot
 * ranges. So for every slot s we precompute a short tag t_s with CRC16(t_s) mod 16384 = s (the
 * first alphanumeric string, by length then code order, that lands on s: all are 1–3 characters)
 * and write a record at key-space position x as `{t_s}:<id>` with s = ⌊x·16384⌋. Buckets then map
 * to slot ranges (B must divide 16384), and a partition is a contiguous slot range.
 */
import calculateSlot from 'cluster-key-slot';

/** Redis Cluster's hash slots. */
export const SLOTS = 16384;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let cached: readonly string[] | null = null;

/** The tag of every slot (index = slot), computed once per process (tens of ms). */
export function slotTags(): readonly string[] {
  if (cached) return cached;
  const tags = new Array<string>(SLOTS);
  let found = 0;
  // Breadth-first over lengths 1, 2, 3, … in alphabet order: deterministic, shortest tags first.
  let level = [''];
  while (found < SLOTS) {
    const next: string[] = [];
    for (const prefix of level) {
      for (const c of ALPHABET) {
        const t = prefix + c;
        next.push(t);
        const s = calculateSlot(t);
        if (tags[s] === undefined) {
          tags[s] = t;
          found++;
        }
      }
    }
    level = next;
  }
  cached = tags;
  return tags;
}

/** Slot of key-space position x ∈ [0, 1). */
export function slotOfPosition(x: number): number {
  return Math.min(SLOTS - 1, Math.max(0, Math.floor(x * SLOTS)));
}

/** The key of record `id` in slot `slot`: `{t_slot}:id`. */
export function slotKey(slot: number, id: string | number): string {
  return `{${slotTags()[slot]}}:${id}`;
}

/** Slots per bucket; throws RangeError unless `buckets` divides 16384. */
export function slotsPerBucket(buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1 || SLOTS % buckets !== 0) {
    throw new RangeError(`buckets must divide ${SLOTS} (a power of two up to ${SLOTS}) to map onto Redis slots, got ${buckets}`);
  }
  return SLOTS / buckets;
}

/** Slot range `[start, end)` of bucket range `[start, end)`. */
export function bucketsToSlots(buckets: number, start: number, end: number): { start: number; end: number } {
  const k = slotsPerBucket(buckets);
  return { start: start * k, end: end * k };
}

/**
 * The end-of-run check's owner lookup: a slot belongs to the node of the partition holding its
 * bucket; a master that cannot be read leaves its writes unread, never lost or fine (the
 * read-back itself runs against Redis in live.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { checkWrites, ownerOfSlot } from '../../src/experiment/live-check.ts';
import { equalPartitionMap } from '../../src/model/partition-map.ts';

describe('ownerOfSlot', () => {
  it('maps a slot to the node of the partition holding its bucket', () => {
    const map = equalPartitionMap(256, 4, 3); // buckets [0,64) [64,128) [128,192) [192,256) on 0,1,2,0
    const spb = 64;
    expect(ownerOfSlot(map, spb, 0)).toBe(0);
    expect(ownerOfSlot(map, spb, 64 * 64 - 1)).toBe(0);
    expect(ownerOfSlot(map, spb, 64 * 64)).toBe(1);
    expect(ownerOfSlot(map, spb, 128 * 64)).toBe(2);
    expect(ownerOfSlot(map, spb, 16383)).toBe(0);
  });
});

describe('checkWrites', () => {
  it('counts writes on a master that cannot be read as unread, not as lost', async () => {
    const map = equalPartitionMap(256, 1, 1);
    const nobody = { host: '127.0.0.1', port: 1, id: 'x' } as never; // nothing listens on port 1
    const acked = new Map([[5, [1, 2, 3]], [700, [4]]]);
    const r = await checkWrites([nobody], map, 64, acked, (s, id) => `{${s}}:${id}`);
    expect(r).toEqual({ lost: 0, misplaced: 0, unread: 4, checked: 4 });
  }, 60_000);
});

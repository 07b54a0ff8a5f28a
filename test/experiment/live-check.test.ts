/**
 * The end-of-run check's owner lookup: a slot belongs to the node of the partition holding its
 * bucket (the read-back itself runs against Redis in live.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ownerOfSlot } from '../../src/experiment/live-check.ts';
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

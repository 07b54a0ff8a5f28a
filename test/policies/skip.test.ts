/** What a skipped decision compares (skip.ts): the planning base, the churn budget, state and loads. */
import { describe, expect, it } from 'vitest';
import { skipSnapshot, unmoved } from '../../src/policies/skip.ts';
import type { PartitionMap } from '../../src/model/partition-map.ts';

const map = (nodes: number[]): PartitionMap => ({ version: 1, buckets: 8, boundaries: [0, 2, 4, 6, 8], ids: ['p0', 'p1', 'p2', 'p3'], nodes, nextId: 4 }) as PartitionMap;
const load = (xs: number[]) => Float64Array.from(xs);
const CAP = 100;

describe('unmoved', () => {
  const base = map([0, 0, 1, 1]);
  const state = new Float64Array(8).fill(10);
  const pic = { windows: [load([10, 10, 10, 10, 10, 10, 10, 10])], windowMs: 60_000 };
  const at = (p: typeof pic, m = base, budget: number | null = null, st = state) => skipSnapshot(p, m, [0, 1], st, budget, 8);

  it('holds for the same inputs, and for loads within the tolerance of a node capacity', () => {
    expect(unmoved(at(pic), at(pic), 0.03, CAP)).toBe(true);
    expect(unmoved(at(pic), at({ ...pic, windows: [load([12, 10, 10, 10, 10, 10, 10, 10])] }), 0.03, CAP)).toBe(true);
  });

  it('fails on a load moved beyond it, on a bucket, a partition or a node', () => {
    expect(unmoved(at(pic), at({ ...pic, windows: [load([14, 10, 10, 10, 10, 10, 10, 10])] }), 0.03, CAP)).toBe(false);
    // two buckets of one partition each +2: the slices hold, the partition and the node move by 4
    expect(unmoved(at(pic), at({ ...pic, windows: [load([12, 12, 10, 10, 10, 10, 10, 10])] }), 0.03, CAP)).toBe(false);
  });

  it('fails on another layout, fewer churn bytes left, state moved, another picture shape', () => {
    expect(unmoved(at(pic), at(pic, map([0, 1, 1, 1])), 0.03, CAP)).toBe(false);
    expect(unmoved(at(pic, base, 500), at(pic, base, 400), 0.03, CAP)).toBe(false);
    expect(unmoved(at(pic, base, 500), at(pic, base, 600), 0.03, CAP)).toBe(true);
    expect(unmoved(at(pic), at(pic, base, null, new Float64Array(8).fill(11)), 0.03, CAP)).toBe(false);
    expect(unmoved(at(pic), at({ ...pic, windows: [pic.windows[0], pic.windows[0]] }), 0.03, CAP)).toBe(false);
  });

  it('fails when a node runs over capacity, or further over, even within the tolerance', () => {
    // node 0 carries 40; at 95 + 6 = 101 it is over 100
    const near = { ...pic, windows: [load([25, 25, 25, 20, 10, 10, 10, 10])] };
    const over = { ...pic, windows: [load([25, 25, 25, 26, 10, 10, 10, 10])] };
    expect(unmoved(at(near), at(over), 0.5, CAP)).toBe(false);
    // over before and as much over now: no new overload
    expect(unmoved(at(over), at(over), 0.5, CAP)).toBe(true);
  });
});

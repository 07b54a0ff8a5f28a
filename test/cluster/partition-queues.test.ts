import { describe, expect, it } from 'vitest';
import { PartitionQueues } from '../../src/cluster/partition-queues.ts';
import { equalPartitionMap } from '../../src/model/partition-map.ts';

describe('partition queues', () => {
  it('split hands the new partition its share and the pause; merge joins them back; records are conserved', () => {
    const q = new PartitionQueues(['a', 'b'], 0);
    q.get('a')!.queue.push(0, 100);
    q.pause(['a'], 0, 500, () => undefined);
    q.split('a', 'c', 0.25);
    expect(q.get('c')!.queue.size).toBeCloseTo(25, 9);
    expect(q.get('a')!.queue.size).toBeCloseTo(75, 9);
    expect(q.get('c')!.pausedUntil).toBe(500);
    expect(q.backlog()).toBeCloseTo(100, 9);
    q.pause(['b'], 0, 900, () => undefined);
    q.merge('a', 'b');
    expect(q.has('b')).toBe(false);
    expect(q.get('a')!.pausedUntil).toBe(900);
    expect(q.size).toBe(2);
    let total = 0;
    q.forEachCohort((_, n) => (total += n));
    expect(total).toBeCloseTo(100, 9);
  });

  it('counts only the part of a pause not already taken, and gives back what a failure cuts short', () => {
    const q = new PartitionQueues(['a'], 0);
    const log: [number, number][] = [];
    q.pause(['a'], 0, 1000, (s, e) => log.push([s, e]));
    q.pause(['a'], 500, 1500, (s, e) => log.push([s, e]));
    q.pause(['a'], 200, 800, (s, e) => log.push([s, e]));
    expect(log).toEqual([
      [0, 1000],
      [1000, 1500],
    ]);
    const back: [number, number][] = [];
    q.unpause(['a', 'gone'], 1200, (f, u) => back.push([f, u]));
    expect(back).toEqual([[1200, 1500]]);
    expect(q.get('a')!.pausedUntil).toBe(1200);
  });

  it('lists the queues in map order, rebuilt when the map changes', () => {
    const map = equalPartitionMap(8, 2, 2);
    const q = new PartitionQueues(map.ids, 0);
    const first = q.inMapOrder(map);
    expect(first.map((s) => s === q.get(map.ids[0]) || s === q.get(map.ids[1]))).toEqual([true, true]);
    expect(q.inMapOrder(map)).toBe(first);
  });
});

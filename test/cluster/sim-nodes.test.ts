import { describe, expect, it } from 'vitest';
import { drainTargets, SimNodes } from '../../src/cluster/sim-nodes.ts';

describe('simulated nodes', () => {
  it('are up when created, down through a crash, and keep the later end of two crashes', () => {
    const n = new SimNodes(3);
    expect(n.count).toBe(3);
    expect(n.activeAt(0)).toEqual([0, 1, 2]);
    expect(n.crash(1, 1000, 5000)).toBe(true);
    expect(n.crash(1, 2000, 1000)).toBe(true);
    expect(n.downUntil(1)).toBe(6000);
    expect(n.isUp(1, 5999)).toBe(false);
    expect(n.isUp(1, 6000)).toBe(true);
    expect(n.activeAt(3000)).toEqual([0, 2]);
    expect(n.crash(7, 0, 1)).toBe(false);
  });

  it('added nodes take the next index; a removed node no longer exists but keeps its index', () => {
    const n = new SimNodes(2);
    expect(n.add()).toBe(2);
    expect(n.remove(0)).toBe(true);
    expect(n.remove(0)).toBe(false);
    expect(n.remove(9)).toBe(false);
    expect(n.exists(0)).toBe(false);
    expect(n.exists(2)).toBe(true);
    expect(n.count).toBe(3);
    expect(n.activeAt(0)).toEqual([1, 2]);
  });

  it('drains to the target holding the fewest partitions, ties to the lowest index, counting only started moves', () => {
    const held = new Map([
      [1, 2],
      [2, 0],
      [3, 0],
    ]);
    const moves: string[] = [];
    drainTargets(['a', 'b', 'c', 'd'], held, (id, t) => {
      moves.push(`${id}→${t}`);
      return id !== 'b';
    });
    expect(moves).toEqual(['a→2', 'b→3', 'c→3', 'd→2']);
    expect([...held.entries()]).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
    ]);
  });
});

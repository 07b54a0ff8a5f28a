/** Striped layouts re-placed over a changed node set (policies/restripe.ts): even shares, least change, neighbours apart. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { restripe, stripes } from '../../src/policies/restripe.ts';

const counts = (nodes: readonly number[]) => nodes.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<number, number>());

describe('restripe', () => {
  it('moves only the stripes of a node that left, spread over the others without neighbours on one node', () => {
    const held = stripes(256, 128, [0, 1, 2, 3, 4, 5]);
    const next = restripe(held, [0, 1, 3, 4, 5]);
    expect(next.boundaries).toEqual(held.boundaries);
    expect(next.ids).toEqual(held.ids);
    const changed = next.nodes.map((n, i) => (n !== held.nodes[i] ? i : -1)).filter((i) => i >= 0);
    expect(changed).toEqual(held.nodes.map((n, i) => (n === 2 ? i : -1)).filter((i) => i >= 0));
    expect([...counts(next.nodes).values()].sort()).toEqual([25, 25, 26, 26, 26]);
    // Node 2's 21 stripes each sit between a stripe of node 1 and one of node 3; nodes 0, 4 and 5
    // can take 12 of them within their shares, so at least 9 land next to a stripe of their node,
    // and no more do.
    expect(next.nodes.filter((n, i) => n === next.nodes[i + 1]).length).toBe(9);
  });

  it("keeps a removed node's stripes where the cluster's drain put them when that keeps shares and neighbours apart", () => {
    const held = stripes(256, 128, [0, 1, 2, 3, 4, 5]);
    const nodes = [0, 1, 3, 4, 5];
    // The drain put node 2's stripes on 4, 5, 0, 4, 5, 0, … (each apart from its neighbours on 1 and 3).
    let r = 0;
    const drained = held.nodes.map((n) => (n === 2 ? [4, 5, 0][r++ % 3] : n));
    const without = restripe(held, nodes);
    const next = restripe(held, nodes, drained);
    // Shares allow nodes 0, 4 and 5 four more stripes each: 12 of the 21 stay where they are.
    const stay = (m: readonly number[]) => m.filter((n, i) => held.nodes[i] === 2 && n === drained[i]).length;
    expect(stay(next.nodes)).toBe(12);
    expect(stay(next.nodes)).toBeGreaterThan(stay(without.nodes));
    expect([...counts(next.nodes).values()].sort()).toEqual([25, 25, 26, 26, 26]);
    expect(next.nodes.filter((n, i) => n === next.nodes[i + 1]).length).toBe(9);
  });

  it('gives a joining node its share, taken evenly over the key space', () => {
    const held = stripes(256, 128, [0, 1, 2, 3, 4, 5]);
    const next = restripe(held, [0, 1, 2, 3, 4, 5, 6]);
    const taken = next.nodes.map((n, i) => (n === 6 ? i : -1)).filter((i) => i >= 0);
    expect(taken.length).toBe(18);
    expect(next.nodes.filter((n, i) => n !== held.nodes[i]).length).toBe(18);
    // No gap between the joining node's stripes longer than three times the even one.
    const gaps = taken.slice(1).map((x, j) => x - taken[j]);
    expect(Math.max(...gaps, taken[0], 127 - taken[taken.length - 1])).toBeLessThanOrEqual(3 * (128 / 18));
    expect(next.nodes.every((n, i) => n !== next.nodes[i + 1])).toBe(true);
  });

  it('for any held stripes and node set: even shares, stripes kept where their node is and under its share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.subarray(Array.from({ length: 12 }, (_, i) => i), { minLength: 1 }),
        fc.integer({ min: 1, max: 6 }),
        (n0, nodes, mult) => {
          const k = 2 * Math.max(n0, nodes.length) * mult;
          const held = stripes(4 * k, k, Array.from({ length: n0 }, (_, i) => i));
          const next = restripe(held, nodes);
          const c = counts(next.nodes);
          expect([...c.keys()].every((n) => nodes.includes(n))).toBe(true);
          for (const n of nodes) expect(Math.abs((c.get(n) ?? 0) - k / nodes.length)).toBeLessThan(1);
          // Least change: a stripe changes node only if its node left or gave up stripes above its share.
          const before = counts(held.nodes);
          const least = [...before].reduce((s, [n, m]) => s + (nodes.includes(n) ? Math.max(0, m - Math.ceil(k / nodes.length)) : m), 0);
          const moved = next.nodes.filter((n, i) => n !== held.nodes[i]).length;
          expect(moved).toBeGreaterThanOrEqual(least);
          expect(moved).toBeLessThanOrEqual(least + nodes.length);
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });
});

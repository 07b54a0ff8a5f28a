/**
 * Held stripes placed ahead of the load (policies/stripe-placement.ts): nothing moves while every
 * node has room; a coming hot range moves a cold stripe off the node it would overload, onto the
 * emptiest; a stripe whose state takes longer to copy than the picture spans stays; a move that
 * costs its nodes more while it runs than it saves is not made; the cut never changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_SPREAD, placeStripes, waiting, type PlacementInput } from '../../src/policies/stripe-placement.ts';
import { stripes } from '../../src/policies/restripe.ts';

const B = 64;
const K = 16;
const NODES = [0, 1, 2, 3];
const CAP = 100;
const WINDOW = 300_000;
const map = stripes(B, K, NODES); // stripe s (buckets 4s..4s+3) on node s mod 4

/** Six 5-minute windows of 1 record/s per bucket (16 per node), plus `hot` records/s on stripes `on` from window `from`. */
function picture(hot: number, on: readonly number[], from: number): Float64Array[] {
  return Array.from({ length: 6 }, (_, j) => {
    const w = new Float64Array(B).fill(1);
    if (j >= from) for (const s of on) for (let b = 4 * s; b < 4 * s + 4; b++) w[b] += hot / 4;
    return w;
  });
}

function input(windows: Float64Array[], over: Partial<PlacementInput> = {}): PlacementInput {
  return {
    map,
    picture: { windows, windowMs: WINDOW },
    noise: 0,
    state: () => new Float64Array(B).fill(1e6), // 4 MB a stripe: 4 s at 1 MB/s
    nodes: NODES,
    cluster: { nodeCapacity: CAP, moveBandwidth: 1e6, moveLoad: 0.2, pauses: { split: 0, merge: 0, move: 0 }, maxConcurrentOps: 4 },
    threshold: 0.05,
    ...over,
  };
}

describe('waiting', () => {
  it('is the load times the chance it exceeds capacity, the load spread by its noise', () => {
    expect(waiting(0, 0.1, CAP)).toBe(0);
    expect(waiting(100, 0.1, CAP)).toBeCloseTo(50, 6);
    // One spread under capacity: over it one time in 6.3 (1 − Φ(1)).
    const m = CAP / 1.1;
    expect(waiting(m, 0.1, CAP)).toBeCloseTo(m * 0.15865525393145707, 6);
    // Without noise the spread is MIN_SPREAD of the load: 90% of capacity is 5.6 spreads under it.
    expect(waiting(90, 0, CAP)).toBeLessThan(1e-5);
    expect(waiting(90, 0, CAP)).toBe(waiting(90, MIN_SPREAD, CAP));
    expect(waiting(97, 0.05, CAP)).toBeLessThan(waiting(99, 0.05, CAP));
  });

  it('grows with the load and as capacity shrinks (what lets the placement skip a stripe by its source node alone)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 300, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (m, more, rel, lost) => {
        expect(waiting(m + more, rel, CAP)).toBeGreaterThanOrEqual(waiting(m, rel, CAP));
        expect(waiting(m, rel, CAP * (1 - lost))).toBeGreaterThanOrEqual(waiting(m, rel, CAP));
      }),
      { seed: 37 },
    );
  });
});

describe('placeStripes', () => {
  it('moves nothing while every node has room', () => {
    expect(placeStripes(input(picture(30, [0, 4], 2)))).toBeNull();
  });

  it('reads the expected load and its tick noise: a node coming to 90% of capacity keeps its stripes unless its ticks often exceed it', () => {
    // Stripes 0 and 4 (node 0) warm up from the third window: node 0 at 16 + 74 = 90, the others at 16.
    const w = picture(37, [0, 4], 2);
    expect(placeStripes(input(w))).toBeNull();
    // Ticks 25% over the window's mean one time in ten: node 0 is over capacity a third of the time.
    expect(placeStripes(input(w, { noise: 0.25 }))!.moves).toBe(1);
    // At 16 + 90 = 106 of 100 one of them moves however quiet the ticks.
    expect(placeStripes(input(picture(45, [0, 4], 2)))!.moves).toBe(1);
  });

  it('moves a cold stripe off the node a coming hot range would overload, onto the emptiest, keeping the cut', () => {
    // Stripes 0 and 4 (both on node 0) turn hot from the third window: node 0 at 16 + 100.
    // Stripe 1 (node 1) is a little warm, so node 1 is not the emptiest.
    const w = picture(50, [0, 4], 2);
    for (const x of w) for (let b = 4; b < 8; b++) x[b] += 5;
    const p = placeStripes(input(w))!;
    expect(p).not.toBeNull();
    expect(p.map.boundaries).toEqual(map.boundaries);
    expect(p.map.ids).toEqual(map.ids);
    const moved = p.map.nodes.flatMap((n, s) => (n !== map.nodes[s] ? [s] : []));
    expect(moved.length).toBe(1);
    expect([0, 4]).toContain(moved[0]);
    expect([2, 3]).toContain(p.map.nodes[moved[0]]);
    expect(p.after).toBeLessThan(0.5 * p.before);
  });

  it('leaves a stripe whose copy outlasts the picture', () => {
    // 2 GB a stripe at 1 MB/s: 2,000 s, longer than the 30-minute horizon.
    expect(placeStripes(input(picture(50, [0, 4], 2), { state: () => new Float64Array(B).fill(5e8) }))).toBeNull();
  });

  it('does not move when the nodes lose more capacity while it runs than the move saves', () => {
    // Node 0 at 80 of 100, the others at 60, node 0 over from the last window: a 15-minute move
    // at half the nodes' capacity would overload two nodes for longer than node 0's overload lasts.
    const w = Array.from({ length: 6 }, (_, j) => {
      const x = new Float64Array(B).map((_, b) => (map.nodes[b >> 2] === 0 ? 5 : 3.75));
      if (j === 5) for (let b = 0; b < 4; b++) x[b] += 24;
      return x;
    });
    const slow = { state: () => new Float64Array(B).fill(2.25e8), cluster: { nodeCapacity: CAP, moveBandwidth: 1e6, moveLoad: 0.5, pauses: { split: 0, merge: 0, move: 0 }, maxConcurrentOps: 4 } };
    expect(placeStripes(input(w, { ...slow, cluster: { ...slow.cluster, moveLoad: 0 } }))).not.toBeNull();
    expect(placeStripes(input(w, slow))).toBeNull();
  });

  it('puts each node in at most one move, within the concurrency', () => {
    // Nodes 0 and 2 would be over, node 3 nearly full, node 1 empty: both would move a stripe to
    // node 1, but a node takes part in one move a decision (moves run side by side at full bandwidth).
    // Nodes 0 and 2 at 110, node 3 at 80, node 1 at 16 from the second window; a hot stripe is 27.5.
    const w = picture(23.5, [0, 2, 4, 6, 8, 10, 12, 14], 1);
    for (const x of w) for (let b = 0; b < B; b++) if (map.nodes[b >> 2] === 3) x[b] += 4;
    const p = placeStripes(input(w))!;
    const moved = p.map.nodes.flatMap((n, s) => (n !== map.nodes[s] ? [s] : []));
    expect(moved.length).toBeGreaterThan(0);
    const touched = moved.flatMap((s) => [map.nodes[s], p.map.nodes[s]]);
    expect(new Set(touched).size).toBe(touched.length);
    expect(p.map.nodes[moved[0]]).toBe(1);
    expect(placeStripes(input(w, { cluster: { ...input(w).cluster, maxConcurrentOps: 1 } }))!.moves).toBe(1);
  });
});

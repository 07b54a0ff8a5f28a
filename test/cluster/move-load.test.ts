/** `moveLoad`: a node moving state serves less, so a move competes with serving. */
import { describe, expect, it } from 'vitest';
import { config, harness } from '../fixtures/cluster.ts';

/** Node 0 (partitions p0, p2 of 16 buckets) loaded at 80% while p0 moves to node 1. */
function run(moveLoad: number) {
  const h = harness(config({ nodes: 2, partitions: 4, nodeCapacity: 1000, moveBandwidth: 20_000, moveLoad }), 16);
  const fill = (c: Float64Array) => {
    for (let b = 0; b < 4; b++) c[b] = 100; // p0
    for (let b = 8; b < 12; b++) c[b] = 100; // p2
  };
  h.run(60, fill); // state to move: 60 s × 400 records × 100 bytes
  expect(h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
  h.run(30, fill);
  return h.cluster.metrics;
}

describe('moveLoad', () => {
  it('is free by default; with it, the source node falls behind while the move runs', () => {
    const free = run(0);
    const costly = run(0.5);
    expect(free.sloViolations).toBe(0);
    expect(costly.sloViolations).toBeGreaterThan(0);
    expect(costly.movedBytes).toBeCloseTo(free.movedBytes, 6); // the same move either way
  });
});

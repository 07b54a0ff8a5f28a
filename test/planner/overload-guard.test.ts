/** The `no-new-overload` guard: no plan trades balance for more predicted load over capacity. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makePartitionMap } from '../../src/model/index.ts';
import { planRepartition, seededRng, type PlanInput } from '../../src/planner/index.ts';

/**
 * A picture near capacity: `nodes` nodes, a current map of random cuts on random nodes, windows
 * with a random hot spot and a tail 10–40% above them, the node capacity 0.95–1.15 × the mean
 * node load, so some layouts overload a node in some windows and others do not.
 */
const nearCapacity = fc
  .record({
    B: fc.integer({ min: 16, max: 48 }),
    nodes: fc.integer({ min: 2, max: 4 }),
    k: fc.integer({ min: 2, max: 8 }),
    windows: fc.integer({ min: 1, max: 3 }),
    headroom: fc.double({ min: 0.95, max: 1.15, noNaN: true }),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map(({ B, nodes, k, windows, headroom, seed }): PlanInput => {
    const r = seededRng(seed);
    const cuts = new Set<number>();
    while (cuts.size < Math.min(k, B) - 1) cuts.add(1 + Math.floor(r.next() * (B - 1)));
    const boundaries = [0, ...[...cuts].sort((a, b) => a - b), B];
    const map = makePartitionMap(B, boundaries, boundaries.slice(1).map(() => Math.floor(r.next() * nodes)));
    const ws: Float64Array[] = [];
    const up: Float64Array[] = [];
    let total = 0;
    for (let w = 0; w < windows; w++) {
      const c = r.next() * B;
      const l = Float64Array.from({ length: B }, (_, j) => 5 + 5 * r.next() + 60 * Math.exp(-(((j - c) / 3) ** 2)));
      ws.push(l);
      up.push(l.map((x) => x * (1.1 + 0.3 * r.next())));
      total = Math.max(total, l.reduce((a, x) => a + x, 0));
    }
    return {
      map,
      windows: ws,
      upper: up,
      cluster: { nodes, nodeCapacity: (headroom * total) / nodes, maxPartitions: 2 * B },
      goals: { imbalance: 1, movement: 0.05, latency: 0 },
      threshold: 0,
    };
  });

describe('the no-new-overload guard', () => {
  it('property: a proposed plan never predicts more overload than the current layout', () => {
    fc.assert(
      fc.property(nearCapacity, (input) => {
        const r = planRepartition(input, { rng: seededRng(1), iterations: 1500 });
        if (!r.proposed) return;
        expect(r.terms.predicted.overload).toBeLessThanOrEqual(r.terms.current.overload + 1e-9);
        expect(r.terms.predicted['no-new-overload']).toBe(0);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('reports the guard among the terms, zero for the current layout', () => {
    const r = planRepartition(fc.sample(nearCapacity, { numRuns: 1, seed: 3 })[0], { rng: seededRng(1), iterations: 500 });
    expect(r.terms.current['no-new-overload']).toBe(0);
  });
});

describe('the guard and hard limits', () => {
  it('leaves a plan that moves partitions off a removed node free to add overload', () => {
    // Four nodes near capacity; node 3 is gone, so its partitions must go where they overload someone.
    const B = 32;
    const load = new Float64Array(B).fill(10);
    const boundaries = [0, 8, 16, 24, 32];
    const input: PlanInput = {
      map: makePartitionMap(B, boundaries, [0, 1, 2, 7]),
      windows: [load],
      cluster: { nodes: 3, nodeCapacity: 90, maxPartitions: 64 },
      goals: { imbalance: 1, movement: 0.2, latency: 0.1 },
      threshold: 0.99,
    };
    const r = planRepartition(input, { rng: seededRng(1), iterations: 2000 });
    expect(r.proposed).toBe(true);
    expect(r.plan.after.nodes.every((n) => n < 3)).toBe(true);
    expect(r.terms.predicted.overload).toBeGreaterThan(r.terms.current.overload);
  });
});

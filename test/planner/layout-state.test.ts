/** Incremental evaluation equals a fresh evaluation after any sequence of moves and undos. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makePartitionMap } from '../../src/model/index.ts';
import { buildContext, LayoutState, makeCostModel, randomMove, seededRng, termValues, type PlanInput } from '../../src/planner/index.ts';
import { fixtures } from './fixtures.ts';

function expectSame(a: LayoutState, b: LayoutState, model: ReturnType<typeof makeCostModel>): void {
  const ta = termValues(model, a);
  const tb = termValues(model, b);
  for (const k of Object.keys(tb)) expect(ta[k]).toBeCloseTo(tb[k], 6);
  expect(a.movedBytes).toBeCloseTo(b.movedBytes, -3);
  for (let w = 0; w < a.ctx.windowCount; w++) {
    expect(a.maxPartitionLoad(w)).toBeCloseTo(b.maxPartitionLoad(w), 6);
    expect(a.partitionExcess(w)).toBeCloseTo(b.partitionExcess(w), 6);
    expect(a.sumSquares(w) / b.sumSquares(w)).toBeCloseTo(1, 9);
  }
}

describe('LayoutState', () => {
  const inputs: [string, PlanInput][] = [
    ['skewed', fixtures.skewedFourNodes()],
    ['moving band with tail and caps', fixtures.movingBand()],
  ];
  for (const [name, base] of inputs) {
    it(`tracks every aggregate incrementally (${name})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 200 }), (seed, steps) => {
          // A current map with a removed node (5) so invalid-node bookkeeping is exercised too.
          const map = makePartitionMap(base.map.buckets, base.map.boundaries, base.map.nodes.map((n, i) => (i === 2 ? 5 : n)));
          const input = { ...base, map };
          const ctx = buildContext(input);
          const model = makeCostModel(input.goals);
          const s = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes });
          const rng = seededRng(seed);
          for (let t = 0; t < steps; t++) {
            const undo = randomMove(s, rng);
            if (undo && rng.next() < 0.3) undo();
          }
          expectSame(s, new LayoutState(ctx, s.layout()), model);
        }),
        { numRuns: 40, seed: 7 },
      );
    });
  }

  it('counts no movement and no penalty for the current map', () => {
    const input = fixtures.skewedFourNodes();
    const ctx = buildContext(input);
    const s = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes });
    expect(s.movedBytes).toBe(0);
    expect(s.boundaryPenalty).toBeCloseTo(0, 12);
  });
});

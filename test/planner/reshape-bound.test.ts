/**
 * The reshape bound: the estimate of a split or merge read off a live state equals a freshly built
 * state of the candidate up to rounding, the bound never exceeds the candidate's cost, and
 * annealing with the bound returns exactly what it returns without it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  annealing,
  buildContext,
  LayoutState,
  lagModel,
  makeCostModel,
  randomMove,
  ReshapeBound,
  ReshapeView,
  seedLayouts,
  seededRng,
  totalCost,
  type CostModel,
  type PlanInput,
} from '../../src/planner/index.ts';
import { reshapeCandidate } from '../../src/planner/optimizers/annealing.ts';
import { churnBudgetTerm } from '../../src/planner/terms/churn-budget.ts';
import { fixtures } from './fixtures.ts';

const close = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * (Math.abs(b) + scale));

/** Inputs that exercise tails, partition caps, the price of time, and a removed node. */
function cases(): [string, PlanInput, (input: PlanInput) => CostModel][] {
  const band = fixtures.movingBand();
  const timed: PlanInput = { ...band, windowMs: 60_000 };
  const skewed = fixtures.skewedFourNodes();
  const removed: PlanInput = { ...skewed, map: { ...skewed.map, nodes: skewed.map.nodes.map((n, i) => (i === 3 ? 6 : n)) } };
  const plain = (input: PlanInput) => makeCostModel(input.goals);
  const lagged = (input: PlanInput) => {
    const ctx = buildContext(input);
    return lagModel(makeCostModel(input.goals), ctx, new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes }));
  };
  const churn = (input: PlanInput) => makeCostModel(input.goals, { extraTerms: [churnBudgetTerm(1e3)] });
  return [
    ['skewed', skewed, plain],
    ['moving band with tail and caps', band, plain],
    ['priced while it runs', timed, lagged],
    ['a transfer\'s load priced (left out of the bound)', { ...timed, cluster: { ...timed.cluster, moveLoad: 0.5, nodeCapacity: 1500 } }, lagged],
    ['a removed node', removed, plain],
    ['a churn budget (left out of the bound)', band, churn],
  ];
}

describe('ReshapeBound', () => {
  for (const [name, input, modelOf] of cases()) {
    it(`estimates a candidate as a fresh state does and bounds its cost (${name})`, () => {
      const ctx = buildContext(input);
      const model = modelOf(input);
      const bound = ReshapeBound.for(ctx, model)!;
      const view = new ReshapeView(ctx);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 300 }), (seed, steps) => {
          const rng = seededRng(seed);
          const s = new LayoutState(ctx, seedLayouts(ctx)[rng.next() < 0.5 ? 0 : 2]);
          for (let t = 0; t < steps; t++) {
            const undo = randomMove(s, rng);
            if (undo && rng.next() < 0.3) undo();
          }
          for (let c = 0; c < 5; c++) {
            const cand = reshapeCandidate(s, rng);
            if (!cand) continue;
            const fresh = new LayoutState(ctx, cand.layout);
            view.estimate(s, cand);
            expect(view.k).toBe(fresh.k);
            expect(view.invalidNodes).toBe(fresh.invalidNodes);
            close(view.movedBytes, fresh.movedBytes, ctx.totalState);
            close(view.movedLoad, fresh.movedLoad, ctx.meanTotal);
            close(view.boundaryPenalty, fresh.boundaryPenalty, 1);
            for (let w = 0; w < ctx.windowCount; w++) {
              const scale = ctx.upperTotals ? ctx.upperTotals[w] : ctx.totals[w];
              close(view.maxPartitionLoad(w), fresh.maxPartitionLoad(w), scale);
              close(view.maxPartitionUpper(w), fresh.maxPartitionUpper(w), scale);
              close(view.maxNodeLoad(w), fresh.maxNodeLoad(w), scale);
              close(view.maxNodeUpper(w), fresh.maxNodeUpper(w), scale);
              close(view.partitionExcess(w), fresh.partitionExcess(w), scale);
              for (let n = 0; n < ctx.nodeSlots; n++) {
                close(view.nodeLoads(w)[n], fresh.nodeLoads(w)[n], scale);
                close(view.nodeUppers(w)[n], fresh.nodeUppers(w)[n], scale);
              }
            }
            const cost = totalCost(model, fresh);
            const lb = bound.lowerBound(s, cand);
            expect(lb).toBeLessThanOrEqual(cost);
            // Tight apart from the left-out terms: within the margin and their share.
            if (name.includes('left out')) expect(lb).toBeLessThanOrEqual(cost);
            else expect(cost - lb).toBeLessThanOrEqual(1e-5 * (Math.abs(cost) + 20));
          }
        }),
        { numRuns: 40, seed: 17 },
      );
    });
  }

  it('is not made for a model with a negative weight', () => {
    const input = fixtures.skewedFourNodes();
    const ctx = buildContext(input);
    expect(ReshapeBound.for(ctx, makeCostModel(input.goals, { termWeights: { movement: -1 } }))).toBeNull();
  });

  it('leaves annealing exactly as it is without the bound', () => {
    for (const [, input, modelOf] of cases()) {
      const ctx = buildContext(input);
      const problem = { ctx, model: modelOf(input), seeds: seedLayouts(ctx) };
      for (const seed of [1, 2, 3, 4]) {
        const a = annealing().optimize(problem, { iterations: 3000 }, seededRng(seed));
        const b = annealing({ reshapeBound: false }).optimize(problem, { iterations: 3000 }, seededRng(seed));
        expect([...a.layout.boundaries]).toEqual([...b.layout.boundaries]);
        expect([...a.layout.nodes]).toEqual([...b.layout.nodes]);
        expect(a.cost).toBe(b.cost);
        expect(a.iterations).toBe(b.iterations);
      }
    }
  });
});

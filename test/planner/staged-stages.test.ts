/** The staged optimizer's stages on their own: the least common slack, the boundary descent, the refinement's patience. */
import { describe, expect, it } from 'vitest';
import { buildContext, exactBottleneck, feasibleIntervals, LayoutState, layoutOfMap, makeCostModel, seedLayouts, seededRng, staged, totalCost } from '../../src/planner/index.ts';
import { anneal } from '../../src/planner/optimizers/annealing.ts';
import { improveBoundaries, leastSlack } from '../../src/planner/optimizers/staged.ts';
import { fixtures } from './fixtures.ts';

describe('leastSlack', () => {
  const input = fixtures.movingBand();
  const ctx = buildContext(input);
  const k = 16;
  const opt = Float64Array.from(ctx.prefix, (p) => exactBottleneck(p, k));
  const capsAt = (s: number) => Float64Array.from(opt, (o) => o * (1 + s) * (1 + 1e-12));

  it('is a slack at which a cut fits every window, and within 1/64 of the top of one at which none does', () => {
    const top = 2;
    const s = leastSlack(ctx.prefix, opt, k, top, new Float64Array(ctx.windowCount));
    expect(s).toBeGreaterThan(0); // the windows' own optima are not met by one cut at once here
    expect(feasibleIntervals(ctx.prefix, capsAt(s), k)).not.toBeNull();
    expect(feasibleIntervals(ctx.prefix, capsAt(Math.max(0, s - top / 64 - 1e-9)), k)).toBeNull();
  });

  it('is 0 with one window (its own optimum fits)', () => {
    expect(leastSlack([ctx.prefix[0]], opt.subarray(0, 1), k, 2, new Float64Array(1))).toBe(0);
  });
});

describe('improveBoundaries', () => {
  it('never raises the cost, keeps the layout valid and spends at most its evaluations', () => {
    const input = fixtures.skewedFourNodes();
    const ctx = buildContext(input);
    const model = makeCostModel(input.goals);
    const s = new LayoutState(ctx, layoutOfMap(input.map));
    const c0 = totalCost(model, s);
    const r = improveBoundaries(s, model, c0, 200);
    expect(r.used).toBeLessThanOrEqual(200);
    expect(r.cost).toBeLessThan(c0); // equal ranges on a skewed load: shifting pays
    expect(totalCost(model, new LayoutState(ctx, s.layout()))).toBeCloseTo(r.cost, 9);
    for (let i = 0; i < s.k; i++) expect(s.boundaries[i + 1]).toBeGreaterThan(s.boundaries[i]);
  });
});

describe('anneal with patience', () => {
  it('stops once that many iterations in a row found nothing better, and not before', () => {
    const input = fixtures.skewedFourNodes();
    const ctx = buildContext(input);
    const model = makeCostModel(input.goals);
    const problem = { ctx, model, seeds: seedLayouts(ctx) };
    const start = () => new LayoutState(ctx, problem.seeds[1]);
    const s0 = start();
    const full = anneal(problem, s0, totalCost(model, s0), 5000, 1e-9, 1, 0, seededRng(3), () => false);
    const s1 = start();
    const patient = anneal(problem, s1, totalCost(model, s1), 5000, 1e-9, 1, 0, seededRng(3), () => false, 50);
    expect(full.used).toBe(5000);
    expect(patient.used).toBeLessThan(5000);
    expect(patient.used).toBeGreaterThan(50);
    expect(patient.bestCost).toBeGreaterThanOrEqual(full.bestCost - 1e-12);
  });
});

describe('staged settings', () => {
  it('with every stage switched on, stays deterministic and no worse than its best seed', () => {
    const input = fixtures.movingBand();
    const ctx = buildContext(input);
    const model = makeCostModel(input.goals);
    const problem = { ctx, model, seeds: seedLayouts(ctx) };
    const o = staged({ slackFloor: true, boundaryPasses: 3, refineShare: 0.3, refinePatience: 100, maxCounts: 3 });
    const a = o.optimize(problem, { iterations: 3000 }, seededRng(1));
    const b = o.optimize(problem, { iterations: 3000 }, seededRng(1));
    expect(Array.from(a.layout.boundaries)).toEqual(Array.from(b.layout.boundaries));
    const seedBest = Math.min(...problem.seeds.map((l) => totalCost(model, new LayoutState(ctx, l))));
    expect(a.cost).toBeLessThanOrEqual(seedBest + 1e-9);
    expect(a.iterations).toBeLessThanOrEqual(3000);
  });
});

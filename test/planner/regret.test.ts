import { describe, expect, it } from 'vitest';
import { buildContext, costLowerBound, makeCostModel, planCost, planRepartition, seededRng } from '../../src/planner/index.ts';
import { decisionRegret, RegretTally } from '../../src/planner/regret.ts';
import { fixtures, optimalMap } from './fixtures.ts';

describe('decision regret against the true windows', () => {
  const truth = fixtures.pureBalance(256, 8, 4, 3);
  const options = { optimizer: 'annealing' as const, iterations: 3000, nowMs: 0 };

  it('charges a layout chosen from a wrong picture its excess cost under the truth', () => {
    const chosen = truth.map; // equal ranges: what a flat forecast would keep
    const r = decisionRegret(truth, chosen, { ...options, rng: seededRng(1) });
    const cChosen = planCost(chosen, truth).cost;
    const lb = costLowerBound(buildContext(truth), makeCostModel(truth.goals));
    expect(r.forecastCost).toBeGreaterThan(0);
    // the two parts add up to the chosen layout's gap to the lower bound
    expect(r.forecastCost + r.optimizerCost).toBeCloseTo(cChosen - lb, 9);
    expect(r.optimizerCost).toBeLessThan(r.forecastCost);
  });

  it('charges no forecast error for the layout the PRE plans from the truth, only the optimizer gap', () => {
    const fromTruth = planRepartition(truth, { ...options, rng: seededRng(1), earlyExit: false }).plan.after;
    const r = decisionRegret(truth, fromTruth, { ...options, rng: seededRng(1) });
    expect(r.forecastCost).toBe(0);
    const bad = decisionRegret(truth, truth.map, { ...options, rng: seededRng(1) });
    expect(r.optimizerCost).toBe(bad.optimizerCost); // the same plan from the truth, seeded alike
    // the exact min-max cut (near the optimum of this balance-only goal) costs next to none
    expect(decisionRegret(truth, optimalMap(truth.windows[0], 8, 4), { ...options, rng: seededRng(1) }).forecastCost).toBeLessThan(bad.forecastCost / 100);
  });

  it('is deterministic for a seed', () => {
    const a = decisionRegret(truth, truth.map, { ...options, rng: seededRng(9) });
    const b = decisionRegret(truth, truth.map, { ...options, rng: seededRng(9) });
    expect(a).toEqual(b);
  });
});

describe('regret tally', () => {
  it('reports means per decision, rounded to 6 decimals, with the given execution lag', () => {
    const t = new RegretTally();
    t.add({ forecastCost: 1, optimizerCost: 0.5 });
    t.add({ forecastCost: 0, optimizerCost: 1 / 3 });
    expect(t.report(1234)).toEqual({ forecastCost: 0.5, optimizerCost: 0.416667, executionLagMs: 1234, decisions: 2 });
  });

  it('reports zeros, not NaN, before any decision', () => {
    expect(new RegretTally().report(0)).toEqual({ forecastCost: 0, optimizerCost: 0, executionLagMs: 0, decisions: 0 });
  });
});

/** Warm starts (`PlanOptions.warm`): a search resumes from the last one's result on a smaller budget, only while that result leads every fresh start. */
import { describe, expect, it } from 'vitest';
import { makePartitionMap } from '../../src/model/index.ts';
import { planCosts, planRepartition, seededRng } from '../../src/planner/index.ts';
import { fixtures } from './fixtures.ts';

describe('warm starts', () => {
  const input = { ...fixtures.movingBand(), threshold: 0 };
  const cold = planRepartition(input, { rng: seededRng(1), iterations: 4000 });

  it("resumes from the last result: the smaller budget, never worse than that result", () => {
    const r = planRepartition(input, { rng: seededRng(2), iterations: 4000, warm: { map: cold.plan.after, iterations: 500 } });
    expect(r.stats.warm).toBe(true);
    expect(r.stats.iterations).toBeLessThanOrEqual(500);
    const [warmCost, target] = planCosts([cold.plan.after, r.plan.after], input);
    expect(target).toBeLessThanOrEqual(warmCost * (1 + 1e-9));
    expect(cold.stats.warm).toBeUndefined();
    expect(cold.stats.iterations).toBeGreaterThan(500);
  });

  it('a result that no longer leads (a fresh start is cheaper) gets the whole budget', () => {
    // every partition on node 0: far worse than the current map, a fresh start
    const m = input.map;
    const stale = makePartitionMap(m.buckets, m.boundaries, m.nodes.map(() => 0));
    const r = planRepartition(input, { rng: seededRng(2), iterations: 4000, warm: { map: stale, iterations: 500 } });
    expect(r.stats.warm).toBeUndefined();
    expect(r.stats.iterations).toBeGreaterThan(500);
  });

  it('a result that does not fit this context is ignored: a node gone, another key space', () => {
    const m = cold.plan.after;
    const gone = makePartitionMap(m.buckets, m.boundaries, m.nodes.map((n, i) => (i === 0 ? input.cluster.nodes + 2 : n)));
    const other = makePartitionMap(m.buckets * 2, m.boundaries.map((b) => b * 2), m.nodes);
    for (const map of [gone, other]) {
      const r = planRepartition(input, { rng: seededRng(2), iterations: 4000, warm: { map, iterations: 500 } });
      expect(r.stats.warm).toBeUndefined();
      expect(r.stats.iterations).toBeGreaterThan(500);
    }
  });
});

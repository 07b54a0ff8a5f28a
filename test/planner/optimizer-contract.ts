/**
 * The shared optimizer contract (hono-style): every optimizer runs `runOptimizerContract` and gets
 * the whole suite — feasibility, never worse than the current map, determinism, hard limits,
 * budgets and early stops, pure-balance quality against the exact optimum, movement trade-off.
 */
import { describe, expect, it } from 'vitest';
import { makePartitionMap, prefixSums } from '../../src/model/index.ts';
import {
  buildContext,
  exactBottleneck,
  isFeasible,
  LayoutState,
  layoutProblems,
  makeCostModel,
  seedLayouts,
  seededRng,
  totalCost,
  type Optimizer,
  type PlanInput,
  type SearchProblem,
} from '../../src/planner/index.ts';
import { fixtures } from './fixtures.ts';

export interface ContractOptions {
  readonly make: () => Optimizer;
  /** Largest allowed ratio of max partition load to the exact optimum in pure balance. Default 1.01. */
  readonly quality?: number;
  /** Budget used by the suite. Default 3000. */
  readonly iterations?: number;
}

function problemOf(input: PlanInput): SearchProblem {
  const ctx = buildContext(input);
  return { ctx, model: makeCostModel(input.goals), seeds: seedLayouts(ctx) };
}

export function runOptimizerContract({ make, quality = 1.01, iterations = 3000 }: ContractOptions): void {
  const name = make().name;
  describe(`optimizer contract: ${name}`, () => {
    it('returns a sound, feasible layout no worse than the current map', () => {
      for (const input of [fixtures.skewedFourNodes(), fixtures.movingBand()]) {
        const p = problemOf(input);
        const r = make().optimize(p, { iterations }, seededRng(3));
        expect(layoutProblems(r.layout, p.ctx.buckets, p.ctx.nodeCount)).toEqual([]);
        const s = new LayoutState(p.ctx, r.layout);
        expect(isFeasible(p.model, s)).toBe(true);
        expect(r.cost).toBeCloseTo(totalCost(p.model, s), 9);
        const current = totalCost(p.model, new LayoutState(p.ctx, p.seeds[0]));
        expect(r.cost).toBeLessThanOrEqual(current + 1e-9);
        expect(r.iterations).toBeLessThanOrEqual(iterations + p.seeds.length);
      }
    });

    it('is deterministic for the same random sequence', () => {
      const p = problemOf(fixtures.skewedFourNodes());
      const a = make().optimize(p, { iterations }, seededRng(11));
      const b = make().optimize(p, { iterations }, seededRng(11));
      expect([...a.layout.boundaries]).toEqual([...b.layout.boundaries]);
      expect([...a.layout.nodes]).toEqual([...b.layout.nodes]);
      expect(a.cost).toBe(b.cost);
    });

    it(`pure balance: within ${((quality - 1) * 100).toFixed(0)}% of the exact optimum at a fixed count`, () => {
      for (const k of [16, 64]) {
        const input = fixtures.pureBalance(1024, k, 8, k);
        const p = problemOf(input);
        const r = make().optimize(p, { iterations }, seededRng(5));
        expect(r.layout.boundaries.length - 1).toBe(k);
        const s = new LayoutState(p.ctx, r.layout);
        const opt = exactBottleneck(prefixSums(input.windows[0]), k);
        expect(s.maxPartitionLoad(0) / opt).toBeLessThanOrEqual(quality);
      }
    });

    it('keeps hard limits: exact count, maxPartitions, only existing nodes', () => {
      const base = fixtures.skewedFourNodes();
      // The current map uses node 5 of a 4-node cluster and has 16 partitions; ask for 12.
      const nodes = base.map.nodes.map((n, i) => (i === 3 ? 5 : n));
      const input: PlanInput = {
        ...base,
        map: makePartitionMap(base.map.buckets, base.map.boundaries, nodes),
        goals: { ...base.goals, partitionCount: 12 },
      };
      const p = problemOf(input);
      const r = make().optimize(p, { iterations }, seededRng(2));
      expect(r.layout.boundaries.length - 1).toBe(12);
      expect(layoutProblems(r.layout, p.ctx.buckets, 4)).toEqual([]);
      const capped = problemOf({ ...base, cluster: { ...base.cluster, maxPartitions: 10 } });
      const r2 = make().optimize(capped, { iterations }, seededRng(2));
      expect(r2.layout.boundaries.length - 1).toBeLessThanOrEqual(10);
    });

    it('a higher movement weight moves fewer bytes', () => {
      const moved = [0, 5].map((m) => {
        const p = problemOf(fixtures.skewedFourNodes(m));
        const r = make().optimize(p, { iterations }, seededRng(9));
        return new LayoutState(p.ctx, r.layout).movedBytes;
      });
      expect(moved[1]).toBeLessThanOrEqual(moved[0]);
    });

    it('stops early when asked and still returns a feasible layout', () => {
      const p = problemOf(fixtures.skewedFourNodes());
      const r = make().optimize(p, { iterations: 1_000_000, shouldStop: () => true }, seededRng(1));
      expect(r.iterations).toBeLessThan(1000);
      expect(isFeasible(p.model, new LayoutState(p.ctx, r.layout))).toBe(true);
    });
  });
}

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
          const s = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes }, undefined, true);
          const rng = seededRng(seed);
          for (let t = 0; t < steps; t++) {
            const undo = randomMove(s, rng);
            if (undo && rng.next() < 0.3) undo();
          }
          expectSame(s, new LayoutState(ctx, s.layout(), undefined, true), model);
        }),
        { numRuns: 40, seed: 7 },
      );
    });
  }

  it('tracks the bytes each node sends or receives when transfers load their nodes, and only then', () => {
    const band = fixtures.movingBand(128, 8);
    const stateBytes = Float64Array.from({ length: 128 }, (_, j) => 1e6 * (1 + (j % 7)));
    const timed: PlanInput = { ...band, stateBytes, windowMs: 60_000, cluster: { ...band.cluster, moveLoad: 0.2 } };
    expect(new LayoutState(buildContext({ ...timed, windowMs: undefined }), { boundaries: Int32Array.from([0, 128]), nodes: Int32Array.from([0]) }).through).toBeUndefined();
    expect(new LayoutState(buildContext({ ...timed, cluster: band.cluster }), { boundaries: Int32Array.from([0, 128]), nodes: Int32Array.from([0]) }).through).toBeUndefined();
    const ctx = buildContext(timed);
    // By definition: every bucket whose node differs from its current one counts on both nodes.
    const direct = (s: LayoutState) => {
      const out = new Float64Array(ctx.nodeSlots);
      for (let i = 0; i < s.k; i++) {
        for (let j = s.boundaries[i]; j < s.boundaries[i + 1]; j++) {
          const was = ctx.beforeNodes[ctx.beforeOwner[j]];
          if (was === s.nodes[i]) continue;
          out[was] += stateBytes[j];
          out[s.nodes[i]] += stateBytes[j];
        }
      }
      return out;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 200 }), (seed, steps) => {
        const s = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes });
        const rng = seededRng(seed);
        for (let t = 0; t < steps; t++) {
          const undo = randomMove(s, rng);
          if (undo && rng.next() < 0.3) undo();
        }
        const want = direct(s);
        const fresh = new LayoutState(ctx, s.layout()).through!;
        for (let n = 0; n < ctx.nodeSlots; n++) {
          expect(Math.abs(s.through![n] - want[n])).toBeLessThan(1e-6 * ctx.totalState);
          expect(Math.abs(fresh[n] - want[n])).toBeLessThan(1e-6 * ctx.totalState);
        }
      }),
      { numRuns: 40, seed: 13 },
    );
  });

  it('keeps the largest node load and tail load of every window equal to a scan of them, bit for bit', () => {
    const scan = (a: Float64Array) => a.reduce((m, x) => (x > m ? x : m), 0);
    for (const input of [fixtures.skewedFourNodes(), fixtures.movingBand()]) {
      const ctx = buildContext(input);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 300 }), (seed, steps) => {
          const s = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes });
          const rng = seededRng(seed);
          for (let t = 0; t < steps; t++) {
            const undo = randomMove(s, rng);
            if (undo && rng.next() < 0.3) undo();
            // Read now and then, so that rises and falls between reads are both exercised.
            if (rng.next() < 0.3) {
              for (let w = 0; w < ctx.windowCount; w++) {
                expect(s.maxNodeLoad(w)).toBe(scan(s.nodeLoads(w)));
                expect(s.maxNodeUpper(w)).toBe(scan(s.nodeUppers(w)));
              }
            }
          }
        }),
        { numRuns: 40, seed: 5 },
      );
    }
  });

  it('a state built from a donor\'s buffers equals one built fresh, bit for bit', () => {
    const input = fixtures.movingBand();
    const ctx = buildContext(input);
    const model = makeCostModel(input.goals);
    const B = ctx.buckets;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (ka, kb, seed) => {
        const rng = seededRng(seed);
        const layout = (k: number) => {
          const cuts = new Set<number>();
          while (cuts.size < k - 1) cuts.add(1 + Math.floor(rng.next() * (B - 1)));
          const boundaries = Int32Array.from([0, ...[...cuts].sort((a, b) => a - b), B]);
          return { boundaries, nodes: Int32Array.from({ length: k }, () => Math.floor(rng.next() * ctx.nodeCount)) };
        };
        const donor = new LayoutState(ctx, layout(ka), undefined, true);
        const l = layout(kb);
        const reused = new LayoutState(ctx, l, donor, true);
        const fresh = new LayoutState(ctx, l, undefined, true);
        expect(termValues(model, reused)).toEqual(termValues(model, fresh));
        for (let w = 0; w < ctx.windowCount; w++) {
          expect(reused.maxPartitionLoad(w)).toBe(fresh.maxPartitionLoad(w));
          expect(reused.maxPartitionUpper(w)).toBe(fresh.maxPartitionUpper(w));
          expect(reused.hottestPartition(w)).toBe(fresh.hottestPartition(w));
          expect(Array.from(reused.nodeLoads(w))).toEqual(Array.from(fresh.nodeLoads(w)));
          expect(reused.sumSquares(w)).toBe(fresh.sumSquares(w));
          expect(reused.partitionExcess(w)).toBe(fresh.partitionExcess(w));
        }
        expect(reused.boundaryPenalty).toBe(fresh.boundaryPenalty);
        expect(reused.movedBytes).toBe(fresh.movedBytes);
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('applies a batch of boundary shifts exactly as the same shifts one at a time, bit for bit', () => {
    for (const input of [fixtures.skewedFourNodes(), fixtures.movingBand()]) {
      const ctx = buildContext(input);
      const model = makeCostModel(input.goals);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 100 }), (seed, warm) => {
          const a = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes }, undefined, true);
          const ra = seededRng(seed);
          for (let t = 0; t < warm; t++) randomMove(a, ra);
          // The same moves on a second state, so both carry the same rounding.
          const c = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes }, undefined, true);
          const rc = seededRng(seed);
          for (let t = 0; t < warm; t++) randomMove(c, rc);
          // A random re-cut of a run of partitions: batched on a, one shift at a time on c.
          const rng = seededRng(seed + 7);
          const k = a.k;
          if (k < 3) return;
          const from = 1 + Math.floor(rng.next() * (k - 2));
          const m = 1 + Math.floor(rng.next() * Math.min(8, k - from - 1));
          const lo = a.boundaries[from - 1];
          const hi = a.boundaries[from + m];
          if (hi - lo < m + 1) return;
          const cuts = new Set<number>();
          while (cuts.size < m) cuts.add(lo + 1 + Math.floor(rng.next() * (hi - lo - 1)));
          const xs = Int32Array.from([...cuts].sort((x, y) => x - y));
          a.setBoundaries(from, xs);
          for (let t = 0; t < m; t++) if (xs[t] < c.boundaries[from + t]) c.shiftBoundary(from + t, xs[t]);
          for (let t = m - 1; t >= 0; t--) if (xs[t] > c.boundaries[from + t]) c.shiftBoundary(from + t, xs[t]);
          expect([...a.boundaries]).toEqual([...c.boundaries]);
          expect(termValues(model, a)).toEqual(termValues(model, c));
          for (let w = 0; w < ctx.windowCount; w++) {
            for (let i = 0; i < k; i++) {
              expect(a.partitionLoad(w, i)).toBe(c.partitionLoad(w, i));
              expect(a.partitionUpper(w, i)).toBe(c.partitionUpper(w, i));
            }
            expect(a.maxPartitionLoad(w)).toBe(c.maxPartitionLoad(w));
            expect(a.maxPartitionUpper(w)).toBe(c.maxPartitionUpper(w));
            expect(a.hottestPartition(w)).toBe(c.hottestPartition(w));
            expect(Array.from(a.nodeLoads(w))).toEqual(Array.from(c.nodeLoads(w)));
            expect(Array.from(a.nodeUppers(w))).toEqual(Array.from(c.nodeUppers(w)));
            expect(a.sumSquares(w)).toBe(c.sumSquares(w));
            expect(a.partitionExcess(w)).toBe(c.partitionExcess(w));
          }
          expect(a.movedBytes).toBe(c.movedBytes);
          expect(a.movedLoad).toBe(c.movedLoad);
          expect(a.boundaryPenalty).toBe(c.boundaryPenalty);
        }),
        { numRuns: 60, seed: 13 },
      );
    }
  });

  it('counts no movement and no penalty for the current map', () => {
    const input = fixtures.skewedFourNodes();
    const ctx = buildContext(input);
    const s = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes });
    expect(s.movedBytes).toBe(0);
    expect(s.boundaryPenalty).toBeCloseTo(0, 12);
  });
});

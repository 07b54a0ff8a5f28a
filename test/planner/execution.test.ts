/**
 * A plan priced while it runs: the old layout serves until each cut-over, a transfer takes
 * `moveLoad` from both its nodes, and the search discounts a gain by the time its moves take.
 */
import { describe, expect, it } from 'vitest';
import { makePartitionMap } from '../../src/model/index.ts';
import { buildContext, executionOverload, lagModel, lagShare, LayoutState, makeCostModel, planInputProblems, planRepartition, seededRng, totalCost, type PlanInput } from '../../src/planner/index.ts';
import { OVERLOAD_WEIGHT_FACTOR } from '../../src/planner/terms/overload.ts';
import { overCapacityForGood } from '../../src/planner/execution.ts';

const MB = 1024 * 1024;

/**
 * Two nodes, four partitions; node 0 holds three hot ones (overloaded by a third), node 1 one
 * cold one. Moving one hot partition to node 1 fixes it; its state is `stateMB` per bucket.
 */
function overloaded(stateMB: number, timing: { windowMs?: number; horizonMs?: number; moveLoad?: number; gainAfterMs?: number } = {}): PlanInput {
  const B = 8;
  const load = Float64Array.from([200, 200, 200, 200, 200, 200, 10, 10]);
  return {
    map: makePartitionMap(B, [0, 2, 4, 6, 8], [0, 0, 0, 1]),
    windows: [load, load, load],
    stateBytes: new Float64Array(B).fill(stateMB * MB),
    cluster: { nodes: 2, nodeCapacity: 900, maxPartitions: 8, moveBandwidth: 10 * MB, pauses: { split: 0, merge: 0, move: 0 }, maxConcurrentOps: 1, moveLoad: timing.moveLoad },
    goals: { imbalance: 1, movement: 0.01, latency: 0 },
    threshold: 0.05,
    ...(timing.windowMs !== undefined ? { windowMs: timing.windowMs } : {}),
    ...(timing.horizonMs !== undefined ? { horizonMs: timing.horizonMs } : {}),
    ...(timing.gainAfterMs !== undefined ? { gainAfterMs: timing.gainAfterMs } : {}),
  };
}

const moveOne = [{ kind: 'move' as const, partition: 'p2', node: 1 }];

describe('executionOverload', () => {
  it('holds the old layout until the cut-over: a move that outlasts the horizon changes nothing', () => {
    // 2 buckets × 1 GB at 10 MB/s: ~205 s; three windows of 60 s.
    const ctx = buildContext(overloaded(1024, { windowMs: 60_000 }));
    const ex = executionOverload(ctx, ctx.input.map, moveOne, [[]]);
    expect(ex.makespanMs).toBeCloseTo(204_800, 0);
    expect(ex.current).toBeGreaterThan(0);
    expect(ex.target).toBe(0);
    expect(ex.during).toBeCloseTo(ex.current, 12);
  });
  it('weighs the layouts by the time each serves', () => {
    // 2 × 300 MB at 10 MB/s = 60 s of 180 s: a third of the horizon on the old layout.
    const ctx = buildContext(overloaded(300, { windowMs: 60_000 }));
    const ex = executionOverload(ctx, ctx.input.map, moveOne, [[]]);
    expect(ex.makespanMs).toBeCloseTo(60_000, 6);
    expect(ex.during).toBeCloseTo(ex.current / 3, 9);
  });
  it('takes moveLoad from both nodes of a transfer while it runs', () => {
    const ctx0 = buildContext(overloaded(300, { windowMs: 60_000 }));
    const ctx1 = buildContext(overloaded(300, { windowMs: 60_000, moveLoad: 0.5 }));
    const a = executionOverload(ctx0, ctx0.input.map, moveOne, [[]]);
    const b = executionOverload(ctx1, ctx1.input.map, moveOne, [[]]);
    // Node 0 (1,200/s) at 450/s instead of 900/s during the first 60 s; node 1 (410/s) fits either way.
    expect(b.during - a.during).toBeCloseTo((450 / 1220) / 3, 9);
    expect(b.target).toBe(a.target);
  });
  it('with gainAfterMs, counts the target that long past the makespan', () => {
    // 2 × 1 GB at 10 MB/s: 204.8 s, beyond the 180 s picture; its gain then counts 120 s more.
    const ctx = buildContext(overloaded(1024, { windowMs: 60_000, gainAfterMs: 120_000 }));
    const ex = executionOverload(ctx, ctx.input.map, moveOne, [[]]);
    expect(ex.spanMs).toBeCloseTo(324_800, 0);
    expect(ex.target).toBe(0);
    expect(ex.during).toBeCloseTo((ex.current * 204_800) / 324_800, 9);
    // A plan done within the span keeps the span.
    const quick = buildContext(overloaded(30, { windowMs: 60_000, gainAfterMs: 120_000 }));
    expect(executionOverload(quick, quick.input.map, moveOne, [[]]).spanMs).toBe(180_000);
  });
  it('holds the last window until the horizon', () => {
    const ctx = buildContext(overloaded(300, { windowMs: 60_000, horizonMs: 600_000 }));
    const ex = executionOverload(ctx, ctx.input.map, moveOne, [[]]);
    expect(ex.during).toBeCloseTo(ex.current / 10, 9);
  });
});

describe('operations in flight', () => {
  /**
   * The overloaded cluster with p2's move to node 1 still running for 60 s of the 180 s picture:
   * the input's map is the map once it lands (balanced), the cluster's is the overloaded one.
   */
  function inFlight(slots: number): PlanInput {
    const input = overloaded(300, { windowMs: 60_000 });
    const actual = input.map;
    return {
      ...input,
      map: makePartitionMap(8, [0, 2, 4, 6, 8], [0, 0, 1, 1]),
      cluster: { ...input.cluster, maxConcurrentOps: slots },
      inFlight: { actual, ops: [{ action: { kind: 'move', partition: 'p2', node: 1 }, remainingMs: 60_000 }] },
    };
  }
  const excess = 300 / 1220; // node 0 at 1,200/s against 900/s, of 1,220/s in all

  it('doing nothing meets the old layout until the move lands', () => {
    const ctx = buildContext(inFlight(2));
    const ex = executionOverload(ctx, ctx.input.map, [], []);
    expect(ex.current).toBe(0);
    expect(ex.during).toBeCloseTo(excess / 3, 9);
    expect(ex.makespanMs).toBe(0);
    const none = buildContext({ ...inFlight(2), inFlight: undefined });
    expect(executionOverload(none, none.input.map, [], []).during).toBe(0);
  });

  it('a plan action on the moving partition waits for the move; another waits only for a free slot', () => {
    const onP2 = [{ kind: 'split' as const, partition: 'p2', at: 5, newId: 'p9' }];
    const onP0 = [{ kind: 'split' as const, partition: 'p0', at: 1, newId: 'p9' }];
    const two = buildContext(inFlight(2));
    expect(executionOverload(two, two.input.map, onP2, [[]]).makespanMs).toBe(60_000);
    expect(executionOverload(two, two.input.map, onP0, [[]]).makespanMs).toBe(0);
    const one = buildContext(inFlight(1));
    expect(executionOverload(one, one.input.map, onP0, [[]]).makespanMs).toBe(60_000);
  });

  it('doing nothing pays for it in the PRE\'s current cost', () => {
    const plan = (input: PlanInput) => planRepartition(input, { iterations: 2000, rng: seededRng(3) });
    const withOps = plan(inFlight(2));
    const without = plan({ ...inFlight(2), inFlight: undefined });
    expect(withOps.current.cost!).toBeGreaterThan(without.current.cost!);
  });
});

describe('planInputProblems', () => {
  it('names a negative or infinite gainAfterMs', () => {
    for (const gainAfterMs of [-1, Infinity, NaN]) {
      expect(planInputProblems({ ...overloaded(1, { windowMs: 60_000 }), gainAfterMs })).toEqual([{ path: 'gainAfterMs', message: 'must be a non-negative number of ms' }]);
    }
  });
});

describe('overCapacityForGood', () => {
  it('needs a node over capacity × (1 + threshold) in every window', () => {
    const input = overloaded(1, { windowMs: 60_000 }); // node 0 at 1,200/s against 900/s
    expect(overCapacityForGood(input)).toBe(true);
    expect(overCapacityForGood({ ...input, threshold: 0.4 })).toBe(false); // 1,200 < 1,260
    const fits = Float64Array.from([140, 140, 140, 140, 140, 140, 10, 10]); // node 0 at 840/s
    expect(overCapacityForGood({ ...input, windows: [input.windows[0], fits, input.windows[2]] })).toBe(false);
  });
});

describe('lagShare', () => {
  it('is 0 without movement, grows with the bytes and stops at 1', () => {
    const lag = { current: 1, fixedMs: 1000, msPerByte: 0.001, horizonMs: 10_000, afterMs: 0 };
    expect(lagShare(lag, 0)).toBe(0);
    expect(lagShare(lag, 1e6)).toBeCloseTo(0.2, 12);
    expect(lagShare(lag, 1e9)).toBe(1);
  });
  it('with afterMs, prices a slow layout over its reach plus afterMs, never at 1', () => {
    const lag = { current: 1, fixedMs: 1000, msPerByte: 0.001, horizonMs: 10_000, afterMs: 5_000 };
    expect(lagShare(lag, 1e6)).toBeCloseTo(0.2, 12); // reached within the horizon less afterMs: as before
    expect(lagShare(lag, 1e9)).toBeCloseTo(1_001_000 / 1_006_000, 12);
  });
});

describe('the search\'s price of a transfer\'s load', () => {
  /**
   * The search's cost of the layout after `moveOne`, and of the current one, with node 0's six
   * hot buckets at `hot`/s; `nodes`/`ops`: a larger cluster whose moves run side by side.
   */
  const costs = (hot: number, moveLoad?: number, nodes = 2, ops = 1) => {
    const input = overloaded(300, { windowMs: 60_000, moveLoad });
    const l = Float64Array.from([hot, hot, hot, hot, hot, hot, 10, 10]);
    const ctx = buildContext({ ...input, windows: [l, l, l], cluster: { ...input.cluster, nodes, maxConcurrentOps: ops } });
    const current = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: ctx.beforeNodes });
    const model = lagModel(makeCostModel(input.goals), ctx, current);
    const moved = new LayoutState(ctx, { boundaries: ctx.beforeBounds, nodes: Int32Array.from([0, 0, 1, 1]) });
    return { moved: totalCost(model, moved), current: totalCost(model, current) };
  };
  const weight = OVERLOAD_WEIGHT_FACTOR * overloaded(300).goals.imbalance;
  it('adds the overload a transfer creates on its nodes for as long as it runs: the schedule\'s price of one move', () => {
    // Node 0 at 1,200/s serves at 450/s instead of 900/s for the 60 s of its 600 MB, a third of
    // the 180 s span: the extra overload the schedule finds (executionOverload, above), weighted.
    const plain = costs(200);
    const loaded = costs(200, 0.5);
    expect(loaded.current).toBe(plain.current); // nothing moves, nothing is loaded
    expect(loaded.moved - plain.moved).toBeCloseTo(weight * (450 / 1220 / 3), 9);
    // At 840/s node 0 fits its capacity, not the reduced one: 390/s over, of 860/s.
    expect(costs(140, 0.5).moved - costs(140).moved).toBeCloseTo(weight * (390 / 860 / 3), 9);
  });
  it('costs nothing where the nodes fit at the reduced capacity', () => {
    expect(costs(50, 0.5).moved).toBe(costs(50).moved);
  });
  it('lasts as long as the node\'s bytes take with the plan\'s moves side by side, as the search reaches a layout', () => {
    // Four nodes, two moves side by side: the search reaches the layout in 30 s (600 MB at twice
    // 10 MB/s), and prices node 0's transfer for as long, a sixth of the span.
    expect(costs(200, 0.5, 4, 2).moved - costs(200, undefined, 4, 2).moved).toBeCloseTo(weight * (450 / 1220 / 6), 9);
  });
});

describe('planRepartition with a timed input', () => {
  const plan = (input: PlanInput) => planRepartition(input, { iterations: 3000, rng: seededRng(3) });
  it('proposes the fix as before when moves are quick', () => {
    const r = plan(overloaded(1, { windowMs: 60_000 }));
    expect(r.proposed).toBe(true);
    expect(r.reason).toContain('priced while it runs');
  });
  it('does not propose a plan whose moves land after the horizon; untimed it would', () => {
    // One bucket (10 GB at 10 MB/s) takes 17 min: longer than the 3 min the picture covers.
    expect(plan(overloaded(10_240)).proposed).toBe(true);
    const r = plan(overloaded(10_240, { windowMs: 60_000 }));
    expect(r.proposed).toBe(false);
  });
  it('over capacity for good, a gain counted past the plan\'s end makes the same slow plan worth it', () => {
    const r = plan(overloaded(10_240, { windowMs: 60_000, gainAfterMs: 30 * 60_000 }));
    expect(r.proposed).toBe(true);
    expect(r.reason).toContain('over capacity for good');
    const [, run, span] = /~(\d+) min, paid back over (\d+) min/.exec(r.reason)!.map(Number);
    expect(span).toBe(run + 30); // its moves, then 30 min
  });
  it('ignores gainAfterMs where no node is over capacity for good', () => {
    // The last window's load fits: the overload passes, the slow plan does not pay.
    const input = overloaded(10_240, { windowMs: 60_000, gainAfterMs: 30 * 60_000 });
    const light = Float64Array.from([100, 100, 100, 100, 100, 100, 10, 10]);
    const r = plan({ ...input, windows: [input.windows[0], input.windows[1], light] });
    expect(r.proposed).toBe(false);
    expect(r.reason).not.toContain('over capacity for good');
  });
  it('a longer payback horizon makes the same slow plan worth it', () => {
    expect(plan(overloaded(10_240, { windowMs: 60_000, horizonMs: 6 * 3_600_000 })).proposed).toBe(true);
  });
});

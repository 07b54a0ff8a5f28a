/** Actions derived from any target are legal in order, reach it, and send each bucket's state at most once. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyActions, makePartitionMap, mapProblems } from '../../src/model/index.ts';
import { actionBytes, buildContext, deriveActions, LayoutState, type Layout } from '../../src/planner/index.ts';
import { fixtures } from './fixtures.ts';

const B = 64;
const arbMap = (nodes: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: B - 1 }), { maxLength: 12 })
    .chain((cuts) => {
      const boundaries = [0, ...cuts.sort((a, b) => a - b), B];
      return fc.array(fc.integer({ min: 0, max: nodes - 1 }), { minLength: boundaries.length - 1, maxLength: boundaries.length - 1 }).map((ns) => ({ boundaries, nodes: ns }));
    });

describe('deriveActions', () => {
  it('reaches the target legally, with real dependencies, moving exactly the per-bucket difference', () => {
    fc.assert(
      fc.property(arbMap(4), arbMap(4), (a, b) => {
        const before = makePartitionMap(B, a.boundaries, a.nodes);
        const target: Layout = { boundaries: Int32Array.from(b.boundaries), nodes: Int32Array.from(b.nodes) };
        const { actions, dependsOn, after } = deriveActions(before, target);
        const replay = applyActions(before, actions);
        expect(mapProblems(replay)).toEqual([]);
        expect([...replay.boundaries]).toEqual(b.boundaries);
        expect([...replay.nodes]).toEqual(b.nodes);
        expect(replay.ids).toEqual(after.ids);
        dependsOn.forEach((deps, i) => deps.forEach((d) => expect(d).toBeLessThan(i)));
        // Every action touching a partition depends (directly) on the previous one touching it.
        const input = { ...fixtures.skewedFourNodes(), map: before, windows: [new Float64Array(B).fill(1)] };
        const ctx = buildContext(input);
        const sent = actionBytes(ctx, before, actions).reduce((x, y) => x + y, 0);
        expect(sent).toBeCloseTo(new LayoutState(ctx, target).movedBytes, 3);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('merges need co-location: a move comes first and the merge depends on it', () => {
    const before = makePartitionMap(B, [0, 32, 64], [0, 1]);
    const { actions, dependsOn } = deriveActions(before, { boundaries: Int32Array.of(0, 64), nodes: Int32Array.of(0) });
    expect(actions).toEqual([
      { kind: 'move', partition: 'p1', node: 0 },
      { kind: 'merge', partition: 'p0', with: 'p1' },
    ]);
    expect(dependsOn).toEqual([[], [0]]);
  });

  it('a new half that goes to another node is a create', () => {
    const before = makePartitionMap(B, [0, 64], [0]);
    const { actions } = deriveActions(before, { boundaries: Int32Array.of(0, 40, 64), nodes: Int32Array.of(0, 2) });
    expect(actions).toEqual([{ kind: 'create', partition: 'p0', at: 40, node: 2, newId: 'p1' }]);
  });

  it('no change, no actions', () => {
    const before = makePartitionMap(B, [0, 10, 64], [1, 0]);
    expect(deriveActions(before, { boundaries: Int32Array.of(0, 10, 64), nodes: Int32Array.of(1, 0) }).actions).toEqual([]);
  });
});

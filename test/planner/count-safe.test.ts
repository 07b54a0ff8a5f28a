/** Plans keep the partition count within maxPartitions however the APM interleaves their actions. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makePartitionMap } from '../../src/model/index.ts';
import { deriveActions, type Layout } from '../../src/planner/index.ts';
import { countSafe } from '../../src/planner/count-safe.ts';

const B = 64;
const arbMap = (nodes: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: B - 1 }), { minLength: 4, maxLength: 16 })
    .chain((cuts) => {
      const boundaries = [0, ...cuts.sort((a, b) => a - b), B];
      return fc.array(fc.integer({ min: 0, max: nodes - 1 }), { minLength: boundaries.length - 1, maxLength: boundaries.length - 1 }).map((ns) => ({ boundaries, nodes: ns }));
    });

describe('countSafe', () => {
  it('two boundary shifts at the cap: the second split waits for the first merge', () => {
    // p0 | p1 | p2 | p3 on one node, cap 5: shifting two boundaries splits twice, merges twice
    const before = makePartitionMap(16, [0, 4, 8, 12, 16], [0, 0, 0, 0]);
    const actions = [
      { kind: 'split', partition: before.ids[0], at: 2, newId: 'a' },
      { kind: 'merge', partition: 'a', with: before.ids[1] },
      { kind: 'split', partition: before.ids[2], at: 10, newId: 'b' },
      { kind: 'merge', partition: 'b', with: before.ids[3] },
    ] as const;
    const deps = [[], [0], [], [2]];
    const wide = countSafe(before, actions, deps, 8);
    expect(wide.dependsOn).toEqual(deps); // far from the cap: both splits may run at once
    expect(wide.peak).toBe(5);
    const tight = countSafe(before, actions, deps, 5);
    expect(tight.dependsOn).toEqual([[], [0], [1], [2]]);
    expect(tight.peak).toBe(5);
  });

  it('property: any interleaving the dependencies allow stays within max(cap, the order\'s peak)', () => {
    fc.assert(
      fc.property(arbMap(3), arbMap(3), fc.integer({ min: 2, max: 24 }), fc.integer({ min: 1, max: 1e9 }), (a, b, cap, seed) => {
        const before = makePartitionMap(B, a.boundaries, a.nodes);
        const target: Layout = { boundaries: Int32Array.from(b.boundaries), nodes: Int32Array.from(b.nodes) };
        const { actions, dependsOn } = deriveActions(before, target);
        const safe = countSafe(before, actions, dependsOn, cap);
        const limit = Math.max(cap, safe.peak, before.ids.length);
        // a random run: start any ready action, finish any started one, until all are done
        let s = seed;
        const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
        const state = actions.map(() => 0); // 0 pending, 1 started, 2 done
        let count = before.ids.length;
        for (let steps = 0; state.some((x) => x !== 2); steps++) {
          const ready = state.flatMap((x, i) => (x === 0 && safe.dependsOn[i].every((d) => state[d] === 2) ? [i] : []));
          const started = state.flatMap((x, i) => (x === 1 ? [i] : []));
          const startNow = ready.length > 0 && (started.length === 0 || rnd(2) === 0);
          const i = startNow ? ready[rnd(ready.length)] : started[rnd(started.length)];
          if (startNow) {
            state[i] = 1;
            if (actions[i].kind === 'split' || actions[i].kind === 'create') count++; // its new id is reserved at once
          } else {
            state[i] = 2;
            if (actions[i].kind === 'merge') count--;
          }
          expect(count).toBeLessThanOrEqual(limit);
          expect(steps).toBeLessThan(4 * actions.length + 4);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

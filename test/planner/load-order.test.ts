/**
 * Drain before fill: the load-aware order keeps the plan legal and, whenever it found a safe
 * order, no state any execution allowed by the dependencies can reach puts a node above its limit.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyAction, applyActions, makePartitionMap, type PartitionMap, type PlanAction } from '../../src/model/index.ts';
import { deriveActions, loadAwareOrder, type Layout } from '../../src/planner/index.ts';

const B = 48;
const NODES = 4;
const arbMap = fc
  .uniqueArray(fc.integer({ min: 1, max: B - 1 }), { maxLength: 10 })
  .chain((cuts) => {
    const boundaries = [0, ...cuts.sort((a, b) => a - b), B];
    return fc.array(fc.integer({ min: 0, max: NODES - 1 }), { minLength: boundaries.length - 1, maxLength: boundaries.length - 1 }).map((nodes) => ({ boundaries, nodes }));
  });

function nodeLoads(map: PartitionMap, load: ArrayLike<number>): number[] {
  const out = new Array(NODES).fill(0);
  for (let i = 0; i < map.ids.length; i++) for (let b = map.boundaries[i]; b < map.boundaries[i + 1]; b++) out[map.nodes[i]] += load[b];
  return out;
}

/**
 * Node loads after each action of one execution order the dependencies allow (`choice` picks among
 * the ready actions): every down-closed set of finished actions is a prefix of such an order.
 * Loads move at a transfer's cut-over, so a state is the map after the finished actions, with the
 * ranges the finished transfers carried counted on their targets.
 */
function statesOf(before: PartitionMap, actions: readonly PlanAction[], deps: readonly (readonly number[])[], load: ArrayLike<number>, choice: number[]): number[][] {
  // Per action, the load it shifts (from the plan's own order) and its nodes.
  let map = before;
  const shift = actions.map((a) => {
    const i = map.ids.indexOf(a.partition);
    let r: { from: number; to: number; load: number } | null = null;
    if ((a.kind === 'move' || a.kind === 'create') && map.nodes[i] !== a.node) {
      const lo = a.kind === 'create' ? a.at : map.boundaries[i];
      let s = 0;
      for (let b = lo; b < map.boundaries[i + 1]; b++) s += load[b];
      r = { from: map.nodes[i], to: a.node, load: s };
    }
    map = applyAction(map, a);
    return r;
  });
  const done = new Set<number>();
  const cur = nodeLoads(before, load);
  const states = [[...cur]];
  let c = 0;
  while (done.size < actions.length) {
    const ready = actions.map((_, i) => i).filter((i) => !done.has(i) && deps[i].every((d) => done.has(d)));
    const i = ready[(choice[c++ % Math.max(1, choice.length)] ?? 0) % ready.length];
    done.add(i);
    const s = shift[i];
    if (s) {
      cur[s.from] -= s.load;
      cur[s.to] += s.load;
    }
    states.push([...cur]);
  }
  return states;
}

describe('loadAwareOrder', () => {
  it('keeps every state within the limit when it found a safe order, and the plan legal', () => {
    fc.assert(
      fc.property(
        arbMap,
        arbMap,
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: B, maxLength: B }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 20, max: 100 }),
        (a, b, loadInt, choice, capPct) => {
          const before = makePartitionMap(B, a.boundaries, a.nodes);
          const target: Layout = { boundaries: Int32Array.from(b.boundaries), nodes: Int32Array.from(b.nodes) };
          const d = deriveActions(before, target);
          const load = Float64Array.from(loadInt);
          const total = load.reduce((x, y) => x + y, 0);
          const capacity = ((total / NODES) * (100 + capPct)) / 100;
          const o = loadAwareOrder(before, d.actions, d.dependsOn, load, capacity);
          // Same actions, legal in the new order, same result; dependencies point backwards and
          // keep every per-partition conflict.
          expect(o.actions.length).toBe(d.actions.length);
          const after = applyActions(before, o.actions);
          expect([...after.boundaries]).toEqual([...d.after.boundaries]);
          expect([...after.nodes]).toEqual([...d.after.nodes]);
          o.dependsOn.forEach((ds, i) => ds.forEach((x) => expect(x).toBeLessThan(i)));
          const lastTouch = new Map<string, number>();
          o.actions.forEach((x, i) => {
            const ids = x.kind === 'merge' ? [x.partition, x.with] : x.kind === 'move' ? [x.partition] : [x.partition, x.newId];
            for (const id of ids) if (lastTouch.has(id)) expect(o.dependsOn[i]).toContain(lastTouch.get(id));
            for (const id of ids) lastTouch.set(id, i);
          });
          if (o.forced > 0) return;
          // A node already above its limit before the plan only gets lighter until it fits.
          const fin = nodeLoads(d.after, load);
          const base = nodeLoads(before, load);
          for (const s of statesOf(before, o.actions, o.dependsOn, load, choice))
            s.forEach((x, n) => expect(x).toBeLessThanOrEqual(Math.max(capacity, fin[n], base[n]) * (1 + 1e-6)));
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });

  it('makes a move into a full node wait for the move out of it', () => {
    // Node 0 holds [0,8) (load 80) and [8,16) (load 10); node 1 holds [16,24) (load 30). Target:
    // [0,8) to node 1, [16,24) to node 0. Capacity 115: node 0 would carry 120 if the inbound
    // move finished first; node 1 has room for 110.
    const before = makePartitionMap(24, [0, 8, 16, 24], [0, 0, 1]);
    const load = new Float64Array(24);
    for (let b = 0; b < 8; b++) load[b] = 10;
    for (let b = 8; b < 16; b++) load[b] = 10 / 8;
    for (let b = 16; b < 24; b++) load[b] = 30 / 8;
    const actions: PlanAction[] = [
      { kind: 'move', partition: 'p2', node: 0 },
      { kind: 'move', partition: 'p0', node: 1 },
    ];
    const o = loadAwareOrder(before, actions, [[], []], load, 115);
    expect(o.forced).toBe(0);
    expect(o.actions.map((x) => x.partition)).toEqual(['p0', 'p2']);
    expect(o.dependsOn).toEqual([[], [0]]);
    // With room to spare, no extra dependency.
    const roomy = loadAwareOrder(before, actions, [[], []], load, 200);
    expect(roomy.dependsOn).toEqual([[], []]);
  });
});

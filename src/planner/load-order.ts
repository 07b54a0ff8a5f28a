/**
 * Drain before fill: orders a plan's actions, and adds dependencies, so that while the plan runs
 * no node carries more than it can serve when an order exists that avoids it. A transfer (move
 * or create) shifts its range's load from the source node to the target at its cut-over; two
 * transfers with no dependency between them may finish in either order, so without this pass a
 * move *into* a busy node can finish before the move *out of* it, and the node is overloaded in
 * between although the planned layout fits.
 *
 * The rule, per node n with limit L(n) = max(capacity, n's load after the whole plan): a transfer into n may run with no extra dependency when n stays within L(n) even
 * if every inbound transfer ordered before it has finished and no outbound one has; otherwise
 * it waits for every outbound transfer from n ordered before it, when that is enough; otherwise
 * it is ordered later. When nothing ready fits (a swap between two full nodes), the transfer
 * that overshoots least goes next, after the outbound ones. Worst case over every execution
 * order the dependencies allow, a node's load is then one of the states checked here.
 */
import { applyAction, type PartitionMap, type PlanAction } from '../model/index.ts';

interface Transfer {
  readonly from: number;
  readonly to: number;
  readonly load: number;
}

const touched = (a: PlanAction): string[] =>
  a.kind === 'merge' ? [a.partition, a.with] : a.kind === 'move' ? [a.partition] : [a.partition, a.newId];

/** Load each transfer shifts, from the map just before it in the given (legal) order. */
function transfers(before: PartitionMap, actions: readonly PlanAction[], load: ArrayLike<number>): (Transfer | null)[] {
  let map = before;
  return actions.map((a) => {
    let t: Transfer | null = null;
    const i = map.ids.indexOf(a.partition);
    if (i >= 0 && (a.kind === 'move' || a.kind === 'create') && map.nodes[i] !== a.node) {
      const lo = a.kind === 'create' ? a.at : map.boundaries[i];
      let s = 0;
      for (let b = lo; b < map.boundaries[i + 1]; b++) s += load[b];
      t = { from: map.nodes[i], to: a.node, load: s };
    }
    map = applyAction(map, a);
    return t;
  });
}

function nodeLoads(map: PartitionMap, load: ArrayLike<number>, slots: number): Float64Array {
  const out = new Float64Array(slots);
  for (let i = 0; i < map.ids.length; i++) {
    let s = 0;
    for (let b = map.boundaries[i]; b < map.boundaries[i + 1]; b++) s += load[b];
    out[map.nodes[i]] += s;
  }
  return out;
}

/**
 * The plan's actions in a load-safe order with their dependencies: the per-partition conflicts of
 * the new order plus the drain-before-fill ones (see the file comment). `forced` counts the
 * transfers that had to go next although they overshoot (0: every state the dependencies allow
 * keeps each node within its limit). `deps` are the input
 * order's dependencies; `load` is the per-bucket load to keep within `capacity` (the near tail).
 */
export function loadAwareOrder(
  before: PartitionMap,
  actions: readonly PlanAction[],
  deps: readonly (readonly number[])[],
  load: ArrayLike<number>,
  capacity: number,
): { actions: PlanAction[]; dependsOn: number[][]; forced: number } {
  const n = actions.length;
  const tr = transfers(before, actions, load);
  if (n === 0 || tr.every((t) => t === null)) return { actions: [...actions], dependsOn: deps.map((d) => [...d]), forced: 0 };
  let after = before;
  for (const a of actions) after = applyAction(after, a);
  let slots = 0;
  for (const m of [before, after]) for (const x of m.nodes) slots = Math.max(slots, x + 1);
  for (const t of tr) if (t) slots = Math.max(slots, t.from + 1, t.to + 1);
  const base = nodeLoads(before, load, slots);
  const fin = nodeLoads(after, load, slots);
  const limit = Float64Array.from(fin, (f) => Math.max(capacity, f) * (1 + 1e-9));

  const remaining = Int32Array.from(deps, (d) => d.length);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  deps.forEach((d, i) => d.forEach((x) => dependents[x].push(i)));
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (remaining[i] === 0) ready.push(i);
  const inbound = new Float64Array(slots); // inbound load ordered so far, per node
  const outbound: number[][] = Array.from({ length: slots }, () => []); // outbound transfers ordered so far (input indices)
  const outLoad = new Float64Array(slots);
  const extra = new Map<number, number[]>(); // input index → outbound input indices it waits for
  const order: number[] = [];
  let forced = 0;
  while (order.length < n) {
    let pick = -1;
    let wait = false;
    let best = -1;
    let bestOver = Infinity;
    for (let r = 0; r < ready.length && pick < 0; r++) {
      const i = ready[r];
      const t = tr[i];
      if (!t) {
        pick = i;
        break;
      }
      const worst = base[t.to] + inbound[t.to] + t.load;
      if (worst <= limit[t.to]) pick = i;
      else if (worst - outLoad[t.to] <= limit[t.to]) {
        pick = i;
        wait = true;
      } else if (worst - outLoad[t.to] - limit[t.to] < bestOver) {
        bestOver = worst - outLoad[t.to] - limit[t.to];
        best = i;
      }
    }
    if (pick < 0) {
      pick = best;
      wait = true;
      forced++;
    }
    ready.splice(ready.indexOf(pick), 1);
    order.push(pick);
    const t = tr[pick];
    if (t) {
      if (wait && outbound[t.to].length > 0) extra.set(pick, [...outbound[t.to]]);
      inbound[t.to] += t.load;
      outbound[t.from].push(pick);
      outLoad[t.from] += t.load;
    }
    for (const m of dependents[pick]) if (--remaining[m] === 0) ready.push(m);
    ready.sort((a, b) => a - b);
  }
  const pos = new Int32Array(n);
  order.forEach((i, k) => (pos[i] = k));
  const last = new Map<string, number>();
  const dependsOn = order.map((i, k) => {
    const d = new Set<number>();
    for (const id of touched(actions[i])) {
      const x = last.get(id);
      if (x !== undefined) d.add(x);
    }
    for (const id of touched(actions[i])) last.set(id, k);
    for (const o of extra.get(i) ?? []) d.add(pos[o]);
    return [...d].sort((x, y) => x - y);
  });
  return { actions: order.map((i) => actions[i]), dependsOn, forced };
}

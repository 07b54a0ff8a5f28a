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
import { applyAction, conflictDependencies, nodeLoads, partitionLoads, type PartitionMap, type PlanAction } from '../model/index.ts';

interface Transfer {
  readonly from: number;
  readonly to: number;
  readonly load: number;
}

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

/** Load of each node slot under `map`. */
function loadsByNode(map: PartitionMap, load: ArrayLike<number>, slots: number): Float64Array {
  return nodeLoads(map, partitionLoads(map, load), slots);
}

/** Per node slot: its load before the plan and its limit, max(capacity, load after the plan), with a hair of slack. */
function nodeLimits(
  before: PartitionMap,
  actions: readonly PlanAction[],
  tr: readonly (Transfer | null)[],
  load: ArrayLike<number>,
  capacity: number,
): { base: Float64Array; limit: Float64Array } {
  let after = before;
  for (const a of actions) after = applyAction(after, a);
  let slots = 0;
  for (const m of [before, after]) for (const x of m.nodes) slots = Math.max(slots, x + 1);
  for (const t of tr) if (t) slots = Math.max(slots, t.from + 1, t.to + 1);
  const base = loadsByNode(before, load, slots);
  const fin = loadsByNode(after, load, slots);
  return { base, limit: Float64Array.from(fin, (f) => Math.max(capacity, f) * (1 + 1e-9)) };
}

/** What the ordering has committed so far, per node slot. */
interface Committed {
  /** Inbound load ordered so far. */
  readonly inbound: Float64Array;
  /** Outbound transfers ordered so far (input indices). */
  readonly outbound: number[][];
  readonly outLoad: Float64Array;
}

/**
 * The next action among the ready ones (ascending input indices): the first that fits without
 * waiting, or that fits once it waits for the node's outbound transfers (`wait`); when none fits,
 * the one that overshoots least, to wait and count as forced.
 */
function pickNext(
  ready: readonly number[],
  tr: readonly (Transfer | null)[],
  base: Float64Array,
  limit: Float64Array,
  c: Committed,
): { pick: number; wait: boolean; forced: boolean } {
  let best = -1;
  let bestOver = Infinity;
  for (const i of ready) {
    const t = tr[i];
    if (!t) return { pick: i, wait: false, forced: false };
    const worst = base[t.to] + c.inbound[t.to] + t.load;
    if (worst <= limit[t.to]) return { pick: i, wait: false, forced: false };
    if (worst - c.outLoad[t.to] <= limit[t.to]) return { pick: i, wait: true, forced: false };
    if (worst - c.outLoad[t.to] - limit[t.to] < bestOver) {
      bestOver = worst - c.outLoad[t.to] - limit[t.to];
      best = i;
    }
  }
  return { pick: best, wait: true, forced: true };
}

/**
 * The load-safe order (input indices, a topological order of `deps`), the outbound transfers each
 * transfer must wait for, and how many were forced.
 */
function safeOrder(
  deps: readonly (readonly number[])[],
  tr: readonly (Transfer | null)[],
  base: Float64Array,
  limit: Float64Array,
): { order: number[]; extra: Map<number, number[]>; forced: number } {
  const n = deps.length;
  const slots = base.length;
  const remaining = Int32Array.from(deps, (d) => d.length);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  deps.forEach((d, i) => d.forEach((x) => dependents[x].push(i)));
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (remaining[i] === 0) ready.push(i);
  const c: Committed = { inbound: new Float64Array(slots), outbound: Array.from({ length: slots }, () => []), outLoad: new Float64Array(slots) };
  const extra = new Map<number, number[]>(); // input index → outbound input indices it waits for
  const order: number[] = [];
  let forced = 0;
  while (order.length < n) {
    const next = pickNext(ready, tr, base, limit, c);
    const pick = next.pick;
    if (next.forced) forced++;
    ready.splice(ready.indexOf(pick), 1);
    order.push(pick);
    const t = tr[pick];
    if (t) {
      if (next.wait && c.outbound[t.to].length > 0) extra.set(pick, [...c.outbound[t.to]]);
      c.inbound[t.to] += t.load;
      c.outbound[t.from].push(pick);
      c.outLoad[t.from] += t.load;
    }
    for (const m of dependents[pick]) if (--remaining[m] === 0) ready.push(m);
    ready.sort((a, b) => a - b);
  }
  return { order, extra, forced };
}

/** Dependencies of the reordered actions: per-partition conflicts in the new order plus the waits. */
function orderedDependencies(actions: readonly PlanAction[], order: readonly number[], extra: ReadonlyMap<number, number[]>): number[][] {
  const pos = new Int32Array(order.length);
  order.forEach((i, k) => (pos[i] = k));
  return conflictDependencies(order.map((i) => actions[i])).map((d, k) => {
    const extraDeps = extra.get(order[k]);
    return extraDeps ? [...new Set([...d, ...extraDeps.map((o) => pos[o])])].sort((x, y) => x - y) : d;
  });
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
  const tr = transfers(before, actions, load);
  if (actions.length === 0 || tr.every((t) => t === null)) return { actions: [...actions], dependsOn: deps.map((d) => [...d]), forced: 0 };
  const { base, limit } = nodeLimits(before, actions, tr, load, capacity);
  const { order, extra, forced } = safeOrder(deps, tr, base, limit);
  return { actions: order.map((i) => actions[i]), dependsOn: orderedDependencies(actions, order, extra), forced };
}

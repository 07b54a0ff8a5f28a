/**
 * A plan priced while it runs. Moving state takes time (its bytes at the move bandwidth, plus the
 * cut-over pause) and, with `moveLoad`, serving capacity on the sending and the receiving node;
 * until each action's cut-over, the old layout serves. A plan that instantly fixes an overload
 * on paper may, with moves of tens of minutes, land after the load has passed or overload its
 * own nodes while it moves. Two prices follow:
 *
 * - `lagModel`, for the search: a layout whose moves send M bytes takes about
 *   `pause + M / (bandwidth × parallel moves)`; for that share f of the horizon the current
 *   layout's timed terms (imbalance, overload, node balance) still hold, so the search sees
 *   `untimed + (1 − f)·timed(layout) + f·timed(current)` (cost.ts, `CostModel.lag`). Ranges that
 *   are cheap to move (small state, e.g. before they turn hot) lose little of their gain. With
 *   `moveLoad`, a node near capacity also pays the overload its transfers make while they run
 *   (`MoveLoadPrice`).
 * - `executionOverload`, for the proposal: the plan's actions on their list schedule (impact.ts),
 *   the layout changing at each cut-over, each node doing a transfer serving at
 *   `capacity × (1 − moveLoad)`, the overload (tail load above capacity, as the overload term)
 *   time-weighted over the horizon, the last window's picture held to its end. Operations still
 *   running (`PlanInput.inFlight`) go first in that schedule, and doing nothing meets them too.
 */
import { applyAction, conflictDependencies, MapError, nodeLoads, partitionLoads, type PartitionMap, type PlanAction } from '../model/index.ts';
import { windowPrefixes, type PlanContext } from './context.ts';
import type { CostModel, Lag, MoveLoadPrice } from './cost.ts';
import type { PlanInput } from './types.ts';
import type { LayoutView } from './layout-state.ts';
import { actionBytes, actionDurationsMs, scheduleTimes } from './impact.ts';

/**
 * Whether a node of the input's map carries more than its capacity × (1 + threshold) of expected
 * load in every window of the picture: over capacity for good, its backlog growing however long
 * the span, so that a plan's gain counts past its end and any saving pays (`PlanInput.gainAfterMs`).
 */
export function overCapacityForGood(input: PlanInput): boolean {
  const { map, cluster } = input;
  const slots = Math.max(cluster.nodes, ...map.nodes) + 1;
  const limit = cluster.nodeCapacity * (1 + input.threshold);
  const over = new Uint8Array(slots).fill(1);
  for (const w of input.windows) {
    const loads = nodeLoads(map, partitionLoads(map, w), slots);
    for (let n = 0; n < slots; n++) if (!(loads[n] > limit)) over[n] = 0;
  }
  return over.includes(1);
}

/** Span the plan is priced over: the input's `horizonMs`, at least its windows' span. */
export function pricedSpanMs(ctx: PlanContext): number {
  const input = ctx.input;
  return Math.max(input.windows.length * (input.windowMs ?? 0), input.horizonMs ?? 0);
}

/** The span a plan finishing after `makespanMs` is priced over: `pricedSpanMs`, at least `gainAfterMs` past the makespan. */
function spanOf(ctx: PlanContext, makespanMs: number): number {
  const after = ctx.input.gainAfterMs ?? 0;
  return Math.max(pricedSpanMs(ctx), makespanMs > 0 && after > 0 ? makespanMs + after : 0);
}

/** Σ weight × value of the model's timed soft terms for `view`. */
export function timedCost(model: CostModel, view: LayoutView): number {
  let c = 0;
  for (let t = 0; t < model.terms.length; t++) {
    const term = model.terms[t];
    if (term.timed && term.kind === 'soft' && model.weights[t] !== 0) c += model.weights[t] * term.value(view);
  }
  return c;
}

/**
 * `model` with the search's price of time for the context's input (unchanged when the input is
 * not timed). Moves side by side: `maxConcurrentOps`, at most one per pair of nodes.
 */
export function lagModel(model: CostModel, ctx: PlanContext, current: LayoutView): CostModel {
  const horizonMs = pricedSpanMs(ctx);
  if (ctx.input.windowMs === undefined || !(horizonMs > 0)) return model;
  const parallel = Math.max(1, Math.min(ctx.maxConcurrentOps, Math.floor(ctx.usableCount / 2)));
  const moveLoad = ctx.moveLoad > 0 && current.through ? moveLoadPrice(model, ctx, current) : undefined;
  const lag: Lag = { current: timedCost(model, current), fixedMs: ctx.pauses.move, msPerByte: 1000 / (ctx.moveBandwidth * parallel), horizonMs, afterMs: ctx.input.gainAfterMs ?? 0, moveLoad };
  return { ...model, lag };
}

/**
 * The search's price of a transfer's load (`MoveLoadPrice`) on `current`: per node and search
 * window, the overload share (as the overload term: tail load above capacity ÷ the window's
 * total) added by serving at capacity × (1 − moveLoad), integrated over time.
 */
function moveLoadPrice(model: CostModel, ctx: PlanContext, current: LayoutView): MoveLoadPrice {
  const W = ctx.windowCount;
  const windowMs = (ctx.input.windows.length * ctx.input.windowMs!) / W;
  const cap = ctx.nodeCapacity;
  const reduced = cap * (1 - ctx.moveLoad);
  const cum = new Float64Array(ctx.nodeSlots * (W + 1));
  for (let w = 0; w < W; w++) {
    const total = ctx.upperTotals ? ctx.upperTotals[w] : ctx.totals[w];
    const loads = current.nodeUppers(w);
    for (let n = 0; n < ctx.nodeSlots; n++) {
      const at = n * (W + 1) + w;
      const added = total > 0 ? (Math.max(0, loads[n] - reduced) - Math.max(0, loads[n] - cap)) / total : 0;
      cum[at + 1] = cum[at] + added * windowMs;
    }
  }
  return { weight: overloadWeight(model), windowMs, windows: W, cum };
}

/** Overload of a plan over the horizon: while it runs, of its target held throughout, of the current map held throughout. */
export interface ExecutionOverload {
  /** The plan executing on its schedule (old layout until each cut-over, move load on moving nodes). */
  readonly during: number;
  /** The target layout from the start. */
  readonly target: number;
  /** The current layout throughout. */
  readonly current: number;
  /** The schedule's makespan, ms. */
  readonly makespanMs: number;
  /** The span priced over, ms: the payback span, at least the picture's span past the makespan. */
  readonly spanMs: number;
}

/** One picture window's tail loads as prefix sums, its total, and its end (ms). */
interface PictureWindow {
  readonly prefix: Float64Array;
  readonly total: number;
  readonly endMs: number;
}

function pictureWindows(ctx: PlanContext, spanMs: number): PictureWindow[] {
  const full = windowPrefixes(ctx);
  const src = full.upper ?? full.windows;
  const W = ctx.input.windowMs!;
  return src.map((prefix, i) => {
    return { prefix, total: prefix[prefix.length - 1], endMs: i === src.length - 1 ? spanMs : (i + 1) * W };
  });
}

/** Overload share (Σ excess ÷ total) of `map` in one window, with `moving` nodes at reduced capacity. */
function overloadShare(ctx: PlanContext, map: PartitionMap, win: PictureWindow, moving: Uint8Array, moveLoad: number, loads: Float64Array): number {
  if (!(win.total > 0)) return 0;
  const b = map.boundaries;
  const p = win.prefix;
  const pcap = ctx.partitionCapacity;
  loads.fill(0);
  let over = 0;
  for (let i = 0; i + 1 < b.length; i++) {
    const v = p[b[i + 1]] - p[b[i]];
    loads[map.nodes[i]] += v;
    if (v > pcap) over += v - pcap;
  }
  for (let n = 0; n < loads.length; n++) {
    const cap = moving[n] ? ctx.nodeCapacity * (1 - moveLoad) : ctx.nodeCapacity;
    if (loads[n] > cap) over += loads[n] - cap;
  }
  return over / win.total;
}

/** Time-weighted overload of a map held over [t0, t1) with `moving` nodes, over the picture windows. */
function heldOverload(ctx: PlanContext, wins: readonly PictureWindow[], map: PartitionMap, t0: number, t1: number, moving: Uint8Array, moveLoad: number, loads: Float64Array): number {
  let s = 0;
  let from = 0;
  for (const win of wins) {
    const a = Math.max(t0, from);
    const e = Math.min(t1, win.endMs);
    if (e > a) s += (e - a) * overloadShare(ctx, map, win, moving, moveLoad, loads);
    from = win.endMs;
    if (from >= t1) break;
  }
  return s;
}

/** The actions a plan's schedule runs: the operations in flight first (from the map now), then the plan's. */
interface Timeline {
  readonly start: PartitionMap;
  readonly actions: readonly PlanAction[];
  readonly durations: readonly number[];
  readonly dependsOn: readonly (readonly number[])[];
  /** How many leading actions are in flight (not the plan's). */
  readonly k: number;
}

/**
 * The plan's actions with the input's operations in flight ahead of them (`inFlight`): those start
 * at once for what they still run, and a plan action on one of their partitions waits for it.
 * Null when they do not apply in order to the map now (the cluster will fail one).
 */
function withInFlight(ctx: PlanContext, actions: readonly PlanAction[], durations: readonly number[], dependsOn: readonly (readonly number[])[]): Timeline | null {
  const fl = ctx.input.inFlight!;
  const k = fl.ops.length;
  let m = fl.actual;
  try {
    for (const o of fl.ops) m = applyAction(m, o.action);
  } catch (err) {
    if (!(err instanceof MapError)) throw err;
    return null;
  }
  const all = [...fl.ops.map((o) => o.action), ...actions];
  // The operations in flight hold disjoint partitions: each waits for nothing; a plan action also
  // waits for the last earlier action on each of its partitions (an operation in flight or its own).
  const conflicts = conflictDependencies(all);
  return {
    start: fl.actual,
    actions: all,
    durations: [...fl.ops.map((o) => Math.max(0, o.remainingMs)), ...durations],
    dependsOn: all.map((_, i) => (i < k ? [] : [...new Set([...conflicts[i], ...dependsOn[i - k].map((x) => x + k)])])),
    k,
  };
}

/**
 * Overload of `actions` (from `before`, with `dependsOn`) executing on their list schedule, and
 * of the target and the current map held throughout (see `ExecutionOverload`). With operations
 * in flight (`input.inFlight`) the schedule runs them first, from the map now (`before` is the map
 * once they finish); the makespan is then the plan's own actions'. No actions: the operations in
 * flight alone (what doing nothing meets). Needs a timed input (`windowMs`).
 */
export function executionOverload(ctx: PlanContext, before: PartitionMap, actions: readonly PlanAction[], dependsOn: readonly (readonly number[])[]): ExecutionOverload {
  const plain: Timeline = { start: before, actions, durations: actionDurationsMs(ctx, actions, actionBytes(ctx, before, actions)), dependsOn, k: 0 };
  const t = ctx.input.inFlight?.ops.length ? withInFlight(ctx, actions, plain.durations, dependsOn) : null;
  if (t) {
    try {
      return overloadOn(ctx, before, t);
    } catch (err) {
      if (!(err instanceof MapError)) throw err; // a plan action not legal before an operation in flight ends: priced without them
    }
  }
  return overloadOn(ctx, before, plain);
}

function overloadOn(ctx: PlanContext, before: PartitionMap, tl: Timeline): ExecutionOverload {
  const { actions } = tl;
  const sched = scheduleTimes(tl.durations, tl.dependsOn, ctx.maxConcurrentOps);
  let makespanMs = 0;
  for (let i = tl.k; i < actions.length; i++) makespanMs = Math.max(makespanMs, sched.finish[i]);
  const spanMs = spanOf(ctx, makespanMs);
  const wins = pictureWindows(ctx, spanMs);
  const moveLoad = ctx.input.cluster.moveLoad ?? 0;
  const loads = new Float64Array(ctx.nodeSlots);
  const none = new Uint8Array(ctx.nodeSlots);
  // Cut-overs in finish order (ties by index, as the schedule runs them); each transfer's nodes.
  const order = actions.map((_, i) => i).sort((x, y) => sched.finish[x] - sched.finish[y] || x - y);
  const ends: number[] = [];
  const transfers: { from: number; to: number; src: number; dst: number }[] = [];
  const maps: PartitionMap[] = [tl.start];
  let map = tl.start;
  for (const i of order) {
    const a = actions[i];
    if (a.kind === 'move' || a.kind === 'create') {
      const src = map.nodes[map.ids.indexOf(a.partition)];
      if (src !== a.node) transfers.push({ from: sched.start[i], to: sched.finish[i], src, dst: a.node });
    }
    map = applyAction(map, a);
    maps.push(map);
    ends.push(Math.min(sched.finish[i], spanMs));
  }
  // Segments between consecutive events (starts and ends of transfers, cut-overs).
  const times = new Set<number>([0, spanMs]);
  for (const e of ends) times.add(e);
  for (const t of transfers) {
    if (t.from < spanMs) times.add(t.from);
    if (t.to < spanMs) times.add(t.to);
  }
  const cuts = [...times].filter((t) => t <= spanMs).sort((x, y) => x - y);
  const moving = new Uint8Array(ctx.nodeSlots);
  let during = 0;
  let applied = 0;
  for (let s = 0; s + 1 < cuts.length; s++) {
    const t0 = cuts[s];
    const t1 = cuts[s + 1];
    while (applied < ends.length && ends[applied] <= t0) applied++;
    moving.fill(0);
    if (moveLoad > 0) for (const t of transfers) if (t.from <= t0 && t0 < t.to) moving[t.src] = moving[t.dst] = 1;
    during += heldOverload(ctx, wins, maps[applied], t0, t1, moving, moveLoad, loads);
  }
  const target = heldOverload(ctx, wins, map, 0, spanMs, none, 0, loads);
  const current = heldOverload(ctx, wins, before, 0, spanMs, none, 0, loads);
  return { during: during / spanMs, target: target / spanMs, current: current / spanMs, makespanMs, spanMs };
}

/**
 * The cost of reaching `target` by the plan whose execution `ex` describes: the search's price of
 * time with the schedule's makespan for f, the overload term replaced by the executed overload
 * (relative to what the blend assumed). `base` is the model without `lag`.
 */
export function pricedCost(base: CostModel, lag: Lag, target: LayoutView, ex: ExecutionOverload): number {
  let all = 0;
  for (let t = 0; t < base.terms.length; t++) if (base.weights[t] !== 0) all += base.weights[t] * base.terms[t].value(target);
  const timed = timedCost(base, target);
  const f = ex.makespanMs > 0 ? Math.min(1, ex.makespanMs / ex.spanMs) : 0;
  const assumed = (1 - f) * ex.target + f * ex.current;
  return all - timed + (1 - f) * timed + f * lag.current + overloadWeight(base) * (ex.during - assumed);
}

/** Σ weight of the model's soft overload terms. */
function overloadWeight(model: CostModel): number {
  let w = 0;
  for (let t = 0; t < model.terms.length; t++) if (model.terms[t].name === 'overload' && model.terms[t].kind === 'soft') w += model.weights[t];
  return w;
}

/**
 * What the operations in flight (`input.inFlight`) add to the cost of doing nothing: the overload
 * met while they finish (the old layout serving, their nodes loaded) over that of the map once
 * they have, held throughout. 0 without them or without a timed input.
 */
export function inFlightCost(base: CostModel, ctx: PlanContext): number {
  if (!ctx.input.inFlight?.ops.length || ctx.input.windowMs === undefined || !(pricedSpanMs(ctx) > 0)) return 0;
  const ex = executionOverload(ctx, ctx.input.map, [], []);
  return overloadWeight(base) * (ex.during - ex.current);
}

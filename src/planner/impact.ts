/**
 * Impact figures of a configuration over the horizon (all input windows, not the search's
 * grouped ones): max partition and node load, imbalance, overloaded windows; and of a plan's
 * actions: bytes sent, pauses, and an execution-time estimate (list scheduling with the
 * dependencies and `maxConcurrentOps`, each move at the full move bandwidth).
 */
import { type Impact, type PartitionMap, type PlanAction } from '../model/index.ts';
import { windowPrefixes, type PlanContext } from './context.ts';

/** Bytes each action sends (moves: the whole partition; creates: the new half), replayed from `before`. */
export function actionBytes(ctx: PlanContext, before: PartitionMap, actions: readonly PlanAction[]): number[] {
  // Track each partition's range by id (O(1) per action; the actions are legal by construction).
  const range = new Map<string, [number, number]>();
  before.ids.forEach((id, i) => range.set(id, [before.boundaries[i], before.boundaries[i + 1]]));
  const p = ctx.statePrefix;
  return actions.map((a) => {
    const r = range.get(a.partition)!;
    switch (a.kind) {
      case 'move':
        return p[r[1]] - p[r[0]];
      case 'create':
      case 'split': {
        range.set(a.newId, [a.at, r[1]]);
        const bytes = a.kind === 'create' ? p[r[1]] - p[a.at] : 0;
        r[1] = a.at;
        return bytes;
      }
      case 'merge': {
        r[1] = range.get(a.with)![1];
        range.delete(a.with);
        return 0;
      }
    }
  });
}

/** Duration of each action in ms: its pause, plus bytes ÷ bandwidth for moves and creates. */
export function actionDurationsMs(ctx: PlanContext, actions: readonly PlanAction[], bytes: readonly number[]): number[] {
  const { split, merge, move } = ctx.pauses;
  return actions.map((a, i) => {
    const send = (bytes[i] / ctx.moveBandwidth) * 1000;
    if (a.kind === 'split') return split;
    if (a.kind === 'merge') return merge;
    if (a.kind === 'move') return move + send;
    return split + move + send;
  });
}

/** Start and finish (ms from the plan's start) of each action in the list schedule, and the makespan. */
export interface ScheduleTimes {
  readonly start: Float64Array;
  readonly finish: Float64Array;
  readonly makespanMs: number;
}

/**
 * List schedule of the actions with their dependencies, at most `slots` at a time: ready actions
 * start in index order as slots free up (what the APM does, each at its estimated duration).
 */
export function scheduleTimes(durations: readonly number[], dependsOn: readonly (readonly number[])[], slots: number): ScheduleTimes {
  const n = durations.length;
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const remaining = Int32Array.from(dependsOn, (d) => d.length);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  dependsOn.forEach((d, i) => d.forEach((x) => dependents[x].push(i)));
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (remaining[i] === 0) ready.push(i);
  // Running actions as [finish time, index], kept sorted by finish then index.
  const running: [number, number][] = [];
  let now = 0;
  let end = 0;
  let head = 0;
  for (;;) {
    // Start ready actions in index order while slots are free (ready grows in index order per wave).
    while (running.length < slots && head < ready.length) {
      const i = ready[head++];
      const f = now + durations[i];
      start[i] = now;
      finish[i] = f;
      let a = 0;
      while (a < running.length && (running[a][0] < f || (running[a][0] === f && running[a][1] < i))) a++;
      running.splice(a, 0, [f, i]);
    }
    if (running.length === 0) break;
    const [f, i] = running.shift()!;
    now = f;
    end = Math.max(end, f);
    const freed: number[] = [];
    for (const m of dependents[i]) if (--remaining[m] === 0) freed.push(m);
    if (freed.length > 0) {
      const rest = ready.slice(head).concat(freed).sort((x, y) => x - y);
      ready.length = 0;
      ready.push(...rest);
      head = 0;
    }
  }
  return { start, finish, makespanMs: end };
}

/** Makespan of running the actions with their dependencies, at most `slots` at a time (ms). */
export function scheduleMakespanMs(durations: readonly number[], dependsOn: readonly (readonly number[])[], slots: number): number {
  return scheduleTimes(durations, dependsOn, slots).makespanMs;
}

/**
 * What holding `map` over every input window gives: the largest partition and node load, the
 * sum over windows of max ÷ mean partition load, and the windows with a node over capacity (tail
 * loads when given).
 */
function heldImpact(ctx: PlanContext, map: PartitionMap): { maxPart: number; maxNode: number; imb: number; overloaded: number } {
  const b = map.boundaries;
  const k = b.length - 1;
  let maxPart = 0;
  let maxNode = 0;
  let imb = 0;
  let overloaded = 0;
  const full = windowPrefixes(ctx);
  const nl = new Float64Array(ctx.nodeSlots);
  const nu = full.upper ? new Float64Array(ctx.nodeSlots) : nl;
  for (let w = 0; w < full.windows.length; w++) {
    const p = full.windows[w];
    nl.fill(0);
    let mp = 0;
    for (let i = 0; i < k; i++) {
      const v = p[b[i + 1]] - p[b[i]];
      if (v > mp) mp = v;
      nl[map.nodes[i]] += v;
    }
    const total = p[p.length - 1];
    imb += total > 0 ? mp / (total / k) : 1;
    maxPart = Math.max(maxPart, mp);
    let over = false;
    if (full.upper) {
      const pu = full.upper[w];
      nu.fill(0);
      for (let i = 0; i < k; i++) nu[map.nodes[i]] += pu[b[i + 1]] - pu[b[i]];
    }
    for (let n = 0; n < nl.length; n++) {
      maxNode = Math.max(maxNode, nl[n]);
      if (nu[n] > ctx.nodeCapacity) over = true;
    }
    if (over) overloaded++;
  }
  return { maxPart, maxNode, imb, overloaded };
}

/** Impact of holding `map` over the input windows (plus the plan's `actions` from `before`, if any). */
export function impactOf(
  ctx: PlanContext,
  map: PartitionMap,
  plan?: { before: PartitionMap; actions: readonly PlanAction[]; dependsOn: readonly (readonly number[])[] },
  cost?: number,
): Impact {
  const { maxPart, maxNode, imb, overloaded } = heldImpact(ctx, map);
  let movedBytes = 0;
  let disruptionMs = 0;
  let durationMs = 0;
  if (plan && plan.actions.length > 0) {
    const bytes = actionBytes(ctx, plan.before, plan.actions);
    movedBytes = bytes.reduce((a, x) => a + x, 0);
    const { split, merge, move } = ctx.pauses;
    for (const a of plan.actions) disruptionMs += a.kind === 'split' ? split : a.kind === 'merge' ? merge : a.kind === 'move' ? move : split + move;
    durationMs = scheduleMakespanMs(actionDurationsMs(ctx, plan.actions, bytes), plan.dependsOn, ctx.maxConcurrentOps);
  }
  const out: Impact = {
    maxPartitionLoad: maxPart,
    maxNodeLoad: maxNode,
    movedBytes,
    imbalance: imb / ctx.input.windows.length,
    overloadedWindows: overloaded,
    disruptionMs,
    durationMs,
    ...(cost !== undefined ? { cost } : {}),
  };
  return out;
}

/**
 * Impact figures of a configuration over the horizon (all input windows, not the search's
 * grouped ones): max partition and node load, imbalance, overloaded windows; and of a plan's
 * actions: bytes sent, pauses, and an execution-time estimate (list scheduling with the
 * dependencies and `maxConcurrentOps`, each move at the full move bandwidth).
 */
import { applyAction, prefixSums, type Impact, type PartitionMap, type PlanAction } from '../model/index.ts';
import type { PlanContext } from './context.ts';

/** Bytes each action sends (moves: the whole partition; creates: the new half), replayed from `before`. */
export function actionBytes(ctx: PlanContext, before: PartitionMap, actions: readonly PlanAction[]): number[] {
  let m = before;
  const p = ctx.statePrefix;
  return actions.map((a) => {
    let bytes = 0;
    if (a.kind === 'move') {
      const i = m.ids.indexOf(a.partition);
      bytes = p[m.boundaries[i + 1]] - p[m.boundaries[i]];
    } else if (a.kind === 'create') {
      const i = m.ids.indexOf(a.partition);
      bytes = p[m.boundaries[i + 1]] - p[a.at];
    }
    m = applyAction(m, a);
    return bytes;
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

/** Makespan of running the actions with their dependencies, at most `slots` at a time (ms). */
export function scheduleMakespanMs(durations: readonly number[], dependsOn: readonly (readonly number[])[], slots: number): number {
  const n = durations.length;
  const finish = new Float64Array(n).fill(-1);
  const running: number[] = []; // finish times of running actions
  let now = 0;
  let done = 0;
  const started = new Uint8Array(n);
  while (done < n) {
    // Start every ready action, in index order, while slots are free.
    for (let i = 0; i < n && running.length < slots; i++) {
      if (started[i]) continue;
      if (dependsOn[i].every((d) => finish[d] >= 0 && finish[d] <= now)) {
        started[i] = 1;
        finish[i] = now + durations[i];
        running.push(finish[i]);
      }
    }
    if (running.length === 0) break; // unreachable with acyclic dependencies
    running.sort((a, b) => a - b);
    now = running.shift()!;
    done++;
  }
  let end = 0;
  for (let i = 0; i < n; i++) end = Math.max(end, finish[i]);
  return end;
}

/** Impact of holding `map` over the input windows (plus the plan's `actions` from `before`, if any). */
export function impactOf(
  ctx: PlanContext,
  map: PartitionMap,
  plan?: { before: PartitionMap; actions: readonly PlanAction[]; dependsOn: readonly (readonly number[])[] },
  cost?: number,
): Impact {
  const input = ctx.input;
  const b = map.boundaries;
  const k = b.length - 1;
  let maxPart = 0;
  let maxNode = 0;
  let imb = 0;
  let overloaded = 0;
  for (let w = 0; w < input.windows.length; w++) {
    const p = prefixSums(input.windows[w]);
    const nl = new Float64Array(ctx.nodeSlots);
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
    let nu = nl;
    if (input.upper) {
      const pu = prefixSums(input.upper[w]);
      nu = new Float64Array(ctx.nodeSlots);
      for (let i = 0; i < k; i++) nu[map.nodes[i]] += pu[b[i + 1]] - pu[b[i]];
    }
    for (let n = 0; n < nl.length; n++) {
      maxNode = Math.max(maxNode, nl[n]);
      if (nu[n] > ctx.nodeCapacity) over = true;
    }
    if (over) overloaded++;
  }
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
    imbalance: imb / input.windows.length,
    overloadedWindows: overloaded,
    disruptionMs,
    durationMs,
    ...(cost !== undefined ? { cost } : {}),
  };
  return out;
}

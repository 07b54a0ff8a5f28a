/**
 * The APM's execution schedule, estimated without running anything (`keycast plan --schedule`):
 * batches in dependency order, at most `maxConcurrentOps` at once, each action's estimated start
 * and duration. Durations: split/merge = their pause; move = state bytes / bandwidth + move pause;
 * create = bytes of the moving half / bandwidth + split and move pauses. Concurrent transfers
 * that share a node share its bandwidth (the estimate stretches them accordingly).
 */
import type { PartitionMap } from '../model/partition-map.ts';
import { partitionsTouched, type Plan, type PlanAction } from '../model/plan.ts';
import { applyAction } from '../model/apply-action.ts';
import { planBatches } from './batches.ts';

export interface ScheduleCluster {
  readonly moveBandwidth: number;
  readonly pauses: { readonly split: number; readonly merge: number; readonly move: number };
  readonly maxConcurrentOps: number;
}

export interface ScheduledAction {
  readonly index: number;
  readonly action: PlanAction;
  readonly batch: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly bytes: number;
  /** Nodes whose bandwidth the transfer uses. */
  readonly nodes: readonly number[];
}

export interface Schedule {
  readonly actions: readonly ScheduledAction[];
  readonly batches: number;
  readonly makespanMs: number;
}

/** Bytes an action sends, from per-bucket state bytes and the map just before it, and the nodes its transfer uses. */
export function transferOf(map: PartitionMap, a: PlanAction, stateBytes: ArrayLike<number>): { bytes: number; nodes: number[] } {
  const i = map.ids.indexOf(a.partition);
  if (i < 0 || (a.kind !== 'move' && a.kind !== 'create')) return { bytes: 0, nodes: [] };
  const lo = a.kind === 'create' ? a.at : map.boundaries[i];
  let s = 0;
  for (let b = lo; b < map.boundaries[i + 1]; b++) s += stateBytes[b];
  return { bytes: s, nodes: [map.nodes[i], a.node] };
}

/** The pause an action makes (a create splits, then moves). */
function pauseOf(a: PlanAction, cluster: ScheduleCluster): number {
  const p = cluster.pauses;
  return a.kind === 'split' ? p.split : a.kind === 'merge' ? p.merge : a.kind === 'move' ? p.move : p.split + p.move;
}

/** Estimated ms `a` runs on `map`: its pause, plus the bytes it sends at `moveBandwidth / share`. */
export function actionEstimateMs(map: PartitionMap, a: PlanAction, stateBytes: ArrayLike<number>, cluster: ScheduleCluster, share = 1): number {
  const { bytes } = transferOf(map, a, stateBytes);
  return (bytes > 0 ? ((bytes * share) / Math.max(1, cluster.moveBandwidth)) * 1000 : 0) + pauseOf(a, cluster);
}

/** Estimates the schedule of `plan` (its `before` map, in action order). */
export function estimateSchedule(plan: Pick<Plan, 'before' | 'actions' | 'dependsOn'>, stateBytes: ArrayLike<number>, cluster: ScheduleCluster): Schedule {
  const { batchOf, count } = planBatches(plan.actions.length, plan.dependsOn);
  let map = plan.before;
  const info = plan.actions.map((a) => {
    const x = transferOf(map, a, stateBytes);
    try {
      map = applyAction(map, a);
    } catch {
      /* an illegal plan still gets an estimate */
    }
    return x;
  });
  const bw = Math.max(1, cluster.moveBandwidth);
  const out: ScheduledAction[] = [];
  let t = 0;
  for (let b = 0; b < count; b++) {
    const ids = plan.actions.map((_, i) => i).filter((i) => batchOf[i] === b);
    // Waves of at most maxConcurrentOps actions.
    for (let w = 0; w < ids.length; w += Math.max(1, cluster.maxConcurrentOps)) {
      const wave = ids.slice(w, w + Math.max(1, cluster.maxConcurrentOps));
      const users = new Map<number, number>();
      for (const i of wave) for (const n of info[i].nodes) users.set(n, (users.get(n) ?? 0) + 1);
      let waveEnd = t;
      for (const i of wave) {
        const a = plan.actions[i];
        const share = Math.max(1, ...info[i].nodes.map((n) => users.get(n) ?? 1));
        const transfer = info[i].bytes > 0 ? (info[i].bytes / (bw / share)) * 1000 : 0;
        const d = Math.round(transfer + pauseOf(a, cluster));
        out.push({ index: i, action: a, batch: b, startMs: t, durationMs: d, bytes: Math.round(info[i].bytes), nodes: info[i].nodes });
        waveEnd = Math.max(waveEnd, t + d);
      }
      t = waveEnd;
    }
  }
  return { actions: out, batches: count, makespanMs: t };
}

/**
 * Dependencies inferred from the actions alone: action j waits for every earlier action that
 * touches one of the same partitions (ids, including the new id of a split) — enough for a plan
 * whose actions are legal in order.
 */
export function inferDependencies(actions: readonly PlanAction[]): number[][] {
  return actions.map((a, j) => {
    const mine = new Set(partitionsTouched(a));
    const deps: number[] = [];
    for (let i = 0; i < j; i++) if (partitionsTouched(actions[i]).some((x) => mine.has(x))) deps.push(i);
    return deps;
  });
}

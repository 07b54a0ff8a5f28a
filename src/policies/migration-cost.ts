/**
 * What a migration of the spread strategy (spread.ts) costs while it runs, in records that wait.
 * Its actions run on the APM's estimated schedule (manager/schedule.ts: dependency batches,
 * `maxConcurrentOps` at once, moves that share a node sharing its bandwidth) and the layout
 * changes at each cut-over, so a node that receives stripes before it gives its own away carries
 * both meanwhile; a node loses `moveLoad` of its capacity while it sends or receives. A node's
 * load is normal around the window's rate with the spread of the policy's tick noise (as stripe
 * placement reads it, stripe-placement.ts `waiting`): the records of the ticks over what is left
 * wait. A node over it in the mean builds a backlog, which drains after the migration on the
 * target layout's spare capacity, its records waiting until it has (a fluid queue). Under a churn
 * budget an action starts only once the budget has its bytes (`paced`), as the policy runs the
 * migration in cuts that fit it.
 */
import { applyAction } from '../model/apply-action.ts';
import { nodeLoads, partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { Plan } from '../model/plan.ts';
import { estimateSchedule, type Schedule, type ScheduledAction } from '../manager/schedule.ts';
import { waiting } from './stripe-placement.ts';
import { Z90 } from './truth-source.ts';
import type { ClusterFacts } from './policy.ts';

/** The migration from `base` to `target`: its actions and their dependencies, as a plan has them. */
export interface MigrationInput extends Pick<Plan, 'actions' | 'dependsOn'> {
  readonly base: PartitionMap;
  readonly target: PartitionMap;
  /** Records/s per bucket (the window just observed), and without the buckets that wait under any layout. */
  readonly rates: Float64Array;
  readonly avoidable: Float64Array;
  /** State bytes per bucket now. */
  readonly state: Float64Array;
  readonly cluster: Pick<ClusterFacts, 'nodeCapacity' | 'moveBandwidth' | 'moveLoad' | 'pauses' | 'maxConcurrentOps'>;
  /** Node index bound (loads are indexed by node). */
  readonly dim: number;
  /** The p90 relative excess of a tick's load over its window's mean (0: unknown). */
  readonly noise: number;
  /** Span the cost is counted over, s (a longer migration is cut there). */
  readonly horizonS: number;
  /** A churn budget's pace, bytes/s (absent or Infinity: none). */
  readonly paceBytesPerSec?: number;
}

export interface MigrationCost {
  /** The schedule's makespan, s (at most `horizonS`). */
  readonly seconds: number;
  /** Avoidable records expected to wait during the migration and while its backlog drains (record·s / s = records). */
  readonly waiting: number;
}

export function migrationCost(p: MigrationInput): MigrationCost {
  const c = p.cluster;
  const sched = paced(estimateSchedule({ before: p.base, actions: p.actions, dependsOn: p.dependsOn }, p.state, c), p.paceBytesPerSec ?? Infinity, p.dependsOn);
  const endMs = Math.min(p.horizonS * 1000, sched.makespanMs);
  const finish = (i: number) => sched.actions[i].startMs + sched.actions[i].durationMs;
  const byFinish = sched.actions.map((_, i) => i).sort((x, y) => finish(x) - finish(y) || sched.actions[x].index - sched.actions[y].index);
  const times = [...new Set([0, endMs, ...sched.actions.flatMap((x) => [x.startMs, x.startMs + x.durationMs])])].filter((t) => t <= endMs).sort((x, y) => x - y);
  const rel = Math.max(0, p.noise) / Z90;
  const left = c.nodeCapacity * (1 - (c.moveLoad ?? 0));
  const excess = new Float64Array(p.dim);
  let map = p.base;
  let k = 0;
  let w = 0;
  for (let s = 0; s + 1 < times.length; s++) {
    const [t0, t1] = [times[s], times[s + 1]];
    for (; k < byFinish.length && finish(byFinish[k]) <= t0; k++) map = applyAction(map, sched.actions[byFinish[k]].action);
    const moving = new Set<number>();
    for (const x of sched.actions) if (x.bytes > 0 && x.startMs <= t0 && t0 < x.startMs + x.durationMs) for (const n of x.nodes) moving.add(n);
    const loads = nodeLoads(map, partitionLoads(map, p.rates), p.dim);
    const avoid = nodeLoads(map, partitionLoads(map, p.avoidable), p.dim);
    const dt = (t1 - t0) / 1000;
    for (let n = 0; n < p.dim; n++) {
      const m = loads[n];
      if (!(m > 0)) continue;
      const cap = moving.has(n) ? left : c.nodeCapacity;
      w += (avoid[n] / m) * waiting(m, rel, cap) * dt;
      excess[n] += Math.max(0, m - cap) * dt;
    }
  }
  // The backlog drains on the target's spare capacity; where it has none, what waits there is the
  // target's own score (the caller's, which counts its stripes as they will be placed).
  const seconds = endMs / 1000;
  const after = nodeLoads(p.target, partitionLoads(p.target, p.rates), p.dim);
  const afterAvoid = nodeLoads(p.target, partitionLoads(p.target, p.avoidable), p.dim);
  for (let n = 0; n < p.dim; n++) {
    if (excess[n] > 0 && after[n] < c.nodeCapacity) w += afterAvoid[n] * Math.min(excess[n] / (c.nodeCapacity - after[n]), p.horizonS - seconds);
  }
  return { seconds, waiting: w };
}

/**
 * `sched` under a churn budget of `pace` bytes/s (`3600 × pace` a rolling hour): an action starts
 * no sooner than the budget has the bytes of the actions started before it and its own (the
 * first hour's at once, then `pace`), nor before its dependencies (`dependsOn`, by plan index)
 * end; each runs at the schedule's speed once started. `sched` itself when nothing waits.
 */
export function paced(sched: Schedule, pace: number, dependsOn: readonly (readonly number[])[]): Schedule {
  if (!(pace > 0) || pace === Infinity) return sched;
  const order = sched.actions.map((_, k) => k).sort((x, y) => sched.actions[x].startMs - sched.actions[y].startMs || sched.actions[x].index - sched.actions[y].index);
  const end = new Map<number, number>();
  const actions: ScheduledAction[] = [];
  let sent = 0;
  let waits = false;
  for (const k of order) {
    const a = sched.actions[k];
    sent += a.bytes;
    let t = a.bytes > 0 ? Math.max(a.startMs, ((sent - 3600 * pace) / pace) * 1000) : a.startMs;
    for (const d of dependsOn[a.index] ?? []) t = Math.max(t, end.get(d) ?? 0);
    waits ||= t > a.startMs;
    end.set(a.index, t + a.durationMs);
    actions.push({ ...a, startMs: t });
  }
  return waits ? { ...sched, actions, makespanMs: Math.max(sched.makespanMs, ...actions.map((a) => a.startMs + a.durationMs)) } : sched;
}

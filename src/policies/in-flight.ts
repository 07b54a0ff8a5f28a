/**
 * The operations running when a policy plans, as the PRE prices them (planner/types.ts
 * `InFlight`): each one's action and the ms it still runs, estimated as the APM's schedule does
 * (its bytes at the move bandwidth shared with the other transfers on its nodes, plus its pause)
 * from when it last started. An operation past its estimate is taken to end now.
 */
import type { PartitionMap, PlanAction } from '../model/index.ts';
import { actionEstimateMs, transferOf, type ScheduleCluster } from '../manager/schedule.ts';
import type { InFlight } from '../planner/types.ts';

export function inFlightNow(actual: PartitionMap, ops: readonly { action: PlanAction; startedAtMs: number }[], stateBytes: ArrayLike<number>, cluster: ScheduleCluster, nowMs: number): InFlight {
  const ends = ops.map((o) => transferOf(actual, o.action, stateBytes).nodes);
  const users = new Map<number, number>();
  for (const e of ends) for (const n of e) users.set(n, (users.get(n) ?? 0) + 1);
  return {
    actual,
    ops: ops.map((o, k) => {
      const share = Math.max(1, ...ends[k].map((n) => users.get(n) ?? 1));
      return { action: o.action, remainingMs: Math.max(0, o.startedAtMs + actionEstimateMs(actual, o.action, stateBytes, cluster, share) - nowMs) };
    }),
  };
}

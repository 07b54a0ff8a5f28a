/**
 * The APM's plan caps (`apm.maxPlanActions`, `apm.maxPlanBytes`), applied by a planning policy
 * before it hands a plan over: a plan above them executes only its first actions, and the next
 * decision plans the rest from where the cluster then is (planning-policy.ts). The same cut, with
 * no action over it, fits the spread strategy's plans into what is left of a churn budget.
 */
import type { ApmConfig } from '../manager/apm-config.ts';
import { applyActions } from '../model/apply-action.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import type { Plan } from '../model/plan.ts';
import { estimateSchedule, type Schedule, type ScheduleCluster } from '../manager/schedule.ts';

/** Each action's moved bytes from its estimated schedule, in the plan's order (the schedule lists them by batch). */
export function bytesInPlanOrder(schedule: Schedule, n: number): number[] {
  const bytes = new Array<number>(n).fill(0);
  for (const a of schedule.actions) bytes[a.index] = a.bytes;
  return bytes;
}

/**
 * `plan` itself when within the caps, else its first actions (in order, each with its
 * dependencies) within them (a first action above the byte cap runs alone), marked `capped`;
 * `bytes[i]` is action i's moved bytes. The cut keeps the whole plan's `savings`.
 */
export function capPlan(plan: Plan, bytes: readonly number[], apm: Pick<ApmConfig, 'maxPlanActions' | 'maxPlanBytes'>): Plan {
  const n = plan.actions.length;
  const total = bytes.reduce((x, y) => x + y, 0);
  if (n <= apm.maxPlanActions && total <= apm.maxPlanBytes) return plan;
  return cutTo(plan, bytes, apm.maxPlanActions, apm.maxPlanBytes, false)!;
}

/**
 * `plan` within `budget` bytes: itself when it fits, else its first actions (in order, each with
 * its dependencies) that fit, none over it (actions that move nothing always fit), marked
 * `capped`, its `predicted.movedBytes` what the cut moves; null when no action fits.
 */
export function budgetCut(plan: Plan, bytes: readonly number[], budget: number): Plan | null {
  const total = bytes.reduce((x, y) => x + y, 0);
  const cut = total <= budget ? plan : cutTo(plan, bytes, plan.actions.length, budget, true);
  if (!cut) return null;
  const at = new Map(plan.actions.map((a, i) => [a, i]));
  const moved = cut === plan ? total : cut.actions.reduce((a, x) => a + bytes[at.get(x)!], 0);
  return { ...cut, predicted: { ...cut.predicted, movedBytes: moved } };
}

/** Each action's moved bytes in the plan's order, from the APM's schedule estimate on `state` (what both cuts read). */
export function planActionBytes(plan: Plan, state: ArrayLike<number>, cluster: ScheduleCluster): number[] {
  return bytesInPlanOrder(estimateSchedule(plan, state, cluster), plan.actions.length);
}

/**
 * The first actions of `plan` (in order, each with its dependencies) within `maxActions` and
 * `maxBytes`; without `strict` a first action over `maxBytes` runs alone. Null when nothing is kept.
 */
function cutTo(plan: Plan, bytes: readonly number[], maxActions: number, maxBytes: number, strict: boolean): Plan | null {
  const n = plan.actions.length;
  const total = bytes.reduce((x, y) => x + y, 0);
  const keep: number[] = [];
  const kept = new Set<number>();
  let sum = 0;
  for (let i = 0; i < n && keep.length < maxActions; i++) {
    if (!plan.dependsOn[i].every((d) => kept.has(d))) continue;
    if ((strict || keep.length > 0) && sum + bytes[i] > maxBytes) continue;
    keep.push(i);
    kept.add(i);
    sum += bytes[i];
  }
  if (keep.length === 0) return null;
  let actions = keep.map((i) => plan.actions[i]);
  let after: PartitionMap;
  try {
    after = applyActions(plan.before, actions);
  } catch {
    // Skipping an action made a later one illegal: fall back to the plain prefix.
    let k = 0;
    while (k < keep.length && keep[k] === k) k++;
    if (strict && k === 0) return null;
    actions = plan.actions.slice(0, Math.max(1, k));
    after = applyActions(plan.before, actions);
  }
  const index = new Map(plan.actions.map((a, i) => [a, i]));
  const newIndex = new Map(actions.map((a, j) => [index.get(a)!, j]));
  const dependsOn = actions.map((a) => plan.dependsOn[index.get(a)!].map((d) => newIndex.get(d)!));
  return { ...plan, actions, dependsOn, after, capped: { actions: n, bytes: total } };
}

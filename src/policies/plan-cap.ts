/**
 * The APM's plan caps (`apm.maxPlanActions`, `apm.maxPlanBytes`), applied by a planning policy
 * before it hands a plan over: a plan above them executes only its first actions, and the next
 * decision plans the rest from where the cluster then is (planning-policy.ts).
 */
import type { ApmConfig } from '../manager/apm-config.ts';
import { applyActions } from '../model/apply-action.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import type { Plan } from '../model/plan.ts';

/**
 * `plan` itself when within the caps, else its first actions (in order, each with its
 * dependencies) within them (a first action above the byte cap runs alone), marked `capped`;
 * `bytes[i]` is action i's moved bytes. The cut keeps the whole plan's `savings`.
 */
export function capPlan(plan: Plan, bytes: readonly number[], apm: Pick<ApmConfig, 'maxPlanActions' | 'maxPlanBytes'>): Plan {
  const n = plan.actions.length;
  const total = bytes.reduce((x, y) => x + y, 0);
  if (n <= apm.maxPlanActions && total <= apm.maxPlanBytes) return plan;
  const keep: number[] = [];
  const kept = new Set<number>();
  let sum = 0;
  for (let i = 0; i < n && keep.length < apm.maxPlanActions; i++) {
    if (!plan.dependsOn[i].every((d) => kept.has(d))) continue;
    if (keep.length > 0 && sum + bytes[i] > apm.maxPlanBytes) continue;
    keep.push(i);
    kept.add(i);
    sum += bytes[i];
  }
  let actions = keep.map((i) => plan.actions[i]);
  let after: PartitionMap;
  try {
    after = applyActions(plan.before, actions);
  } catch {
    // Skipping an action made a later one illegal: fall back to the plain prefix.
    let k = 0;
    while (k < keep.length && keep[k] === k) k++;
    actions = plan.actions.slice(0, Math.max(1, k));
    after = applyActions(plan.before, actions);
  }
  const index = new Map(plan.actions.map((a, i) => [a, i]));
  const newIndex = new Map(actions.map((a, j) => [index.get(a)!, j]));
  const dependsOn = actions.map((a) => plan.dependsOn[index.get(a)!].map((d) => newIndex.get(d)!));
  return { ...plan, actions, dependsOn, after, capped: { actions: n, bytes: total } };
}

/**
 * Keeps a plan's partition count within `maxPartitions` while the APM runs it. The derived order
 * (derive-actions.ts) splits a partition just before the merge that pairs with it, so counted
 * action by action it rises at most one above the larger of the counts before and after. But
 * the APM runs every action whose dependencies are done at once (a batch), so a plan with many
 * boundary shifts could start all its splits before any merge and be refused at the limit,
 * then rolled back. Here a split or create that could push the count over the cap even if it ran
 * alone with every earlier split (no merge done yet) waits for every merge before it in the
 * order. Then at any instant the count is at most the count of the order at the last split
 * started, so at most its peak (`peak`), which the PRE checks against the cap.
 */
import type { PartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';

export interface CountSafe {
  readonly dependsOn: number[][];
  /** Largest partition count of the order, action by action. */
  readonly peak: number;
}

/** Dependencies of `actions` (in order, from `before`) that keep the count within `cap` while they run in parallel. */
export function countSafe(before: PartitionMap, actions: readonly PlanAction[], dependsOn: readonly (readonly number[])[], cap: number): CountSafe {
  let count = before.ids.length;
  let peak = count;
  let splits = 0;
  const merges: number[] = [];
  const out = dependsOn.map((d) => d.slice());
  actions.forEach((a, i) => {
    if (a.kind === 'split' || a.kind === 'create') {
      splits++;
      count++;
      if (before.ids.length + splits > cap && merges.length > 0) {
        const d = new Set(out[i]);
        for (const m of merges) d.add(m);
        out[i] = [...d].sort((x, y) => x - y);
      }
    } else if (a.kind === 'merge') {
      merges.push(i);
      count--;
    }
    if (count > peak) peak = count;
  });
  return { dependsOn: out, peak };
}

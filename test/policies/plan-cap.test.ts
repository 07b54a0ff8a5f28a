/** The APM's plan caps and the churn budget's cut of a plan (src/policies/plan-cap.ts). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { budgetCut, bytesInPlanOrder, capPlan } from '../../src/policies/plan-cap.ts';
import { equalPartitionMap } from '../../src/model/partition-map.ts';
import { applyActions } from '../../src/model/apply-action.ts';
import { estimateSchedule } from '../../src/manager/schedule.ts';
import type { Plan, PlanAction } from '../../src/model/plan.ts';

const before = equalPartitionMap(64, 8, 4);
const impact = { maxPartitionLoad: 0, maxNodeLoad: 0, movedBytes: 0, imbalance: 1 };

/** A legal plan on `before`: a split with its new half's move (batches 0 and 1) first, then moves of partitions p1–p7 (batch 0). */
function planOf(moves: readonly [number, number][], split: boolean): Plan {
  const actions: PlanAction[] = [];
  const dependsOn: number[][] = [];
  if (split) {
    actions.push({ kind: 'split', partition: 'p0', at: 4, newId: 'p100' }, { kind: 'move', partition: 'p100', node: 3 });
    dependsOn.push([], [0]);
  }
  for (const [p, n] of moves) {
    actions.push({ kind: 'move', partition: `p${p}`, node: n });
    dependsOn.push([]);
  }
  return { id: 'p', createdAtMs: 0, basis: 't', before, after: applyActions(before, actions), actions, dependsOn, current: impact, predicted: impact, savings: 0.5 };
}

describe('bytesInPlanOrder', () => {
  it('gives each action its own bytes when the schedule lists them by batch', () => {
    // The split and the moves run in batch 0, the split half's move (second in the plan) in batch
    // 1; state grows with the bucket, so every partition sends its own amount.
    const plan = planOf([[2, 3], [5, 0]], true);
    const state = Float64Array.from({ length: 64 }, (_, b) => 1000 * (b + 1));
    const sched = estimateSchedule(plan, state, { moveBandwidth: 1e6, pauses: { split: 0, merge: 0, move: 0 }, maxConcurrentOps: 1 });
    const bytes = bytesInPlanOrder(sched, plan.actions.length);
    const sum = (lo: number, hi: number) => Array.from({ length: hi - lo }, (_, i) => 1000 * (lo + i + 1)).reduce((a, x) => a + x, 0);
    expect(sched.actions.map((a) => a.index)).toEqual([0, 2, 3, 1]);
    expect(bytes).toEqual([0, sum(4, 8), sum(16, 24), sum(40, 48)]);
  });
});

describe('budgetCut', () => {
  it('keeps a plan that fits whole, with what it moves as its predicted bytes', () => {
    const plan = planOf([[2, 3]], false);
    const cut = budgetCut(plan, [500], 500)!;
    expect(cut.actions).toEqual(plan.actions);
    expect(cut.capped).toBeUndefined();
    expect(cut.predicted.movedBytes).toBe(500);
  });

  it('never keeps an action over what is left, keeps actions that move nothing, and each kept action’s dependencies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 3000 }),
        (raw, split, sizes, budget) => {
          // One move per partition (a later one would depend on the earlier).
          const moves = [...new Map(raw.filter(([p, n]) => before.nodes[p] !== n)).entries()];
          if (moves.length === 0) return true;
          const plan = planOf(moves, split);
          const bytes = plan.actions.map((a) => (a.kind === 'move' ? sizes[Number(a.partition.slice(1)) % 8] : 0));
          const cut = budgetCut(plan, bytes, budget);
          const total = bytes.reduce((a, x) => a + x, 0);
          if (total <= budget) return cut !== null && cut.actions.length === plan.actions.length;
          if (cut === null) return plan.actions.every((a, i) => bytes[i] > budget || plan.dependsOn[i].length > 0);
          const kept = cut.actions.map((a) => plan.actions.indexOf(a));
          const moved = kept.reduce((a, i) => a + bytes[i], 0);
          if (moved > budget || cut.predicted.movedBytes !== moved) return false;
          // Every action that moves nothing and depends on nothing is kept.
          if (plan.actions.some((a, i) => bytes[i] === 0 && plan.dependsOn[i].length === 0 && !kept.includes(i))) return false;
          // The cut is legal on the map it starts from and keeps its dependencies.
          applyActions(plan.before, cut.actions);
          return kept.every((i, j) => plan.dependsOn[i].every((d) => kept.slice(0, j).includes(d)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is null when every action moves more than is left', () => {
    expect(budgetCut(planOf([[2, 3], [5, 0]], false), [800, 900], 700)).toBeNull();
  });

  it('differs from the APM cap, which lets a first action over the cap run alone', () => {
    const plan = planOf([[2, 3], [5, 0]], false);
    expect(capPlan(plan, [800, 900], { maxPlanActions: 10, maxPlanBytes: 700 }).actions).toEqual([plan.actions[0]]);
  });
});

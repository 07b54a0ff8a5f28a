/**
 * Plans as data: ordered repartitioning actions with dependencies and their predicted impact, so
 * that plans can be printed, diffed, saved (`plans.jsonl`) and replayed.
 */
import type { PartitionMap } from './partition-map.ts';

/** Split `partition` at bucket `at`; the upper half becomes `newId` on the same node. */
export interface SplitAction {
  readonly kind: 'split';
  readonly partition: string;
  readonly at: number;
  readonly newId: string;
}
/** Merge `partition` with its right neighbour `with` (same node); `partition`'s id survives. */
export interface MergeAction {
  readonly kind: 'merge';
  readonly partition: string;
  readonly with: string;
}
/** Move the whole `partition` to `node` (its state travels at the move bandwidth). */
export interface MoveAction {
  readonly kind: 'move';
  readonly partition: string;
  readonly node: number;
}
/** Split `partition` at `at`; the upper half becomes `newId` on `node`, its state sent like a move. */
export interface CreateAction {
  readonly kind: 'create';
  readonly partition: string;
  readonly at: number;
  readonly node: number;
  readonly newId: string;
}

export type PlanAction = SplitAction | MergeAction | MoveAction | CreateAction;
export type ActionKind = PlanAction['kind'];

/** Predicted figures of a configuration over the planning horizon. */
export interface Impact {
  /** Largest expected records/s of any partition (max over horizon windows). */
  readonly maxPartitionLoad: number;
  /** Largest expected records/s of any node. */
  readonly maxNodeLoad: number;
  /** Bytes of state the plan sends between nodes (0 for the current configuration). */
  readonly movedBytes: number;
  /** max partition load / mean partition load (time-averaged over the horizon). */
  readonly imbalance: number;
  /** Windows in which some node is predicted above its capacity. */
  readonly overloadedWindows?: number;
  /** Sum of partition pauses the plan causes (ms). */
  readonly disruptionMs?: number;
  /** Estimated time to execute the plan (ms). */
  readonly durationMs?: number;
  /** The cost function's value (lower is better). */
  readonly cost?: number;
}

/** A repartitioning plan. `dependsOn[i]` lists indices of actions that must finish before action i. */
export interface Plan {
  readonly id: string;
  readonly createdAtMs: number;
  /** Id of the forecast (or load snapshot) the plan was made from. */
  readonly basis: string;
  readonly before: PartitionMap;
  readonly after: PartitionMap;
  readonly actions: readonly PlanAction[];
  readonly dependsOn: readonly (readonly number[])[];
  readonly current: Impact;
  readonly predicted: Impact;
  /** (current cost − plan cost) / current cost. */
  readonly savings: number;
  /**
   * Set when this plan is the first part of a larger one, cut at the APM's caps (`apm.maxPlanActions`,
   * `apm.maxPlanBytes`): the larger plan's size. `after` and `savings` are this part's;
   * `predicted` is the larger plan's impact (its target).
   */
  readonly capped?: { readonly actions: number; readonly bytes: number };
}

/** The partition ids an action touches (a split's or create's new id included). */
export function partitionsTouched(a: PlanAction): string[] {
  return a.kind === 'merge' ? [a.partition, a.with] : a.kind === 'move' ? [a.partition] : [a.partition, a.newId];
}

/**
 * Per-partition conflicts of actions in this order: action i depends on the last earlier action
 * touching each partition it touches (ascending indices).
 */
export function conflictDependencies(actions: readonly PlanAction[]): number[][] {
  const last = new Map<string, number>();
  return actions.map((a, i) => {
    const d = new Set<number>();
    for (const id of partitionsTouched(a)) {
      const t = last.get(id);
      if (t !== undefined) d.add(t);
    }
    for (const id of partitionsTouched(a)) last.set(id, i);
    return [...d].sort((x, y) => x - y);
  });
}

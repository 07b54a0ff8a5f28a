/** Applies plan actions to partition maps as pure functions (the logical effect, no timing). */
import { mergePartitions, movePartition, splitPartition, type PartitionMap } from './partition-map.ts';
import type { PlanAction } from './plan.ts';

/** The map after `action`; throws `MapError` when the action is not legal on `map`. */
export function applyAction(map: PartitionMap, action: PlanAction): PartitionMap {
  switch (action.kind) {
    case 'split':
      return splitPartition(map, action.partition, action.at, action.newId);
    case 'create':
      return splitPartition(map, action.partition, action.at, action.newId, action.node);
    case 'merge':
      return mergePartitions(map, action.partition, action.with);
    case 'move':
      return movePartition(map, action.partition, action.node);
  }
}

/** Applies actions in order. */
export function applyActions(map: PartitionMap, actions: readonly PlanAction[]): PartitionMap {
  return actions.reduce(applyAction, map);
}

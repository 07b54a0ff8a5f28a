/**
 * From a target layout to legal actions: sweeps the target partitions in key order and, for each,
 * moves the current pieces inside it onto its node, merges them, and splits off what lies beyond
 * its upper end (a `create` when everything beyond goes to one other node). Every bucket's state
 * travels at most once, so the moved bytes equal the per-bucket difference of the two maps. Each
 * action is applied to a working map as it is emitted, so the sequence is legal by construction
 * and the new ids are the ones `applyActions` will produce.
 */
import { applyAction, type PartitionMap, type PlanAction } from '../model/index.ts';
import type { Layout } from './layout.ts';

/** The actions, their dependencies and the resulting map. */
export interface DerivedActions {
  readonly actions: PlanAction[];
  /** `dependsOn[i]`: earlier actions that touch a partition action i touches (they must finish first). */
  readonly dependsOn: number[][];
  readonly after: PartitionMap;
}

/** Actions that turn `before` into a map with `target`'s boundaries and nodes. */
export function deriveActions(before: PartitionMap, target: Layout): DerivedActions {
  const T = target.boundaries;
  const TN = target.nodes;
  const K = T.length - 1;
  let work = before;
  const actions: PlanAction[] = [];
  const dependsOn: number[][] = [];
  const lastTouch = new Map<string, number>();
  const emit = (a: PlanAction) => {
    work = applyAction(work, a);
    const ids = a.kind === 'merge' ? [a.partition, a.with] : a.kind === 'move' ? [a.partition] : [a.partition, a.newId];
    const deps = new Set<number>();
    for (const id of ids) {
      const d = lastTouch.get(id);
      if (d !== undefined) deps.add(d);
    }
    const i = actions.length;
    actions.push(a);
    dependsOn.push([...deps].sort((x, y) => x - y));
    for (const id of ids) lastTouch.set(id, i);
  };
  const indexAt = (x: number) => work.boundaries.indexOf(x);
  /** Node every target partition covering [lo, hi) agrees on, or -1. */
  const targetNodeOf = (lo: number, hi: number, from: number): number => {
    let n = -1;
    for (let t = from; t < K && T[t] < hi; t++) {
      if (T[t + 1] <= lo) continue;
      if (n === -1) n = TN[t];
      else if (n !== TN[t]) return -1;
    }
    return n;
  };
  const moveTo = (id: string, node: number) => {
    const i = work.ids.indexOf(id);
    if (work.nodes[i] !== node) emit({ kind: 'move', partition: id, node });
  };

  for (let j = 0; j < K; j++) {
    const lo = T[j];
    const hi = T[j + 1];
    const tn = TN[j];
    // Invariant: lo is a boundary of the working map (0, or made so by step j − 1).
    let i = indexAt(lo);
    let anchor: string | undefined;
    // Pieces that lie wholly inside [lo, hi): onto the target node, merged left to right.
    while (i < work.ids.length && work.boundaries[i + 1] <= hi) {
      const id = work.ids[i];
      moveTo(id, tn);
      if (anchor === undefined) {
        anchor = id;
        i++;
      } else {
        emit({ kind: 'merge', partition: anchor, with: id });
      }
    }
    if (work.boundaries[i] !== hi && i < work.ids.length) {
      // The piece crossing hi: split there; its upper half goes straight to its final node when
      // all target partitions above agree on one (a create), else it stays for later steps.
      const id = work.ids[i];
      const e = work.boundaries[i + 1];
      const up = targetNodeOf(hi, e, j + 1);
      const newId = `p${work.nextId}`;
      if (up >= 0 && up !== work.nodes[i]) emit({ kind: 'create', partition: id, at: hi, node: up, newId });
      else emit({ kind: 'split', partition: id, at: hi, newId });
      moveTo(id, tn);
      if (anchor !== undefined) emit({ kind: 'merge', partition: anchor, with: id });
    }
  }
  const ok =
    work.boundaries.length === T.length &&
    work.boundaries.every((x, t) => x === T[t]) &&
    work.nodes.every((n, t) => n === TN[t]);
  if (!ok) throw new Error('internal: derived actions do not reach the target layout');
  return { actions, dependsOn, after: work };
}

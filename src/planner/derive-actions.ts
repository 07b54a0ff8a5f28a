/**
 * From a target layout to legal actions: first merges the current partitions that lie wholly inside
 * one target partition, then sweeps the target partitions in key order and, for each, moves the
 * pieces inside it onto its node, merges them, and splits off what lies beyond its upper end (a
 * `create` when everything beyond goes to one other node). Every bucket's state
 * travels at most once, so the moved bytes equal the per-bucket difference of the two maps. Each
 * action is applied to a working map as it is emitted, so the sequence is legal by construction
 * and the new ids are the ones `applyActions` will produce.
 */
import { applyAction, conflictDependencies, type PartitionMap, type PlanAction } from '../model/index.ts';
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
  const d = new Derivation(before, target);
  d.mergeInside();
  d.sweep();
  const work = d.work;
  const T = target.boundaries;
  const ordered = reorder(before, d.actions, conflictDependencies(d.actions));
  const ok =
    work.boundaries.length === T.length &&
    work.boundaries.every((x, t) => x === T[t]) &&
    work.nodes.every((n, t) => n === target.nodes[t]);
  if (!ok) throw new Error('internal: derived actions do not reach the target layout');
  return { ...ordered, after: work };
}

/** The working map and the actions emitted so far (each applied as it is emitted). */
class Derivation {
  readonly actions: PlanAction[] = [];
  private readonly T: Int32Array;
  private readonly TN: Int32Array;
  private readonly K: number;

  constructor(
    public work: PartitionMap,
    target: Layout,
  ) {
    this.T = target.boundaries;
    this.TN = target.nodes;
    this.K = this.T.length - 1;
  }

  private emit(a: PlanAction): void {
    this.work = applyAction(this.work, a);
    this.actions.push(a);
  }

  /** Node every target partition (from index `from`) covering [lo, hi) agrees on, or -1. */
  private targetNodeOf(lo: number, hi: number, from: number): number {
    let n = -1;
    for (let t = from; t < this.K && this.T[t] < hi; t++) {
      if (this.T[t + 1] <= lo) continue;
      if (n === -1) n = this.TN[t];
      else if (n !== this.TN[t]) return -1;
    }
    return n;
  }

  private moveTo(id: string, node: number): void {
    const i = this.work.ids.indexOf(id);
    if (this.work.nodes[i] !== node) this.emit({ kind: 'move', partition: id, node });
  }

  /**
   * Phase 1: merge the current partitions that lie wholly inside one target partition (after
   * moving them onto its node) before any split, so the partition count shrinks first.
   * The count may still rise above max(before, after) for a few steps while a split waits for
   * the merge that pairs with it; `reorder` below keeps that short.
   */
  mergeInside(): void {
    const { T, TN } = this;
    for (let j = 0; j < this.K; j++) {
      const lo = T[j];
      const hi = T[j + 1];
      const work = this.work;
      let a = 0;
      while (a < work.ids.length && work.boundaries[a] < lo) a++;
      let e = a;
      while (e < work.ids.length && work.boundaries[e + 1] <= hi) e++;
      if (e - a < 2) continue;
      const group = work.ids.slice(a, e);
      for (const id of group) this.moveTo(id, TN[j]);
      for (const id of group.slice(1)) this.emit({ kind: 'merge', partition: group[0], with: id });
    }
  }

  /** Phase 2: sweep the target partitions in key order. */
  sweep(): void {
    for (let j = 0; j < this.K; j++) this.sweepOne(j);
  }

  /** Target partition j: the pieces inside it onto its node and merged, then the piece crossing its upper end split there. */
  private sweepOne(j: number): void {
    const lo = this.T[j];
    const hi = this.T[j + 1];
    const tn = this.TN[j];
    // Invariant: lo is a boundary of the working map (0, or made so by step j − 1).
    let i = this.work.boundaries.indexOf(lo);
    let anchor: string | undefined;
    // Pieces that lie wholly inside [lo, hi): onto the target node, merged left to right.
    while (i < this.work.ids.length && this.work.boundaries[i + 1] <= hi) {
      const id = this.work.ids[i];
      this.moveTo(id, tn);
      if (anchor === undefined) {
        anchor = id;
        i++;
      } else {
        this.emit({ kind: 'merge', partition: anchor, with: id });
      }
    }
    const work = this.work;
    if (work.boundaries[i] !== hi && i < work.ids.length) {
      // The piece crossing hi: split there; its upper half goes straight to its final node when
      // all target partitions above agree on one (a create), else it stays for later steps.
      const id = work.ids[i];
      const e = work.boundaries[i + 1];
      const up = this.targetNodeOf(hi, e, j + 1);
      const newId = `p${work.nextId}`;
      if (up >= 0 && up !== work.nodes[i]) this.emit({ kind: 'create', partition: id, at: hi, node: up, newId });
      else this.emit({ kind: 'split', partition: id, at: hi, newId });
      this.moveTo(id, tn);
      if (anchor !== undefined) this.emit({ kind: 'merge', partition: anchor, with: id });
    }
  }
}

/**
 * Re-orders the actions (any order respecting the dependencies is legal: they are exactly the
 * per-partition conflicts) so that merges run as soon as they can and a split goes first when it
 * unlocks a merge; this keeps the transient partition count low. Dependencies are recomputed for
 * the new order.
 */
function reorder(before: PartitionMap, actions: PlanAction[], deps: number[][]): { actions: PlanAction[]; dependsOn: number[][] } {
  const n = actions.length;
  const remaining = Int32Array.from(deps, (d) => d.length);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  deps.forEach((d, i) => d.forEach((x) => dependents[x].push(i)));
  // Ready actions by kind, each kept in index order (small sorted arrays).
  const readyFirst: number[] = []; // merges and moves
  const readySplits: number[] = [];
  const insert = (arr: number[], i: number) => {
    let a = 0;
    let c = arr.length;
    while (a < c) {
      const m = (a + c) >> 1;
      if (arr[m] < i) a = m + 1;
      else c = m;
    }
    arr.splice(a, 0, i);
  };
  const rank = (a: PlanAction) => (a.kind === 'merge' || a.kind === 'move' ? 0 : 1);
  const makeReady = (i: number) => insert(rank(actions[i]) === 0 ? readyFirst : readySplits, i);
  for (let i = 0; i < n; i++) if (remaining[i] === 0) makeReady(i);
  const order: number[] = [];
  while (order.length < n) {
    let pick: number;
    if (readyFirst.length > 0) pick = readyFirst.shift()!;
    else {
      // A split that makes some merge ready, else the first ready split.
      let at = readySplits.findIndex((i) => dependents[i].some((m) => actions[m].kind === 'merge' && remaining[m] === 1));
      if (at < 0) at = 0;
      pick = readySplits.splice(at, 1)[0];
    }
    order.push(pick);
    for (const m of dependents[pick]) if (--remaining[m] === 0) makeReady(m);
  }
  const out = order.map((i) => actions[i]);
  const dependsOn = conflictDependencies(out);
  void before;
  return { actions: out, dependsOn };
}

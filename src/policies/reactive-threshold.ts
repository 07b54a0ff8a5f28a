/**
 * `reactive-threshold`: the load-based-split practice of production systems (CockroachDB's
 * load-based splitting, HBase/Bigtable-style region splits). Every `every`, from the load observed
 * over the last `window`:
 * - a partition above `highWater` × its capacity splits at its load median; the upper half goes
 *   to the least-loaded node when that relieves its own node (a `create`), else stays (a `split`);
 * - a node above `highWater` × its capacity moves its hottest partition that fits elsewhere to
 *   the least-loaded node (load-based rebalancing);
 * - two adjacent partitions on one node whose combined load is below `lowWater` × capacity merge.
 * A partition that took part in an operation waits `cooldown` before the next one.
 * Capacity of a partition = `partitionCapacity`, or its share of its node's capacity.
 * Its operations are single actions (no plan, no rollback, no retry: the next round decides
 * again); one still running after `apm.opTimeout` is cancelled (code `timeout`), so a stuck
 * operation does not hold its partitions for ever.
 */
import { partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';
import { Priority } from '../engine/virtual-scheduler.ts';
import type { Policy, PolicyContext } from './policy.ts';

export interface ReactiveThresholdSpec {
  readonly highWater: number;
  readonly lowWater: number;
  readonly cooldown: number;
  readonly every: number;
  readonly window: number;
}

export class ReactiveThresholdPolicy implements Policy {
  readonly kind = 'reactive-threshold';
  private lastOp = new Map<string, number>();
  private ctx!: PolicyContext;
  private load!: Float64Array;
  private idSeq = 0;

  constructor(private readonly spec: ReactiveThresholdSpec) {}

  start(ctx: PolicyContext): void {
    this.ctx = ctx;
    this.load = new Float64Array(ctx.buckets);
    const tick = () => {
      this.decide();
      const next = ctx.scheduler.now() + this.spec.every;
      if (next < ctx.endMs) ctx.scheduler.at(next, tick, Priority.policy);
    };
    ctx.scheduler.at(ctx.startMs + this.spec.every, tick, Priority.policy);
  }

  private cooling(id: string, now: number): boolean {
    const t = this.lastOp.get(id);
    return t !== undefined && now - t < this.spec.cooldown;
  }

  private freshId(taken: readonly string[]): string {
    const map = this.ctx.control.currentMap();
    let n = Math.max(map.nextId, this.idSeq);
    while (taken.includes(`p${n}`)) n++;
    this.idSeq = n + 1;
    return `p${n}`;
  }

  /** One decision round: splits, then moves, then merges; returns the actions submitted (for tests). */
  decide(): PlanAction[] {
    const round = this.startRound();
    if (!round) return [];
    this.splitHot(round);
    this.relieveNodes(round);
    this.mergeCold(round);
    return round.submitted;
  }

  /** The load picture of a round and its running tallies; null without active nodes. */
  private startRound(): Round | null {
    const { control, scheduler, cluster } = this.ctx;
    const now = scheduler.now();
    const map = control.currentMap();
    const nodes = control.activeNodes();
    if (nodes.length === 0) return null;
    const load = this.ctx.observedRate(this.spec.window, this.load);
    const pl = partitionLoads(map, load);
    const nodeLoad = new Map<number, number>(nodes.map((n) => [n, 0]));
    const perNode = new Map<number, number>(nodes.map((n) => [n, 0]));
    for (let i = 0; i < pl.length; i++) {
      nodeLoad.set(map.nodes[i], (nodeLoad.get(map.nodes[i]) ?? 0) + pl[i]);
      perNode.set(map.nodes[i], (perNode.get(map.nodes[i]) ?? 0) + 1);
    }
    return {
      now,
      map,
      nodes,
      load,
      pl,
      nodeLoad,
      capOf: (i) => cluster.partitionCapacity ?? cluster.nodeCapacity / Math.max(1, perNode.get(map.nodes[i]) ?? 1),
      submitted: [],
      touched: new Set<string>(),
      partitions: pl.length,
    };
  }

  /** The active node with the least load (the lower id on ties) and its load. */
  private leastLoaded(r: Round): [number, number] {
    return [...r.nodeLoad.entries()].filter(([n]) => r.nodes.includes(n)).sort((a, b) => a[1] - b[1] || a[0] - b[0])[0];
  }

  /** Submits `a`; when accepted, records it and starts the cooldown of `ids`. */
  private submit(r: Round, a: PlanAction, ids: readonly string[]): boolean {
    const control = this.ctx.control;
    const res = control.submit(a, `${this.ctx.name}@${r.now}`);
    if (res.accepted && control.cancel) {
      const id = res.opId;
      const ms = this.ctx.apm?.opTimeout ?? 600_000;
      this.ctx.scheduler.after(ms, () => control.cancel!(id, 'timeout', `operation ran longer than ${ms} ms`), Priority.control);
    }
    if (res.accepted) {
      r.submitted.push(a);
      for (const id of ids) {
        this.lastOp.set(id, r.now);
        r.touched.add(id);
      }
    }
    return res.accepted;
  }

  /** 1. Splits of hot partitions, hottest first, at their load median. */
  private splitHot(r: Round): void {
    const { map, load, pl } = r;
    const order = Array.from({ length: pl.length }, (_, i) => i).sort((a, b) => pl[b] - pl[a] || a - b);
    for (const i of order) {
      if (pl[i] <= this.spec.highWater * r.capOf(i)) break;
      const id = map.ids[i];
      if (this.cooling(id, r.now) || r.partitions >= this.ctx.cluster.maxPartitions) continue;
      const lo = map.boundaries[i];
      const hi = map.boundaries[i + 1];
      if (hi - lo < 2) continue;
      let acc = 0;
      let at = lo + 1;
      for (let j = lo; j < hi; j++) {
        acc += load[j];
        if (acc >= pl[i] / 2) {
          at = Math.min(hi - 1, Math.max(lo + 1, j + 1));
          break;
        }
      }
      let upper = 0;
      for (let j = at; j < hi; j++) upper += load[j];
      const newId = this.freshId(map.ids);
      const [target, targetLoad] = this.leastLoaded(r);
      const own = map.nodes[i];
      const relieves = target !== own && targetLoad + upper < (r.nodeLoad.get(own) ?? 0) - upper;
      const action: PlanAction = relieves ? { kind: 'create', partition: id, at, node: target, newId } : { kind: 'split', partition: id, at, newId };
      if (this.submit(r, action, [id, newId])) {
        r.partitions++;
        if (relieves) {
          r.nodeLoad.set(target, targetLoad + upper);
          r.nodeLoad.set(own, (r.nodeLoad.get(own) ?? 0) - upper);
        }
      }
    }
  }

  /** 2. Moves load off nodes above high water: the hottest partition that leaves the target below the source. */
  private relieveNodes(r: Round): void {
    const { map, pl, nodeLoad } = r;
    for (const n of [...r.nodes].sort((a, b) => (nodeLoad.get(b) ?? 0) - (nodeLoad.get(a) ?? 0) || a - b)) {
      const nl = nodeLoad.get(n) ?? 0;
      if (nl <= this.spec.highWater * this.ctx.cluster.nodeCapacity) break;
      const [target, tl] = this.leastLoaded(r);
      if (target === n) break;
      let best = -1;
      for (let i = 0; i < pl.length; i++) {
        if (map.nodes[i] !== n || r.touched.has(map.ids[i]) || this.cooling(map.ids[i], r.now)) continue;
        if (tl + pl[i] < nl - pl[i] + 1e-9 && (best < 0 || pl[i] > pl[best])) best = i;
      }
      if (best >= 0 && this.submit(r, { kind: 'move', partition: map.ids[best], node: target }, [map.ids[best]])) {
        nodeLoad.set(target, tl + pl[best]);
        nodeLoad.set(n, nl - pl[best]);
      }
    }
  }

  /** 3. Merges cold neighbours on the same node, keeping at least one partition per node. */
  private mergeCold(r: Round): void {
    const { map, pl } = r;
    for (let i = 0; i + 1 < pl.length; i++) {
      const a = map.ids[i];
      const b = map.ids[i + 1];
      if (map.nodes[i] !== map.nodes[i + 1] || r.touched.has(a) || r.touched.has(b)) continue;
      if (this.cooling(a, r.now) || this.cooling(b, r.now)) continue;
      if (pl[i] + pl[i + 1] < this.spec.lowWater * Math.min(r.capOf(i), r.capOf(i + 1)) && r.partitions > r.nodes.length) {
        if (this.submit(r, { kind: 'merge', partition: a, with: b }, [a, b])) {
          r.partitions--;
          i++;
        }
      }
    }
  }
}

/** One decision round: the load picture it decides from and what it has done so far. */
interface Round {
  readonly now: number;
  readonly map: PartitionMap;
  readonly nodes: readonly number[];
  /** Observed records/s per bucket and per partition. */
  readonly load: Float64Array;
  readonly pl: Float64Array;
  /** Load per active node, updated as actions are submitted. */
  readonly nodeLoad: Map<number, number>;
  /** Capacity of partition i: `partitionCapacity`, or its share of its node. */
  readonly capOf: (i: number) => number;
  readonly submitted: PlanAction[];
  /** Partitions that took part in an action this round. */
  readonly touched: Set<string>;
  /** Partitions after the actions submitted so far. */
  partitions: number;
}

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
import { partitionLoads } from '../model/partition-map.ts';
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

  /** One decision round: returns the actions submitted (for tests). */
  decide(): PlanAction[] {
    const { control, scheduler, cluster } = this.ctx;
    const now = scheduler.now();
    const map = control.currentMap();
    const nodes = control.activeNodes();
    if (nodes.length === 0) return [];
    const load = this.ctx.observedRate(this.spec.window, this.load);
    const pl = partitionLoads(map, load);
    const k = pl.length;
    const nodeLoad = new Map<number, number>(nodes.map((n) => [n, 0]));
    const perNode = new Map<number, number>(nodes.map((n) => [n, 0]));
    for (let i = 0; i < k; i++) {
      nodeLoad.set(map.nodes[i], (nodeLoad.get(map.nodes[i]) ?? 0) + pl[i]);
      perNode.set(map.nodes[i], (perNode.get(map.nodes[i]) ?? 0) + 1);
    }
    const capOf = (i: number) => cluster.partitionCapacity ?? cluster.nodeCapacity / Math.max(1, perNode.get(map.nodes[i]) ?? 1);
    const leastLoaded = () => [...nodeLoad.entries()].filter(([n]) => nodes.includes(n)).sort((a, b) => a[1] - b[1] || a[0] - b[0])[0];
    const submitted: PlanAction[] = [];
    const touched = new Set<string>();
    const submit = (a: PlanAction, ids: string[]) => {
      const r = control.submit(a, `${this.ctx.name}@${now}`);
      if (r.accepted && control.cancel) {
        const id = r.opId;
        const ms = this.ctx.apm?.opTimeout ?? 600_000;
        scheduler.after(ms, () => control.cancel!(id, 'timeout', `operation ran longer than ${ms} ms`), Priority.control);
      }
      if (r.accepted) {
        submitted.push(a);
        for (const id of ids) {
          this.lastOp.set(id, now);
          touched.add(id);
        }
      }
      return r.accepted;
    };

    // 1. Splits of hot partitions, hottest first.
    const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => pl[b] - pl[a] || a - b);
    let partitions = k;
    for (const i of order) {
      if (pl[i] <= this.spec.highWater * capOf(i)) break;
      const id = map.ids[i];
      if (this.cooling(id, now) || partitions >= cluster.maxPartitions) continue;
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
      const [target, targetLoad] = leastLoaded();
      const own = map.nodes[i];
      const relieves = target !== own && targetLoad + upper < (nodeLoad.get(own) ?? 0) - upper;
      const action: PlanAction = relieves ? { kind: 'create', partition: id, at, node: target, newId } : { kind: 'split', partition: id, at, newId };
      if (submit(action, [id, newId])) {
        partitions++;
        if (relieves) {
          nodeLoad.set(target, targetLoad + upper);
          nodeLoad.set(own, (nodeLoad.get(own) ?? 0) - upper);
        }
      }
    }

    // 2. Move load off overloaded nodes.
    for (const n of [...nodes].sort((a, b) => (nodeLoad.get(b) ?? 0) - (nodeLoad.get(a) ?? 0) || a - b)) {
      const nl = nodeLoad.get(n) ?? 0;
      if (nl <= this.spec.highWater * cluster.nodeCapacity) break;
      const [target, tl] = leastLoaded();
      if (target === n) break;
      let best = -1;
      for (let i = 0; i < k; i++) {
        if (map.nodes[i] !== n || touched.has(map.ids[i]) || this.cooling(map.ids[i], now)) continue;
        // Move the hottest partition that leaves the target below the source.
        if (tl + pl[i] < nl - pl[i] + 1e-9 && (best < 0 || pl[i] > pl[best])) best = i;
      }
      if (best >= 0 && submit({ kind: 'move', partition: map.ids[best], node: target }, [map.ids[best]])) {
        nodeLoad.set(target, tl + pl[best]);
        nodeLoad.set(n, nl - pl[best]);
      }
    }

    // 3. Merge cold neighbours on the same node.
    for (let i = 0; i + 1 < k; i++) {
      const a = map.ids[i];
      const b = map.ids[i + 1];
      if (map.nodes[i] !== map.nodes[i + 1] || touched.has(a) || touched.has(b)) continue;
      if (this.cooling(a, now) || this.cooling(b, now)) continue;
      if (pl[i] + pl[i + 1] < this.spec.lowWater * Math.min(capOf(i), capOf(i + 1)) && partitions > nodes.length) {
        if (submit({ kind: 'merge', partition: a, with: b }, [a, b])) {
          partitions--;
          i++;
        }
      }
    }
    return submitted;
  }
}

/**
 * The nodes of the simulated cluster and their life: created up, down for a while after a crash
 * (their partitions keep their queues and resume when it is back), or removed (no longer a
 * target; the cluster drains its partitions). Node indices are never reused, so a removed node's
 * index stays in the map's history and the metrics. Kept apart from sim-cluster.ts so what "up"
 * and "exists" mean is written once, for admission, service and the drain alike.
 */

interface NodeState {
  /** False once removed. */
  active: boolean;
  /** Down until this time (ms; −1 when never down). */
  downUntil: number;
}

export class SimNodes {
  private readonly list: NodeState[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.add();
  }

  /** Every node index ever created (removed ones included). */
  get count(): number {
    return this.list.length;
  }

  /** Whether node n exists and was not removed. */
  exists(n: number): boolean {
    const s = this.list[n];
    return s !== undefined && s.active;
  }

  /** Until when node n is down (ms; ≤ now when up). */
  downUntil(n: number): number {
    return this.list[n].downUntil;
  }

  /** Whether node n is up at `nowMs` (a removed node still serves what it holds). */
  isUp(n: number, nowMs: number): boolean {
    return this.list[n].downUntil <= nowMs;
  }

  /** Nodes that exist and are up at `nowMs`, by index. */
  activeAt(nowMs: number): number[] {
    const out: number[] = [];
    this.list.forEach((n, i) => {
      if (n.active && n.downUntil <= nowMs) out.push(i);
    });
    return out;
  }

  /** Node n goes down at `nowMs` for `durationMs` (a longer earlier crash keeps its end); false when there is no node n. */
  crash(n: number, nowMs: number, durationMs: number): boolean {
    const s = this.list[n];
    if (!s) return false;
    s.downUntil = Math.max(s.downUntil, nowMs + durationMs);
    return true;
  }

  /** Adds an empty node, up; returns its index. */
  add(): number {
    this.list.push({ active: true, downUntil: -1 });
    return this.list.length - 1;
  }

  /** Marks node n removed; false when there is no such node or it was removed already. */
  remove(n: number): boolean {
    const s = this.list[n];
    if (!s || !s.active) return false;
    s.active = false;
    return true;
  }
}

/**
 * Where each of `ids` goes when a node is drained: the target holding the fewest partitions
 * (`held`: partitions per target, counted up as it goes whenever `submit` says the move started), ties
 * to the lowest index.
 */
export function drainTargets(ids: readonly string[], held: Map<number, number>, submit: (id: string, target: number) => boolean): void {
  for (const id of ids) {
    const target = [...held.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0][0];
    if (submit(id, target)) held.set(target, held.get(target)! + 1);
  }
}

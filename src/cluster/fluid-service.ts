/**
 * One tick of fluid service on the simulated cluster: each partition's arrivals as a sum over its
 * buckets, and each node's capacity shared among its partitions in proportion to their queued
 * demand (processor sharing by demand, water-filled when partitions are capped), a paused or down
 * share of the tick serving nothing. Kept apart from sim-cluster.ts so the arithmetic of service
 * (what a tick serves, given queues, pauses and capacity) can be read and tested alone; the
 * control plane and the metrics stay with the cluster.
 *
 * The buffers live in a `FluidService` and grow as the map does, so a tick allocates nothing.
 */
import type { KeyBatch } from '../model/batch.ts';
import type { CohortQueue } from './cohort-queue.ts';

/** What service needs of a partition: its queue and when its pause ends. */
export interface ServedPartition {
  readonly queue: CohortQueue;
  readonly pausedUntil: number;
}

/** What one tick's service needs to know. */
export interface TickService {
  readonly timeMs: number;
  readonly durationMs: number;
  /** Node of each partition (the map's `nodes`). */
  readonly nodeOf: readonly number[];
  /** State of each partition, aligned with `nodeOf`. */
  readonly partitions: readonly ServedPartition[];
  /** Until when each node is down (ms; ≤ timeMs when up). */
  readonly downUntil: (node: number) => number;
  /** Nodes ever created (removed ones included). */
  readonly nodes: number;
  /** Records/s a node serves. */
  readonly nodeCapacity: number;
  /** Records/s a partition may serve at most (Infinity when uncapped). */
  readonly partitionCapacity: number;
  /** Share of capacity a node loses while moving state at the full bandwidth (0: none). */
  readonly moveLoad: number;
  readonly moveBandwidth: number;
  /** Bytes/s each node moved in the last tick (sparse). */
  readonly moveUse: readonly number[];
  /** Each served portion: `count` records that arrived at `arrivalMs` waited `waitMs`. */
  readonly onServed: (arrivalMs: number, waitMs: number, count: number) => void;
  /**
   * This tick's arrivals of each partition, not yet queued (optional): they join their queues at
   * `arrivalMs` as one cohort each, except where the queue is empty and the whole cohort is served
   * within the tick (its node up and under capacity, the partition neither paused nor over its
   * cap): then it is served in place with no wait, as the queue would have served it.
   */
  readonly arrivals?: Float64Array;
  readonly arrivalMs?: number;
}

/**
 * Records of each partition in `batch` (`boundaries`: the map's bucket cuts), written into `out`.
 * `prefix` (optional): the batch's prefix sums (`prefix[j]` = records of buckets < j), shared by
 * the lanes of a run so each reads its totals in O(partitions); counts are integers, so the
 * totals equal the direct sums exactly.
 */
export function partitionArrivals(batch: KeyBatch, boundaries: readonly number[], out: Float64Array, prefix?: Float64Array): void {
  const k = boundaries.length - 1;
  if (prefix) {
    for (let p = 0; p < k; p++) out[p] = prefix[boundaries[p + 1]] - prefix[boundaries[p]];
    return;
  }
  const c = batch.counts;
  for (let p = 0; p < k; p++) {
    let s = 0;
    const hi = boundaries[p + 1];
    for (let j = boundaries[p]; j < hi; j++) s += c[j];
    out[p] = s;
  }
}

/**
 * Shares `cap` records of node `n` among its partitions in proportion to their queued demand,
 * none above its limit (`limit[p]` on entry: min(queue, cap per partition)); writes the amounts
 * served into `limit`. What capped partitions leave is shared again among the others.
 */
export function waterFill(nodeOf: readonly number[], n: number, cap: number, k: number, limit: Float64Array, partitions: readonly ServedPartition[]): void {
  const active: number[] = [];
  for (let p = 0; p < k; p++) if (nodeOf[p] === n && limit[p] > 0) active.push(p);
  fillShares(active, cap, limit, partitions);
}

/** `waterFill` over the partitions `active` of one node (in map order, each with `limit[p]` > 0). */
function fillShares(active: number[], cap: number, limit: Float64Array, partitions: readonly ServedPartition[]): void {
  let remaining = cap;
  let open = active;
  for (;;) {
    let demand = 0;
    for (const p of open) demand += partitions[p].queue.size;
    if (demand <= 0) break;
    const next: number[] = [];
    const capped: number[] = [];
    for (const p of open) {
      const share = (remaining * partitions[p].queue.size) / demand;
      if (share >= limit[p]) capped.push(p);
      else next.push(p);
    }
    if (capped.length === 0) {
      for (const p of open) limit[p] = (remaining * partitions[p].queue.size) / demand;
      break;
    }
    for (const p of capped) remaining -= limit[p];
    open = next;
    if (open.length === 0 || remaining <= 0) {
      for (const p of open) limit[p] = 0;
      break;
    }
  }
}

/** The reusable buffers of a lane's service, and the tick itself. */
export class FluidService {
  private arrivals = new Float64Array(0);
  private serveFrac = new Float64Array(0);
  private nodeLimit = new Float64Array(0);
  private nodeDown = new Float64Array(0);
  /** This tick's capacity of an overloaded node, −1 for a node that serves all it is asked. */
  private nodeOver = new Float64Array(0);
  private limit = new Float64Array(0);
  /** Each partition's queued records at the start of the tick (read once per tick). */
  private queued = new Float64Array(0);

  /** Records of each partition in `batch` (see `partitionArrivals`); valid until the next call. */
  arrivalsOf(batch: KeyBatch, boundaries: readonly number[], prefix?: Float64Array): Float64Array {
    const k = boundaries.length - 1;
    if (this.arrivals.length < k) this.arrivals = new Float64Array(Math.max(k, 2 * this.arrivals.length));
    partitionArrivals(batch, boundaries, this.arrivals, prefix);
    return this.arrivals;
  }

  /**
   * Serves one tick: a partition serves during the share of the tick its node is up and it is
   * not paused, at most its queue and its cap; a node over its capacity (less what moving state
   * costs it, `moveLoad`) shares it by demand. Served portions leave at the end of the tick's
   * serving share. Arrivals given in `s.arrivals` are queued first, or served in place (see
   * `TickService.arrivals`): most partitions of a cluster with spare capacity have nothing
   * queued, and skipping their queues' push and drain is most of a tick's time saved.
   */
  serve(s: TickService): void {
    const k = s.partitions.length;
    const dt = s.durationMs;
    this.grow(k, s.nodes);
    const { serveFrac, limit, nodeLimit, nodeDown, nodeOver } = this;
    for (let n = 0; n < s.nodes; n++) {
      const down = s.downUntil(n);
      nodeDown[n] = down > s.timeMs ? Math.min(dt, down - s.timeMs) : 0;
    }
    nodeLimit.fill(0);
    const pcap = (s.partitionCapacity * dt) / 1000;
    const arr = s.arrivals;
    const { partitions, nodeOf, timeMs } = s;
    const queued = this.queued;
    for (let p = 0; p < k; p++) {
      const part = partitions[p];
      const paused = part.pausedUntil;
      const size = part.queue.size;
      queued[p] = size;
      const pausedFor = paused > timeMs ? Math.min(dt, paused - timeMs) : 0;
      const node = nodeOf[p];
      const f = 1 - Math.max(nodeDown[node], pausedFor) / dt;
      serveFrac[p] = f;
      const lim = f > 0 ? Math.min(size + (arr ? arr[p] : 0), pcap * f) : 0;
      limit[p] = lim;
      nodeLimit[node] += lim;
    }
    const cap = (s.nodeCapacity * dt) / 1000;
    for (let n = 0; n < s.nodes; n++) {
      // A node moving state serves less (`moveLoad`, from the bytes it moved in the last tick).
      const c = s.moveLoad > 0 && s.moveUse[n] ? cap * (1 - s.moveLoad * Math.min(1, s.moveUse[n] / s.moveBandwidth)) : cap;
      nodeOver[n] = nodeLimit[n] > c ? c : -1;
    }
    if (arr) this.queueArrivals(s, arr);
    this.fillOverloaded(s, k);
    const tEnd = s.timeMs + dt;
    for (let p = 0; p < k; p++) {
      const amount = limit[p];
      if (amount <= 0) continue;
      const f = serveFrac[p];
      s.partitions[p].queue.serve(amount, tEnd - f * dt, f * dt, s.onServed);
    }
  }

  /** `waterFill` on every node over its capacity, their partitions gathered in one pass over the map. */
  private fillOverloaded(s: TickService, k: number): void {
    const { nodeOver, limit } = this;
    let over: Map<number, number[]> | null = null;
    for (let n = 0; n < s.nodes; n++) if (nodeOver[n] >= 0) (over ??= new Map()).set(n, []);
    if (!over) return;
    for (let p = 0; p < k; p++) if (limit[p] > 0) over.get(s.nodeOf[p])?.push(p);
    for (const [n, active] of over) fillShares(active, nodeOver[n], limit, s.partitions);
  }

  /**
   * Queues each partition's arrivals, or serves them in place (one `onServed` for all of those;
   * their `limit` is then 0, nothing left to serve from the queue).
   */
  private queueArrivals(s: TickService, arr: Float64Array): void {
    const { serveFrac, limit, nodeOver, queued } = this;
    const { partitions, nodeOf } = s;
    const at = s.arrivalMs ?? s.timeMs + s.durationMs / 2;
    let served = 0;
    // `queued` (sizes read by `serve`'s first pass): a partition served in place is decided on
    // the buffers alone, its queue object not touched again (most of a tick's partitions).
    for (let p = 0; p < partitions.length; p++) {
      const a = arr[p];
      if (a > 0 && queued[p] === 0 && serveFrac[p] === 1 && limit[p] === a && nodeOver[nodeOf[p]] < 0) {
        served += a;
        limit[p] = 0;
      } else if (a > 0) partitions[p].queue.push(at, a);
    }
    if (served > 0) s.onServed(at, 0, served);
  }

  private grow(k: number, nodes: number): void {
    if (this.serveFrac.length < k) this.serveFrac = new Float64Array(Math.max(k, 2 * this.serveFrac.length));
    if (this.limit.length < k) this.limit = new Float64Array(2 * k);
    if (this.queued.length < k) this.queued = new Float64Array(2 * k);
    if (this.nodeLimit.length !== nodes) {
      this.nodeLimit = new Float64Array(nodes);
      this.nodeDown = new Float64Array(nodes);
      this.nodeOver = new Float64Array(nodes);
    }
  }
}

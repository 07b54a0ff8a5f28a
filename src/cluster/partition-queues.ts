/**
 * The partitions' queues of the simulated cluster, by partition id: each a FIFO fluid queue
 * (cohort-queue.ts) and the time its cut-over pause ends. Splits hand the new partition its share
 * of the queue, merges join two queues, so records are conserved through every map change. Kept
 * apart from sim-cluster.ts so what happens to queued records is written in one place.
 */
import type { PartitionMap } from '../model/partition-map.ts';
import { CohortQueue } from './cohort-queue.ts';

export interface PartitionQueue {
  readonly queue: CohortQueue;
  /** Serves nothing before this time (split/merge/move cut-over). */
  pausedUntil: number;
}

export class PartitionQueues {
  private readonly byId = new Map<string, PartitionQueue>();
  // the queues in map order, rebuilt when the map changes
  private cachedMap: PartitionMap | null = null;
  private cachedVersion = -1;
  private cached: PartitionQueue[] = [];

  /** Empty queues for `ids`; `barrierMs`: cohorts before and after it never merge (the warm-up's end). */
  constructor(ids: readonly string[], barrierMs: number) {
    for (const id of ids) this.byId.set(id, { queue: new CohortQueue(barrierMs), pausedUntil: 0 });
  }

  get(id: string): PartitionQueue | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /** The queues in `map`'s order (cached while the map is the same). */
  inMapOrder(map: PartitionMap): readonly PartitionQueue[] {
    if (this.cachedVersion !== map.version || this.cachedMap !== map) {
      this.cached = map.ids.map((id) => this.byId.get(id)!);
      this.cachedMap = map;
      this.cachedVersion = map.version;
    }
    return this.cached;
  }

  /**
   * Partition `id` splits off `newId`, which takes `frac` of its queued records (each cohort
   * split pro rata) and its pause.
   */
  split(id: string, newId: string, frac: number): void {
    const s = this.byId.get(id)!;
    this.byId.set(newId, { queue: s.queue.splitOff(frac), pausedUntil: s.pausedUntil });
  }

  /** Partition `other` joins `id`: one queue, paused until the later of the two pauses. */
  merge(id: string, other: string): void {
    const l = this.byId.get(id)!;
    const r = this.byId.get(other)!;
    l.queue.absorb(r.queue);
    l.pausedUntil = Math.max(l.pausedUntil, r.pausedUntil);
    this.byId.delete(other);
  }

  /**
   * Pauses `ids` over `[from, to)`; calls `paused(start, to)` for the part of it each was not
   * already paused for.
   */
  pause(ids: readonly string[], from: number, to: number, paused: (startMs: number, toMs: number) => void): void {
    for (const id of ids) {
      const s = this.byId.get(id)!;
      const start = Math.max(from, s.pausedUntil);
      if (to > start) paused(start, to);
      s.pausedUntil = Math.max(s.pausedUntil, to);
    }
  }

  /**
   * Ends the pauses of `ids` at `nowMs` (a failed operation's cut-over does not happen); calls
   * `unpaused(nowMs, until)` for the part taken back.
   */
  unpause(ids: readonly string[], nowMs: number, unpaused: (fromMs: number, untilMs: number) => void): void {
    for (const id of ids) {
      const s = this.byId.get(id);
      if (s && s.pausedUntil > nowMs) {
        unpaused(nowMs, s.pausedUntil);
        s.pausedUntil = nowMs;
      }
    }
  }

  /** Records queued now in every partition. */
  backlog(): number {
    let s = 0;
    for (const st of this.byId.values()) s += st.queue.size;
    return s;
  }

  /** Every queued cohort: `count` records that arrived at `arrivalMs`. */
  forEachCohort(f: (arrivalMs: number, count: number) => void): void {
    for (const s of this.byId.values()) s.queue.forEach(f);
  }
}

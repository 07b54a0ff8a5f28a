/**
 * Policy-independent lower bounds on what any layout must suffer, computed once per run from the
 * realised arrivals: so a report can say which SLO violations no repartitioning could avoid, and
 * a policy that "beats" them exposes a bug in the simulator or the metric.
 *
 * Two fluid servers, run tick by tick with the simulated cluster's own service rules and
 * accounting (arrivals join at the tick's midpoint; a tick's service is spread over the tick and a
 * served portion of a cohort is accounted at its midpoint; latency = departure − arrival + base
 * latency), so a bound and a lane's metrics are measured alike:
 *  - pooled: every measured record in one FIFO queue served at the whole cluster's capacity
 *    (every node that exists or will be added, minus crash downtime: what every lane loses);
 *  - per bucket: each bucket alone in a FIFO queue at one node's capacity (or `partitionCapacity`
 *    when smaller): a bucket is never split across nodes.
 * In every lane, by induction over ticks, the measured records departed by any instant are at
 * most the pooled server's (and bucket by bucket at most the bucket server's), because no lane
 * serves more per tick. So at every instant τ the records past their deadline (arrived before
 * τ − (SLO − base)) and not yet served are at least A(τ − s) − D_bound(τ), and
 *  - record-seconds over the SLO ≥ ∫ max(0, A(τ − s) − D(τ)) dτ, the bound server's own
 *    record-seconds under the cluster's accounting (the larger of the pooled and the summed
 *    per-bucket one; rigorous at tick resolution, the portion-midpoint accounting aside);
 *  - SLO-violating records ≥ max over tick ends of the overdue count (each overdue record is a
 *    violation; a count at one instant is all a sum over instants may claim).
 * Only the measured records (arrived after warm-up) enter, and the servers start empty at
 * warm-up: a lane's capacity spent on earlier records only lowers its service. Dropped records
 * (`queueLimit`) leave queues without service, so with a queue limit the bound is not reported.
 */
import type { KeyBatch } from '../model/batch.ts';
import type { ClusterConfig } from '../cluster/config.ts';

/** The bounds of a run (per measured record where a rate). */
export interface LowerBounds {
  /** Lower bound on record-seconds over the SLO (any layout). */
  readonly recordSecondsOverSlo: number;
  /** Lower bound on the share of measured records over the SLO (any layout). */
  readonly sloViolationRate: number;
  /** Lower bound on the mean excess latency over the SLO per measured record (ms). */
  readonly meanExcessLatencyMs: number;
  /** Which server gave each bound ('pooled' or 'bucket'). */
  readonly binding: { readonly recordSeconds: 'pooled' | 'bucket'; readonly violations: 'pooled' | 'bucket' };
}

/**
 * A FIFO fluid queue of cohorts (arrival time, count) served tick by tick. `olderThan` reads a
 * running count (pushed up to a cohort, less all served) instead of summing the queue at every
 * tick: a bucket over a node's capacity keeps hours of cohorts queued.
 */
class FluidQueue {
  t: number[] = [];
  n: number[] = [];
  /** Per cohort: the records pushed up to and including it (since the queue was last empty). */
  cum: number[] = [];
  /** Records served since the queue was last empty. */
  served = 0;
  /** The first cohort that arrived after the last `olderThan` limit. */
  cursor = 0;
  head = 0;
  size = 0;

  push(tMs: number, count: number): void {
    if (count <= 0) return;
    this.t.push(tMs);
    this.n.push(count);
    this.cum.push((this.cum.length > 0 ? this.cum[this.cum.length - 1] : 0) + count);
    this.size += count;
  }

  /**
   * Serves up to `amount` over [start, start + span] (what is served spread evenly over the
   * span, as the cluster's queues); returns the record-ms over `deadlineWaitMs` of what it served.
   */
  serve(amount: number, start: number, span: number, deadlineWaitMs: number): number {
    const want = Math.min(amount, this.size);
    if (want <= 0) return 0;
    let done = 0;
    let excess = 0;
    while (done < want - 1e-9 && this.head < this.t.length) {
      const c = this.n[this.head];
      const take = Math.min(c, want - done);
      // A served portion departs at its midpoint, exactly as the cluster's queues account it.
      const over = start + ((done + take / 2) / want) * span - this.t[this.head] - deadlineWaitMs;
      if (over > 0) excess += take * over;
      done += take;
      if (take >= c - 1e-9) this.head++;
      else this.n[this.head] = c - take;
    }
    this.size -= done;
    this.served += done;
    if (this.head === this.t.length || this.size < 1e-9) {
      this.t = [];
      this.n = [];
      this.cum = [];
      this.served = 0;
      this.cursor = 0;
      this.head = 0;
      this.size = 0;
    } else if (this.head > 4096 && this.head * 2 > this.t.length) {
      this.t = this.t.slice(this.head);
      this.n = this.n.slice(this.head);
      this.cum = this.cum.slice(this.head);
      this.cursor = Math.max(0, this.cursor - this.head);
      this.head = 0;
    }
    return excess;
  }

  /** Records queued that arrived at or before `tMs` (`tMs` never smaller than at the last call). */
  olderThan(tMs: number): number {
    let i = Math.max(this.cursor, this.head);
    while (i < this.t.length && this.t[i] <= tMs) i++;
    this.cursor = i;
    return i > this.head ? this.cum[i - 1] - this.served : 0;
  }

  /** Record-ms over the deadline still queued at `endMs` (as the cluster counts queued records at the end). */
  excessAtEnd(endMs: number, deadlineWaitMs: number): number {
    let e = 0;
    for (let i = this.head; i < this.t.length; i++) e += this.n[i] * Math.max(0, endMs - this.t[i] - deadlineWaitMs);
    return e;
  }
}

/** Accumulates the bounds tick by tick (see the file comment). */
export class LowerBoundTracker {
  private readonly pooled = new FluidQueue();
  private readonly perBucket: FluidQueue[];
  /** 1 where a bucket's queue holds records (read per bucket and tick, without touching the queue). */
  private readonly queued: Uint8Array;
  /** How many buckets have records queued (0: a tick whose largest count fits is served on time, all of it). */
  private queuedBuckets = 0;
  private readonly deadlineWait: number;
  private pooledExcess = 0;
  private bucketExcess = 0;
  private pooledOverdueMax = 0;
  private bucketOverdueMax = 0;
  private measured = 0;

  constructor(
    private readonly cfg: ClusterConfig,
    buckets: number,
    private readonly warmupMs: number,
    sloMs: number,
  ) {
    this.perBucket = Array.from({ length: buckets }, () => new FluidQueue());
    this.queued = new Uint8Array(buckets);
    this.deadlineWait = sloMs - cfg.baseLatency;
  }

  /** Up node-time (node·ms) of [t, t + dt): every node that exists or is added by then, minus crash downtime. */
  private upNodeMs(t: number, dt: number): number {
    let nodes = this.cfg.nodes;
    for (const e of this.cfg.events) if ('addNode' in e && e.addNode.at < t + dt) nodes++;
    let down = 0;
    for (const c of this.cfg.faults.crashes) down += Math.max(0, Math.min(t + dt, c.at + c.duration) - Math.max(t, c.at));
    return Math.max(0, nodes * dt - down);
  }

  /** One tick's batch. */
  step(batch: KeyBatch): void {
    const t = batch.timeMs;
    const dt = batch.durationMs;
    if (t < this.warmupMs) return;
    const mid = t + dt / 2;
    const end = t + dt;
    this.measured += batch.total;
    this.pooled.push(mid, batch.total);
    const cap = this.cfg.nodeCapacity / 1000;
    this.pooledExcess += this.pooled.serve(cap * this.upNodeMs(t, dt), t, dt, this.deadlineWait);
    const deadline = end - this.deadlineWait;
    this.pooledOverdueMax = Math.max(this.pooledOverdueMax, this.pooled.olderThan(deadline));
    const bcap = (Math.min(this.cfg.nodeCapacity, this.cfg.partitionCapacity ?? Infinity) * dt) / 1000;
    const c = batch.counts;
    const queued = this.queued;
    const onTime = this.deadlineWait >= 0;
    if (onTime && this.queuedBuckets === 0 && batch.max !== undefined && batch.max <= bcap) return;
    let overdue = 0;
    for (let b = 0; b < c.length; b++) {
      if (queued[b] === 0 && c[b] <= bcap && onTime) continue; // served within its tick, on time
      const q = this.perBucket[b];
      q.push(mid, c[b]);
      this.bucketExcess += q.serve(bcap, t, dt, this.deadlineWait);
      const now = q.size > 0 ? 1 : 0;
      this.queuedBuckets += now - queued[b];
      queued[b] = now;
      if (q.size > 0) overdue += q.olderThan(deadline);
    }
    this.bucketOverdueMax = Math.max(this.bucketOverdueMax, overdue);
  }

  /** The bounds at the end of the run (`endMs`), or null when they do not hold (`queueLimit`). */
  result(endMs: number): LowerBounds | null {
    if (this.cfg.queueLimit !== undefined) return null;
    const pooled = this.pooledExcess + this.pooled.excessAtEnd(endMs, this.deadlineWait);
    let bucket = this.bucketExcess;
    for (const q of this.perBucket) if (q.size > 0) bucket += q.excessAtEnd(endMs, this.deadlineWait);
    const rs = Math.max(pooled, bucket) / 1000;
    const over = Math.max(this.pooledOverdueMax, this.bucketOverdueMax);
    const m = this.measured;
    return {
      recordSecondsOverSlo: rs,
      sloViolationRate: m > 0 ? over / m : 0,
      meanExcessLatencyMs: m > 0 ? (rs * 1000) / m : 0,
      binding: { recordSeconds: pooled >= bucket ? 'pooled' : 'bucket', violations: this.pooledOverdueMax >= this.bucketOverdueMax ? 'pooled' : 'bucket' },
    };
  }
}

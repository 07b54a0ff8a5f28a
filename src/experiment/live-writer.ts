/**
 * The write load of a live run: records become real writes into the Redis Cluster through a
 * cluster client, each timed from issue to reply (the client latency the live report measures),
 * and every acknowledged write remembered by slot so that the end of the run can check that none
 * was lost. Writes beyond `maxInFlight` are skipped and counted, not queued: a stalled cluster
 * must not build an unbounded backlog in the client.
 */
import { Cluster } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../cluster/latency-histogram.ts';
import { slotKey } from '../cluster/redis/slot-tags.ts';
import { withTimeout } from '../cluster/redis/with-timeout.ts';

/** Percentiles of a latency histogram. */
export interface LatencyFigures {
  writes: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  sloViolationRate: number;
}

export function latencyFigures(h: LatencyHistogram, n: number, sloMs: number): LatencyFigures {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    writes: n,
    p50LatencyMs: n ? r(h.quantile(0.5)) : 0,
    p95LatencyMs: n ? r(h.quantile(0.95)) : 0,
    p99LatencyMs: n ? r(h.quantile(0.99)) : 0,
    maxLatencyMs: n ? r(h.quantile(1)) : 0,
    sloViolationRate: n ? Math.round((h.countAbove(sloMs) / n) * 1e6) / 1e6 : 0,
  };
}

/** The counts of one wall second (the progress line and `timeseries.csv`). */
export interface SecondCounts {
  writes: number;
  acknowledged: number;
  failed: number;
  h: LatencyHistogram;
  n: number;
}

const freshSecond = (): SecondCounts => ({ writes: 0, acknowledged: 0, failed: 0, h: new LatencyHistogram(), n: 0 });

export class LiveWriter {
  readonly counts = { issued: 0, acknowledged: 0, failed: 0, skipped: 0 };
  /** Ids of acknowledged writes per slot. */
  readonly acked = new Map<number, number[]>();
  /** After warm-up: every write, and writes issued while a move ran. */
  readonly all = new LatencyHistogram();
  readonly duringMoves = new LatencyHistogram();
  measured = 0;
  measuredMoving = 0;
  inFlight = 0;
  /** Sum of key and value bytes of issued writes (what Redis stores and a move sends). */
  bytes = 0;
  /** Command timeouts ioredis reported only as unhandled rejections (failed writes, not lost ones). */
  strayTimeouts = 0;
  private second = freshSecond();
  private seq = 0;
  private readonly value: string;
  private readonly unwatch: () => void;
  private readonly onStray = (err: unknown) => {
    if (err instanceof Error && err.message === 'Command timed out') this.strayTimeouts++;
    else throw err;
  };

  constructor(
    private readonly client: Cluster,
    private readonly runId: string,
    valueBytes: number,
    private readonly maxInFlight: number,
    watchStrays?: (handler: (err: unknown) => void) => () => void,
  ) {
    this.value = 'v'.repeat(Math.max(1, valueBytes));
    // ioredis can leave a timed-out command's promise unhandled inside its cluster client; such a
    // write is one that failed (not acknowledged), so it must not end the run.
    this.unwatch = watchStrays?.(this.onStray) ?? (() => {});
  }

  /** The key of write `id` in `slot`. */
  key(slot: number, id: number): string {
    return slotKey(slot, `${this.runId}:${id}`);
  }

  /** Issues one write into `slot`; `measured` after warm-up, `moving` while a move runs. */
  write(slot: number, measured: boolean, moving: boolean): void {
    if (this.inFlight >= this.maxInFlight) {
      this.counts.skipped++;
      return;
    }
    const id = this.seq++;
    const key = this.key(slot, id);
    const t0 = performance.now(); // clock-ok: client latency is the measurement
    this.inFlight++;
    this.counts.issued++;
    this.second.writes++;
    this.bytes += key.length + this.value.length;
    withTimeout(this.client.set(key, this.value), 5000, 'write').then(
      () => this.acknowledge(slot, id, performance.now() - t0, measured, moving), // clock-ok
      () => {
        this.inFlight--;
        this.counts.failed++;
        this.second.failed++;
      },
    );
  }

  private acknowledge(slot: number, id: number, ms: number, measured: boolean, moving: boolean): void {
    this.inFlight--;
    this.counts.acknowledged++;
    this.second.acknowledged++;
    this.second.h.add(ms, 1);
    this.second.n++;
    let list = this.acked.get(slot);
    if (!list) this.acked.set(slot, (list = []));
    list.push(id);
    if (!measured) return;
    this.all.add(ms, 1);
    this.measured++;
    if (moving) {
      this.duringMoves.add(ms, 1);
      this.measuredMoving++;
    }
  }

  /** The counts since the last call (one wall second). */
  takeSecond(): SecondCounts {
    const s = this.second;
    this.second = freshSecond();
    return s;
  }

  /** Mean bytes Redis stores per write (0 before the first). */
  bytesPerWrite(): number {
    return this.counts.issued ? this.bytes / this.counts.issued : 0;
  }

  close(): void {
    this.unwatch();
  }
}

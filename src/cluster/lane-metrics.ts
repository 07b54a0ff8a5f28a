/**
 * Metrics of one policy's cluster ("lane"): record accounting over the whole run, and, after
 * warm-up, latency (histogram weighted by records), SLO violations, imbalance, utilisation,
 * moved bytes, operations and disruption; plus one time-series row per window.
 */
import { LatencyHistogram, latencyBin } from './latency-histogram.ts';
import { Thinned } from '../model/thinned.ts';
import { nodeSeries, windowSeries, type Binned } from '../model/binned.ts';
import type { NodeRow, OpCounts, PartitionRow, WindowRow } from '../model/rows.ts';

/**
 * Rows a lane keeps per series when nothing streams them (thinned.ts): every window up to these,
 * then every 2nd, 4th, … window, so memory is bounded. A lane that streams its rows to the
 * report's files (`streamRows`) keeps only the charts' bins (model/binned.ts, far fewer).
 */
export const ROW_LIMITS = { windows: 50_000, nodes: 100_000, partitions: 100_000 } as const;

// The rows a lane writes are part of the run's data contract (model/rows.ts), read by the report.
export { NODE_COLUMNS, PARTITION_COLUMNS, WINDOW_COLUMNS, type NodeRow, type OpCounts, type PartitionRow, type WindowRow } from '../model/rows.ts';

export class LaneMetrics {
  // whole run
  records = 0;
  servedRecords = 0;
  droppedRecords = 0;
  // after warm-up
  readonly latency = new LatencyHistogram();
  measuredRecords = 0;
  sloViolations = 0;
  /** Record-ms of latency over the SLO (Σ count × (latency − SLO) of the violating portions). */
  sloExcessMs = 0;
  imbalanceSum = 0;
  imbalanceWindows = 0;
  maxUtilization = 0;
  movedBytes = 0;
  disruptionMs = 0;
  readonly operations: OpCounts = { split: 0, merge: 0, move: 0, create: 0, failed: 0 };
  invariantViolations = 0;
  /** The most queue cohorts the lane held at a window's end (a memory gauge: entries, not bytes). */
  maxCohorts = 0;
  readonly invariantMessages: string[] = [];
  // current window
  readonly windowLatency = new LatencyHistogram();
  private wRecords = 0;
  private wServed = 0;
  private wDropped = 0;
  private wSloOver = 0;
  private wMeasured = 0;
  private wMovedBytes = 0;
  private wOps = 0;
  private wFailed = 0;
  private wDisruption = 0;
  rowSeries: Thinned<WindowRow> | Binned<WindowRow> = new Thinned<WindowRow>([], ROW_LIMITS.windows);
  nodeSeries: Thinned<NodeRow> | Binned<NodeRow> = new Thinned<NodeRow>([], ROW_LIMITS.nodes);
  readonly partitionSeries = new Thinned<PartitionRow>([], ROW_LIMITS.partitions);
  /** Per-window rows kept in memory: every window (thinned on long runs), or the charts' bins when streamed. */
  get rows(): WindowRow[] {
    return this.rowSeries.rows;
  }
  get nodeRows(): NodeRow[] {
    return this.nodeSeries.rows;
  }
  get partitionRows(): PartitionRow[] {
    return this.partitionSeries.rows;
  }

  /**
   * Sends every window's rows to `sinks` (the report's files, as the run goes) and keeps in
   * memory only the charts' bins of the window and node rows (model/binned.ts: a fixed number
   * whatever the run's length) and no partition rows; `null` sinks: keep none at all (a run
   * whose summary is all that is wanted). Call before the first window closes.
   */
  streamRows(sinks: { windows: (r: WindowRow) => void; nodes: (r: NodeRow) => void; partitions: (r: PartitionRow) => void } | null): void {
    this.rowSeries = windowSeries();
    this.nodeSeries = nodeSeries();
    if (sinks) {
      this.rowSeries.sink = sinks.windows;
      this.nodeSeries.sink = sinks.nodes;
      this.partitionSeries.sink = sinks.partitions;
    } else this.rowSeries.keeps = this.nodeSeries.keeps = false;
    this.partitionSeries.keeps = false;
  }

  constructor(
    readonly warmupMs: number,
    readonly sloMs: number,
    readonly baseLatencyMs: number,
  ) {}

  arrived(count: number): void {
    this.records += count;
    this.wRecords += count;
  }

  /** A served portion: `count` records that arrived at `arrivalMs` waited `waitMs`. */
  served(arrivalMs: number, waitMs: number, count: number): void {
    this.servedRecords += count;
    this.wServed += count;
    if (arrivalMs >= this.warmupMs) this.measure(waitMs, count);
  }

  /** Records still queued at the end enter the histogram with their wait so far. */
  queuedAtEnd(arrivalMs: number, waitMs: number, count: number): void {
    if (arrivalMs >= this.warmupMs) this.measure(waitMs, count);
  }

  private measure(waitMs: number, count: number): void {
    const lat = this.baseLatencyMs + waitMs;
    const bin = latencyBin(lat);
    this.latency.addToBin(bin, lat, count);
    this.windowLatency.addToBin(bin, lat, count);
    this.measuredRecords += count;
    this.wMeasured += count;
    if (lat > this.sloMs) {
      this.sloViolations += count;
      this.sloExcessMs += count * (lat - this.sloMs);
      this.wSloOver += count;
    }
  }

  dropped(arrivalMs: number, count: number): void {
    this.droppedRecords += count;
    this.wDropped += count;
    if (arrivalMs >= this.warmupMs) {
      this.measuredRecords += count;
      this.wMeasured += count;
      this.sloViolations += count;
      this.wSloOver += count;
    }
  }

  moved(bytes: number, nowMs: number): void {
    if (nowMs >= this.warmupMs) {
      this.movedBytes += bytes;
      this.wMovedBytes += bytes;
    }
  }

  operation(kind: keyof OpCounts, nowMs: number): void {
    if (nowMs >= this.warmupMs) {
      this.operations[kind]++;
      this.wOps++;
      if (kind === 'failed') this.wFailed++;
    }
  }

  /** Partition-pause time in `[fromMs, toMs)`, counted after warm-up. */
  paused(fromMs: number, toMs: number, partitions = 1): void {
    const a = Math.max(fromMs, this.warmupMs);
    if (toMs > a) {
      this.disruptionMs += (toMs - a) * partitions;
      this.wDisruption += (toMs - a) * partitions;
    }
  }

  invariant(message: string): void {
    this.invariantViolations++;
    if (this.invariantMessages.length < 20) this.invariantMessages.push(message);
  }

  /** Closes the window starting at `timeMs` (window number `index`). */
  closeWindow(timeMs: number, imbalance: number, maxUtilization: number, partitions: number, backlog: number, index = this.rows.length): void {
    const measured = timeMs >= this.warmupMs;
    if (measured) {
      this.imbalanceSum += imbalance;
      this.imbalanceWindows++;
      if (maxUtilization > this.maxUtilization) this.maxUtilization = maxUtilization;
    }
    const wl = this.windowLatency;
    this.rowSeries.push(index, {
      timeMs,
      records: this.wRecords,
      servedRecords: this.wServed,
      droppedRecords: this.wDropped,
      backlogRecords: backlog,
      p50LatencyMs: wl.quantile(0.5),
      p99LatencyMs: wl.quantile(0.99),
      maxLatencyMs: wl.maxMs,
      sloViolationRate: this.wMeasured > 0 ? this.wSloOver / this.wMeasured : 0,
      imbalance,
      maxUtilization,
      partitions,
      movedBytes: this.movedBytes,
      operations: this.wOps,
      failedOperations: this.wFailed,
      disruptionMs: this.wDisruption,
    });
    wl.reset();
    this.wRecords = this.wServed = this.wDropped = this.wSloOver = this.wMeasured = 0;
    this.wMovedBytes = this.wOps = this.wFailed = this.wDisruption = 0;
  }
}

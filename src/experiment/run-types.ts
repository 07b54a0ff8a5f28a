/**
 * What running a scenario takes and gives: the options of `runScenario`, a lane's result and the
 * run's result, the source of tick batches, the sink the lanes stream their files into, and the
 * way lanes are started in other threads (given by io/ or the API: experiment/ starts no thread
 * and opens no file itself). Also the run's fixed sizes (metrics window, heatmap groups, series
 * limits).
 */
import type { KeyBatch } from '../model/batch.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import type { OpEvent } from '../model/control-plane.ts';
import type { NodeRow, PartitionRow, WindowRow } from '../cluster/lane-metrics.ts';
import type { LatencyHistogram } from '../cluster/latency-histogram.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { Workload } from '../workload/workload.ts';
import type { PolicyReport } from '../policies/policy.ts';
import type { PolicySummary } from './summary.ts';
import type { LowerBounds } from './bounds.ts';
import type { SharedRing } from './batch-ring.ts';
import type { SpoolSink } from './spool.ts';
import { METRICS_WINDOW_MS } from '../model/binned.ts';

/** Metrics window (timeseries rows, imbalance, utilisation). */
export const WINDOW_MS = METRICS_WINDOW_MS;
/** Key-space groups of the load heatmap. */
export const HEATMAP_GROUPS = 64;
/**
 * Operations a lane keeps when it does not stream them (thinned.ts: beyond this, every 2nd,
 * 4th, … operation). The heatmap and the layouts are the charts' bins (model/binned.ts
 * `CHART_LIMITS`). Summary figures are computed from every window and operation.
 */
export const SERIES_LIMITS = { operations: 50_000 } as const;

/** A lane's partition layout at the end of a window: boundaries as fractions of the key space, and nodes. */
export interface LaneLayout {
  readonly timeMs: number;
  readonly boundaries: number[];
  readonly nodes: number[];
}

/** What a lane produced. */
export interface LaneResult {
  readonly name: string;
  readonly kind: string;
  readonly summary: PolicySummary;
  readonly rows: readonly WindowRow[];
  /** Per node per window (nodes.csv). */
  readonly nodeRows: readonly NodeRow[];
  /** Per partition per window (partitions.csv); every `partitionStride`-th window on long runs; none when spooled. */
  readonly partitionRows: readonly PartitionRow[];
  /** Finished operations (thinned on long runs); none when spooled (see `opBins`). */
  readonly operations: readonly OpEvent[];
  /**
   * Partition boundaries (fractions of the key space) at the end of each window in which the map
   * changed; past CHART_LIMITS.layouts of them, the last change of each bin of 2, 4, … windows
   * (the layout in force when the bin ends: model/binned.ts).
   */
  readonly layouts: readonly LaneLayout[];
  readonly finalMap: PartitionMap;
  /** What the policy reported at the end (plans, forecast accuracy, fallbacks…). */
  readonly report?: PolicyReport;
  /** Latency histogram of the measured records. */
  readonly latency: LatencyHistogram;
  /** Wall ms of the work the policy scheduled itself (decisions, APM steps): part of `summary.wallMs`. */
  readonly scheduledMs: number;
  /** Latency quantile (0 < q ≤ 1, ms) of the measured records. */
  latencyQuantile(q: number): number;
  /** Memory gauge: the most queue cohorts the lane held at a window's end. */
  readonly maxCohorts?: number;
  /**
   * True when the lane streamed its per-window files (timeseries, nodes, partitions, operations
   * CSVs and plans.jsonl) to `RunOptions.spool` as it ran: those files are complete there, and
   * the rows here are the thinned ones the charts draw (`report.planRecords` is empty).
   */
  readonly spooled?: boolean;
  /** End times of rolled-back plans, when spooled (the plan records are on disk). */
  readonly rollbacks?: readonly number[];
  /** Finished operations counted per `opBinMs` by kind and status, when spooled (`operations` is then empty). */
  readonly opBins?: readonly { timeMs: number; kind: string; status: string; n: number }[];
  /** Length of an `opBins` bar: 10 minutes, or 20, 40, … on long runs (model/binned.ts OpBins). */
  readonly opBinMs?: number;
}

/** The outcome of running a scenario. */
export interface RunResult {
  readonly loaded: LoadedScenario;
  readonly seed: number;
  readonly simulatedMs: number;
  readonly measuredMs: number;
  readonly lanes: readonly LaneResult[];
  /** Per window: records/s per key-space group (HEATMAP_GROUPS of them); past CHART_LIMITS.windows, per bin of 2, 4, … windows (their mean). */
  readonly heatmap: readonly { timeMs: number; rates: number[] }[];
  readonly badRows: number;
  /** Policy-independent lower bounds (bounds.ts); null where they do not hold (`queueLimit`). */
  readonly bounds: LowerBounds | null;
  /** The folder the lanes streamed their files into (`RunOptions.spool.dir`), if any. */
  readonly spool?: string;
  /** Threads the lanes ran in (1 when none could be started); results do not depend on it. */
  readonly threads: number;
}

/** A source of tick batches: `batch(i, t)` for tick i at time t, then `done(i)` once simulated. */
export interface TickFeed {
  batch(i: number, timeMs: number): KeyBatch;
  done(i: number): void;
}

/** A group of lanes started in another thread; `wait()` blocks until it is done. */
export interface RunningGroup {
  wait(): LaneResult[];
  cancel(): void;
  /** True once the thread has posted its result (or its failure): it reads no more batches. */
  finished(): boolean;
}

/** What a group of lanes in another thread runs: the policies, and where its batches come from and its files go. */
export interface GroupTask {
  readonly loaded: LoadedScenario;
  readonly policies: readonly string[];
  readonly skipBadRows?: boolean;
  /** The shared ring the batches come from, and this group's reader index (batch-ring.ts). */
  readonly feed: { readonly ring: SharedRing; readonly reader: number };
  /** The folder the lanes stream their files into (`RunOptions.spool.dir`). */
  readonly spoolDir?: string;
}

/**
 * Starts a group of lanes in another thread (io/lane-threads.ts); throws when no thread can be
 * started (the run then goes on in one thread, with the same results).
 */
export type StartLanes = (task: GroupTask) => RunningGroup;

/** Options of `runScenario`. */
export interface RunOptions {
  /** Called now and then with the simulated fraction done (0..1). */
  readonly onProgress?: (fraction: number) => void;
  /** Overrides the workload (tests, trace replay). */
  readonly workload?: Workload;
  /** Trace replay: skip malformed or out-of-order rows (counted as `badRows`) instead of exit 2. */
  readonly skipBadRows?: boolean;
  /**
   * Threads to spread the policies over (lane-groups.ts), with `startLanes`; results are
   * identical for every value. Default: one for small runs, else up to the cores and the policies.
   */
  readonly workers?: number;
  /** Starts lanes in other threads; without it every lane runs in this thread. */
  readonly startLanes?: StartLanes;
  /**
   * Where the ticks' batches come from instead of `workload.nextBatch` (parallel runs: the
   * calling thread publishes what it generates, workers read it; see batch-ring.ts).
   */
  readonly feed?: (workload: Workload) => TickFeed;
  /**
   * Where the lanes stream their per-window and per-event files as the run goes (spool.ts:
   * `<lane>/timeseries.csv`, …): complete files whatever the run's length, with memory bounded.
   * The report's temporary folder (io/spool-files.ts) when `keycast run` writes a report.
   */
  readonly spool?: SpoolSink;
  /**
   * Only the summary is wanted (other seeds of `--seeds`, sweeps): the lanes keep no rows,
   * operations, layouts, plan records or forecast log, and no heatmap is kept. Same summary.
   */
  readonly summaryOnly?: boolean;
}

/**
 * Runs a scenario's lanes in this thread: one workload and one virtual-time scheduler, the
 * workload as an RxJS stream of per-tick batches that every lane consumes in turn (common random
 * numbers), metrics windows closed for all lanes at once, and the run-wide series (heatmap,
 * lower bounds). run.ts spreads the lanes over threads and calls this in each.
 */
import { Observable } from 'rxjs';
import { performance } from 'node:perf_hooks';
import { RandomSource } from '../engine/random.ts';
import { Priority, VirtualScheduler } from '../engine/virtual-scheduler.ts';
import type { KeyBatch } from '../model/batch.ts';
import { prefixSumsInto } from '../model/load.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import { BucketHistory } from '../cluster/bucket-history.ts';
import { heatSeries, type HeatRow } from '../model/binned.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { Workload } from '../workload/workload.ts';
import { LowerBoundTracker } from './bounds.ts';
import { createLane, finishLane, startLanePolicy, type LaneShared } from './lane.ts';
import { clusterFacts, makeWorkload } from './make-workload.ts';
import { realisedFor } from './realised.ts';
import { HEATMAP_GROUPS, WINDOW_MS, type LaneLayout, type RunOptions, type RunResult, type TickFeed } from './run-types.ts';

/** Runs the scenario's policies in this thread. */
export function runLanes(loaded: LoadedScenario, opts: RunOptions = {}): RunResult {
  const sc = loaded.scenario;
  const random = new RandomSource(sc.seed);
  const workload = opts.workload ?? makeWorkload(loaded, random, { skipBadRows: opts.skipBadRows });
  const B = sc.keyspace.buckets;
  const scheduler = new VirtualScheduler();
  const keepMs = Math.max(sc.cluster.retention, 3_600_000, ...loaded.policies.map(([, p]) => ('window' in p ? p.window : 0)));
  const history = new BucketHistory(B, WINDOW_MS, keepMs);
  const shared: LaneShared = { sc, buckets: B, scheduler, random, history, facts: clusterFacts(sc), workload, spool: opts.spool, summaryOnly: opts.summaryOnly, realised: realisedFor(loaded, sc.duration, { skipBadRows: opts.skipBadRows }) };
  const lanes = loaded.policies.map(([name, spec]) => createLane(name, spec, shared));
  const endMs = sc.duration;
  for (const lane of lanes) startLanePolicy(lane, shared, endMs);

  // From the shared ring of a parallel run when one is given (see batch-ring.ts).
  const batches$ = tickBatches(scheduler, workload, sc.tick, endMs, opts.feed?.(workload));
  // Keep partitions.csv under ~500k rows per policy on long runs (every stride-th window) when
  // the rows are held in memory until the report is written; under ~5M (a few hundred MB on
  // disk) when they are streamed to the report's folder.
  const partitionStride = Math.max(1, Math.ceil(((endMs / WINDOW_MS) * sc.cluster.partitions * 2) / (opts.spool ? 5_000_000 : 500_000)));
  const windows = new WindowCloser(lanes, history, B, partitionStride, !opts.summaryOnly || opts.spool !== undefined);
  let progressAt = 0;
  const prefixBuf = new Float64Array(B + 1);
  const bounds = new LowerBoundTracker(sc.cluster, B, sc.warmup, sc.slo.latency);
  batches$.subscribe((batch) => {
    windows.reach(batch.timeMs);
    history.add(batch);
    bounds.step(batch);
    // Several lanes share one pass over the buckets: prefix sums, then O(partitions) per lane.
    const prefix = lanes.length > 1 ? prefixSumsInto(batch.counts, prefixBuf) : undefined;
    for (const lane of lanes) {
      const t0 = performance.now(); // clock-ok: wallMs only
      lane.cluster.step(batch, prefix);
      lane.policy.observe?.(batch);
      lane.wallMs += performance.now() - t0; // clock-ok: wallMs only
    }
    if (opts.onProgress && batch.timeMs >= progressAt) {
      opts.onProgress(batch.timeMs / endMs);
      progressAt += endMs / 200;
    }
  });

  scheduler.run(endMs);
  windows.finish(endMs);
  opts.onProgress?.(1);
  const results = lanes.map((lane) => finishLane(lane, endMs, sc.warmup));
  return { loaded, seed: sc.seed, simulatedMs: endMs, measuredMs: endMs - sc.warmup, lanes: results, heatmap: windows.heatmap, badRows: workload.badRows, bounds: bounds.result(endMs), ...(opts.spool ? { spool: opts.spool.dir } : {}), threads: 1 };
}

/**
 * The workload as an RxJS stream of per-tick batches on the virtual scheduler: tick i at
 * i × `tickMs` for every tick before `endMs`, then complete. Batches come from `feed` when given
 * (`done(i)` once a batch was handed on), else from `workload.nextBatch`.
 */
export function tickBatches(scheduler: VirtualScheduler, workload: Workload, tickMs: number, endMs: number, feed?: TickFeed): Observable<KeyBatch> {
  const ticks = Math.ceil(endMs / tickMs);
  return new Observable<KeyBatch>((sub) => {
    let i = 0;
    const emit = () => {
      const t = i * tickMs;
      if (feed) {
        sub.next(feed.batch(i, t));
        feed.done(i);
      } else sub.next(workload.nextBatch(t));
      i++;
      if (i < ticks) scheduler.at(i * tickMs, emit, Priority.tick);
      else sub.complete();
    };
    scheduler.at(0, emit, Priority.tick);
  });
}

/** What the window closer needs of a lane. */
export interface WindowLane {
  readonly cluster: {
    closeWindow(startMs: number, windowMs: number, windowCounts: Float64Array, recordPartitions: boolean, index: number): void;
    currentMap(): PartitionMap;
  };
  lastVersion: number;
  readonly churn: { add(layout: LaneLayout): void };
  readonly layoutSeries: { push(index: number, layout: LaneLayout): void };
}

/**
 * Closes the metrics windows (WINDOW_MS) of every lane at once: each lane's cluster closes the
 * window (partition rows every `partitionStride`-th window), a lane whose map changed keeps its
 * layout, and the run keeps the window's load per key-space group (`heatmap`, thinned).
 */
export class WindowCloser {
  /** Per window: records/s per key-space group (HEATMAP_GROUPS of them, fewer with fewer buckets). */
  readonly heatmap: HeatRow[] = [];
  private readonly heatSeries = heatSeries(this.heatmap);
  private windowStart = 0;
  private windowIndex = 0;

  constructor(
    private readonly lanes: readonly WindowLane[],
    private readonly history: Pick<BucketHistory, 'slot'>,
    private readonly buckets: number,
    private readonly partitionStride: number,
    keepHeatmap = true,
  ) {
    this.heatSeries.keeps = keepHeatmap;
  }

  /** A batch at `timeMs` arrives: closes the current window first if the batch is past its end. */
  reach(timeMs: number): void {
    if (timeMs < this.windowStart + WINDOW_MS) return;
    this.close(this.windowStart, WINDOW_MS);
    this.windowStart += WINDOW_MS;
  }

  /** The run ends at `endMs`: closes the last window (shorter when the run ends inside it). */
  finish(endMs: number): void {
    if (this.windowStart < endMs) this.close(this.windowStart, Math.min(WINDOW_MS, endMs - this.windowStart));
  }

  private close(start: number, span: number): void {
    const B = this.buckets;
    // The window's per-bucket counts are the history's current slot (slots are metrics windows).
    const windowCounts = this.history.slot(0);
    const index = this.windowIndex++;
    const recordPartitions = index % this.partitionStride === 0;
    for (const lane of this.lanes) {
      lane.cluster.closeWindow(start, span, windowCounts, recordPartitions, index);
      const map = lane.cluster.currentMap();
      if (map.version !== lane.lastVersion) {
        lane.lastVersion = map.version;
        const layout = { timeMs: start, boundaries: map.boundaries.map((b) => b / B), nodes: [...map.nodes] };
        lane.churn.add(layout);
        lane.layoutSeries.push(index, layout);
      }
    }
    if (!this.heatSeries.keeps) return;
    const g = Math.min(HEATMAP_GROUPS, B);
    const rates = new Array<number>(g).fill(0);
    for (let i = 0; i < B; i++) rates[Math.floor((i * g) / B)] += windowCounts[i];
    this.heatSeries.push(index, { timeMs: start, rates: rates.map((x) => Math.round((x / (span / 1000)) * 1000) / 1000) });
  }
}

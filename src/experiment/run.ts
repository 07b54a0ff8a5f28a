/**
 * Runs one scenario: one workload, one virtual-time scheduler, and one lane per policy (its own
 * simulated cluster and policy instance). Every lane consumes the identical batch of each tick
 * (common random numbers), so differences between policies come from the policies alone.
 */
import { Observable } from 'rxjs';
import { performance } from 'node:perf_hooks';
import type { PolicySpec } from '../scenario/schema.ts';
import { RandomSource } from '../engine/random.ts';
import { Priority, VirtualScheduler, timedPort } from '../engine/virtual-scheduler.ts';
import type { KeyBatch } from '../model/batch.ts';
import { prefixSumsInto } from '../model/load.ts';
import { equalPartitionMap, type PartitionMap } from '../model/partition-map.ts';
import { BucketHistory } from '../cluster/bucket-history.ts';
import { SimCluster } from '../cluster/sim-cluster.ts';
import type { NodeRow, PartitionRow, WindowRow } from '../cluster/lane-metrics.ts';
import type { OpEvent } from '../model/control-plane.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import * as path from 'node:path';
import { InputError } from '../model/errors.ts';
import { SyntheticWorkload } from '../workload/synthetic.ts';
import { TraceWorkload } from '../workload/trace/trace-workload.ts';
import type { Workload } from '../workload/workload.ts';
import type { ClusterFacts, Policy, PolicyContext, PolicyReport } from '../policies/policy.ts';
import { createPolicy } from './policy-factory.ts';
import { specKey } from './spec-key.ts';
import { policySummary, type PolicySummary } from './summary.ts';
import { ChurnTracker } from './churn.ts';
import { Thinned } from '../model/thinned.ts';
import { heatSeries, layoutSeries, METRICS_WINDOW_MS, type Binned, type HeatRow, type LayoutRow } from '../model/binned.ts';
import { LaneSpool } from './spool.ts';
import { autoLaneWorkers, laneGroups, startGroup, withPolicies } from './lane-workers.ts';
import { createRing, RingWriter } from './batch-ring.ts';
import type { LatencyHistogram } from '../cluster/latency-histogram.ts';
import { LowerBoundTracker, type LowerBounds } from './bounds.ts';

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
  readonly layouts: readonly { timeMs: number; boundaries: number[]; nodes: number[] }[];
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
  /** The folder the lanes streamed their files into (`RunOptions.spool`), if any. */
  readonly spool?: string;
}

/** Options of `runScenario`. */
export interface RunOptions {
  /** Called now and then with the simulated fraction done (0..1). */
  readonly onProgress?: (fraction: number) => void;
  /** Overrides the workload (tests, trace replay). */
  readonly workload?: Workload;
  /** Trace replay: skip malformed or out-of-order rows (counted as `badRows`) instead of exit 2. */
  readonly skipBadRows?: boolean;
  /**
   * Threads to spread the policies over (lane-workers.ts); results are identical for every
   * value. Default: one for small runs, else up to the cores and the policies.
   */
  readonly workers?: number;
  /**
   * Where the ticks' batches come from instead of `workload.nextBatch` (parallel runs: the
   * calling thread publishes what it generates, workers read it; see batch-ring.ts).
   */
  readonly feed?: (workload: Workload) => TickFeed;
  /**
   * A folder the lanes stream their per-window and per-event files into as the run goes
   * (spool.ts: `<spool>/<lane>/timeseries.csv`, …): complete files whatever the run's length,
   * with memory bounded. The report's temporary folder when `keycast run` writes a report.
   */
  readonly spool?: string;
  /**
   * Only the summary is wanted (other seeds of `--seeds`, sweeps): the lanes keep no rows,
   * operations, layouts, plan records or forecast log, and no heatmap is kept. Same summary.
   */
  readonly summaryOnly?: boolean;
}

/** A source of tick batches: `batch(i, t)` for tick i at time t, then `done(i)` once simulated. */
export interface TickFeed {
  batch(i: number, timeMs: number): KeyBatch;
  done(i: number): void;
}

/**
 * Builds the workload of a scenario: trace replay when `workload.trace` is set, else the
 * synthetic generator. For a trace whose scenario gives no `duration` (`loaded.durationFromTrace`),
 * this sets `scenario.duration` to the trace's span ÷ speed, so call it before reading the
 * duration (runScenario and `keycast generate` do). Throws InputError for a bad trace.
 */
export function makeWorkload(
  loaded: LoadedScenario,
  random: RandomSource,
  opts: { readonly skipBadRows?: boolean; readonly keepKeyWeights?: boolean } = {},
): Workload {
  const sc = loaded.scenario;
  const tr = sc.workload.trace;
  if (!tr) return new SyntheticWorkload(sc.workload, sc.keyspace, sc.tick, random, { keepKeyWeights: opts.keepKeyWeights });
  const w = new TraceWorkload(tr, path.resolve(loaded.dir, tr.file), sc.keyspace, sc.tick, sc.workload.recordBytes, { skipBadRows: opts.skipBadRows });
  if (loaded.durationFromTrace) {
    (sc as { duration: number }).duration = w.defaultDurationMs;
    if (sc.warmup >= sc.duration) {
      w.close();
      throw new InputError([{ file: loaded.file, path: 'warmup', message: `must be shorter than duration (the trace's span ÷ speed = ${w.defaultDurationMs} ms)` }]);
    }
  }
  return w;
}

/**
 * Runs every policy of the scenario on the same workload and returns their results, the lanes
 * spread over `opts.workers` threads (see lane-workers.ts).
 */
export function runScenario(loaded: LoadedScenario, opts: RunOptions = {}): RunResult {
  const workers = opts.workload ? 1 : (opts.workers ?? autoLaneWorkers(loaded));
  const groups = laneGroups(loaded, workers);
  if (groups.length <= 1) return runLanes(loaded, opts);
  const running: ReturnType<typeof startGroup>[] = [];
  // This thread generates the workload once; the workers read it from a shared ring.
  const ring = createRing(loaded.scenario.keyspace.buckets, groups.length - 1);
  try {
    groups.slice(1).forEach((g, r) => running.push(startGroup(loaded, g, opts.skipBadRows, { ring, reader: r }, opts.spool)));
  } catch {
    // A worker could not be started (e.g. the bundle could not be written): same results, one thread.
    for (const r of running) r.cancel();
    return runLanes(loaded, opts);
  }
  let own: RunResult;
  try {
    const feed = (workload: Workload): TickFeed => {
      const writer = new RingWriter(ring, (r) => running[r].finished());
      return {
        batch(i, t) {
          const b = workload.nextBatch(t);
          writer.write(i, b);
          return b;
        },
        done() {},
      };
    };
    own = runLanes(withPolicies(loaded, groups[0]), { ...opts, feed });
  } catch (e) {
    for (const r of running) r.cancel();
    throw e;
  }
  const lanes = new Map(own.lanes.map((l) => [l.name, l]));
  for (const r of running) for (const l of r.wait()) lanes.set(l.name, l);
  return { ...own, loaded, lanes: loaded.policies.map(([n]) => lanes.get(n)!) };
}

/** Runs the scenario's policies in this thread. */
export function runLanes(loaded: LoadedScenario, opts: RunOptions = {}): RunResult {
  const sc = loaded.scenario;
  const random = new RandomSource(sc.seed);
  const workload = opts.workload ?? makeWorkload(loaded, random, { skipBadRows: opts.skipBadRows });
  const B = sc.keyspace.buckets;
  const scheduler = new VirtualScheduler();
  const keepMs = Math.max(sc.cluster.retention, 3_600_000, ...loaded.policies.map(([, p]) => ('window' in p ? p.window : 0)));
  const history = new BucketHistory(B, WINDOW_MS, keepMs);
  const facts = clusterFacts(sc);

  interface Lane {
    name: string;
    spec: PolicySpec;
    kind: string;
    cluster: SimCluster;
    policy: Policy;
    ops: OpEvent[];
    opSeries: Thinned<OpEvent>;
    opCount: number;
    layouts: LayoutRow[];
    layoutSeries: Binned<LayoutRow>;
    churn: ChurnTracker;
    spool?: LaneSpool;
    lastVersion: number;
    wallMs: number;
    scheduledMs: number;
  }
  const lanes: Lane[] = loaded.policies.map(([name, spec]) => {
    const cluster = new SimCluster({
      config: sc.cluster,
      initialMap: equalPartitionMap(B, sc.cluster.partitions, sc.cluster.nodes),
      scheduler,
      faults: random.fork('faults'),
      faultDraws: (key) => random.keyed(`fault/${key}`),
      history,
      recordBytes: sc.workload.recordBytes,
      warmupMs: sc.warmup,
      sloMs: sc.slo.latency,
    });
    const ops: OpEvent[] = [];
    const layouts: LayoutRow[] = [];
    const lane: Lane = {
      name,
      spec,
      kind: spec.kind,
      cluster,
      policy: createPolicy(spec),
      ops,
      opSeries: new Thinned(ops, SERIES_LIMITS.operations),
      opCount: 0,
      layouts,
      layoutSeries: layoutSeries(layouts),
      churn: new ChurnTracker(B, sc.warmup),
      spool: opts.spool ? new LaneSpool(opts.spool, name) : undefined,
      lastVersion: -1,
      wallMs: 0,
      scheduledMs: 0,
    };
    lane.spool?.attach(cluster.metrics);
    if (opts.summaryOnly && !lane.spool) {
      cluster.metrics.streamRows(null);
      lane.opSeries.keeps = lane.layoutSeries.keeps = false;
    }
    cluster.events$.subscribe((e) => {
      if (e.status === 'started') return;
      // Spooled, the file has every operation and the chart its counts (LaneSpool.opBins).
      if (lane.spool) lane.spool.operation(e);
      else if (lane.opSeries.takes(lane.opCount)) lane.opSeries.push(lane.opCount, { ...e, map: undefined });
      lane.opCount++;
    });
    return lane;
  });

  const endMs = sc.duration;
  for (const lane of lanes) {
    const ctx: PolicyContext = {
      name: lane.name,
      // Decisions the policy schedules count in its lane's wallMs.
      scheduler: timedPort(
        scheduler,
        (ms) => {
          lane.wallMs += ms;
          lane.scheduledMs += ms;
        },
        () => performance.now(), // clock-ok: wallMs only
      ),
      control: lane.cluster,
      cluster: facts,
      buckets: B,
      startMs: 0,
      endMs,
      warmupMs: sc.warmup,
      apm: sc.apm,
      // Keyed by the policy's spec, not its name: renaming a policy does not change its results.
      rng: random.fork(`policy/${specKey(lane.spec)}`),
      observedRate: (spanMs, out) => history.recentRate(scheduler.now(), spanMs, out),
      expectedRate: (tMs, out) => workload.expectedRates(tMs, out),
      arrivalNoise: { ...(workload.arrivalNoise ?? { cv: 0, poisson: false }), tickMs: sc.tick },
      stateBytes: (out) => {
        history.bucketCounts(scheduler.now(), sc.cluster.retention, out);
        for (let i = 0; i < B; i++) out[i] *= sc.workload.recordBytes;
        return out;
      },
      planSink: lane.spool ? (rec) => lane.spool!.plan(rec) : opts.summaryOnly ? () => {} : undefined,
      forecastSink: lane.spool ? (row) => lane.spool!.forecast(row) : undefined,
      summaryOnly: opts.summaryOnly && !lane.spool,
    };
    lane.policy.start(ctx);
  }

  // The workload as an RxJS stream of per-tick batches on the virtual scheduler (from the
  // shared ring of a parallel run when one is given: see batch-ring.ts).
  const feed = opts.feed?.(workload);
  const ticks = Math.ceil(endMs / sc.tick);
  const batches$ = new Observable<KeyBatch>((sub) => {
    let i = 0;
    const emit = () => {
      const t = i * sc.tick;
      if (feed) {
        sub.next(feed.batch(i, t));
        feed.done(i);
      } else sub.next(workload.nextBatch(t));
      i++;
      if (i < ticks) scheduler.at(i * sc.tick, emit, Priority.tick);
      else sub.complete();
    };
    scheduler.at(0, emit, Priority.tick);
  });

  let windowStart = 0;
  let windowIndex = 0;
  // Keep partitions.csv under ~500k rows per policy on long runs (every stride-th window) when
  // the rows are held in memory until the report is written; under ~5M (a few hundred MB on
  // disk) when they are streamed to the report's folder.
  const partitionStride = Math.max(1, Math.ceil(((endMs / WINDOW_MS) * sc.cluster.partitions * 2) / (opts.spool ? 5_000_000 : 500_000)));
  const heatmap: HeatRow[] = [];
  const heat = heatSeries(heatmap);
  heat.keeps = !opts.summaryOnly || opts.spool !== undefined;
  const closeWindow = (start: number, span: number) => {
    // The window's per-bucket counts are the history's current slot (slots are metrics windows).
    const windowCounts = history.slot(0);
    const index = windowIndex++;
    const recordPartitions = index % partitionStride === 0;
    for (const lane of lanes) {
      lane.cluster.closeWindow(start, span, windowCounts, recordPartitions, index);
      const map = lane.cluster.currentMap();
      if (map.version !== lane.lastVersion) {
        lane.lastVersion = map.version;
        const layout = { timeMs: start, boundaries: map.boundaries.map((b) => b / B), nodes: [...map.nodes] };
        lane.churn.add(layout);
        lane.layoutSeries.push(index, layout);
      }
    }
    if (!heat.keeps) return;
    const g = Math.min(HEATMAP_GROUPS, B);
    const rates = new Array<number>(g).fill(0);
    for (let i = 0; i < B; i++) rates[Math.floor((i * g) / B)] += windowCounts[i];
    heat.push(index, { timeMs: start, rates: rates.map((x) => Math.round((x / (span / 1000)) * 1000) / 1000) });
  };

  let progressAt = 0;
  const prefixBuf = new Float64Array(B + 1);
  const bounds = new LowerBoundTracker(sc.cluster, B, sc.warmup, sc.slo.latency);
  batches$.subscribe((batch) => {
    if (batch.timeMs >= windowStart + WINDOW_MS) {
      closeWindow(windowStart, WINDOW_MS);
      windowStart += WINDOW_MS;
    }
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
  if (windowStart < endMs) closeWindow(windowStart, Math.min(WINDOW_MS, endMs - windowStart));
  opts.onProgress?.(1);

  const results: LaneResult[] = lanes.map((lane) => {
    lane.cluster.finishRun(endMs);
    const report = lane.policy.finish?.();
    lane.spool?.close(report?.planRecords !== undefined);
    const churn = lane.churn.result(endMs - sc.warmup);
    const summary = policySummary(lane.kind, lane.cluster.metrics, lane.wallMs, churn, endMs - sc.warmup, report);
    return {
      name: lane.name,
      kind: lane.kind,
      summary,
      rows: lane.cluster.metrics.rows,
      nodeRows: lane.cluster.metrics.nodeRows,
      partitionRows: lane.cluster.metrics.partitionRows,
      operations: lane.ops,
      layouts: lane.layouts,
      finalMap: lane.cluster.currentMap(),
      report,
      latency: lane.cluster.metrics.latency,
      scheduledMs: lane.scheduledMs,
      maxCohorts: lane.cluster.metrics.maxCohorts,
      ...(lane.spool ? { spooled: true, rollbacks: lane.spool.rollbacks, opBins: lane.spool.opBins.rows, opBinMs: lane.spool.opBins.binMs } : {}),
      latencyQuantile: (q: number) => lane.cluster.metrics.latency.quantile(q),
    };
  });
  return { loaded, seed: sc.seed, simulatedMs: endMs, measuredMs: endMs - sc.warmup, lanes: results, heatmap, badRows: workload.badRows, bounds: bounds.result(endMs), ...(opts.spool ? { spool: opts.spool } : {}) };
}

/** What a policy may know of the cluster a scenario describes (simulated or live). */
export function clusterFacts(sc: LoadedScenario['scenario']): ClusterFacts {
  return {
    nodeCapacity: sc.cluster.nodeCapacity,
    partitionCapacity: sc.cluster.partitionCapacity,
    maxPartitions: sc.cluster.maxPartitions,
    moveBandwidth: sc.cluster.moveBandwidth,
    pauses: sc.cluster.pauses,
    maxConcurrentOps: sc.cluster.maxConcurrentOps,
    moveLoad: sc.cluster.moveLoad,
    recordBytes: sc.workload.recordBytes,
    retention: sc.cluster.retention,
  };
}

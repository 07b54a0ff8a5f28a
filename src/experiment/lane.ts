/**
 * One lane of a run: a policy with its own simulated cluster, the series the lane keeps
 * (operations, layouts, churn) and where it streams its files; how a lane is set up, how its
 * policy is started with what it may know, and what the lane gives back at the end. The lanes of
 * a run share one scheduler, random root, bucket history and workload (`LaneShared`).
 */
import { performance } from 'node:perf_hooks';
import type { PolicySpec, Scenario } from '../scenario/schema.ts';
import type { RandomSource } from '../engine/random.ts';
import { timedPort, type VirtualScheduler } from '../engine/virtual-scheduler.ts';
import { equalPartitionMap, type PartitionMap } from '../model/partition-map.ts';
import type { OpEvent } from '../model/control-plane.ts';
import type { BucketHistory } from '../cluster/bucket-history.ts';
import { SimCluster } from '../cluster/sim-cluster.ts';
import { Thinned } from '../model/thinned.ts';
import { layoutSeries, type Binned } from '../model/binned.ts';
import type { Workload } from '../workload/workload.ts';
import type { RealisedLoad } from '../model/realised.ts';
import type { ClusterFacts, Policy, PolicyContext } from '../policies/policy.ts';
import { createPolicy } from './policy-factory.ts';
import { specKey } from './spec-key.ts';
import { policySummary } from './summary.ts';
import { ChurnTracker } from './churn.ts';
import { LaneSpool, type SpoolSink } from './spool.ts';
import { SERIES_LIMITS, type LaneResult, type LaneLayout } from './run-types.ts';

/** What the lanes of one run share. */
export interface LaneShared {
  readonly sc: Scenario;
  readonly buckets: number;
  readonly scheduler: VirtualScheduler;
  readonly random: RandomSource;
  readonly history: BucketHistory;
  readonly facts: ClusterFacts;
  readonly workload: Workload;
  readonly spool?: SpoolSink;
  /** Only the summary is wanted (`RunOptions.summaryOnly`). */
  readonly summaryOnly?: boolean;
  /** The realised arrivals the `hindsight` lanes plan from (experiment/realised.ts). */
  readonly realised?: ReadonlyMap<number, RealisedLoad>;
}

/** A lane while the run goes. */
export interface Lane {
  readonly name: string;
  readonly spec: PolicySpec;
  readonly kind: string;
  readonly cluster: SimCluster;
  readonly policy: Policy;
  /** Finished operations (thinned through `opSeries`; empty when spooled). */
  readonly ops: OpEvent[];
  readonly opSeries: Thinned<OpEvent>;
  opCount: number;
  /** Layouts at the ends of windows where the map changed (binned through `layoutSeries`). */
  readonly layouts: LaneLayout[];
  readonly layoutSeries: Binned<LaneLayout>;
  readonly churn: ChurnTracker;
  readonly spool?: LaneSpool;
  /** The map version of the last layout kept. */
  lastVersion: number;
  /** Wall ms of the lane's work (cluster steps, observations, scheduled decisions): `summary.wallMs`. */
  wallMs: number;
  /** The part of `wallMs` the policy scheduled itself. */
  scheduledMs: number;
}

/**
 * The map a lane starts from: `cluster.partitions` equal-width partitions round-robin over the
 * nodes, the start every lane shares, or a static policy's own `partitions`.
 */
export function startMap(sc: Scenario, spec: PolicySpec): PartitionMap {
  const k = spec.kind === 'static' && spec.partitions !== undefined ? spec.partitions : sc.cluster.partitions;
  return equalPartitionMap(sc.keyspace.buckets, k, sc.cluster.nodes);
}

/** Sets up the lane of policy `name`: its cluster on the shared scheduler, its policy, its series and spool. */
export function createLane(name: string, spec: PolicySpec, s: LaneShared): Lane {
  const { sc, random } = s;
  const cluster = new SimCluster({
    config: sc.cluster,
    initialMap: startMap(sc, spec),
    scheduler: s.scheduler,
    faults: random.fork('faults'),
    faultDraws: (key) => random.keyed(`fault/${key}`),
    history: s.history,
    recordBytes: sc.workload.recordBytes,
    warmupMs: sc.warmup,
    sloMs: sc.slo.latency,
  });
  const ops: OpEvent[] = [];
  const layouts: LaneLayout[] = [];
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
    churn: new ChurnTracker(s.buckets, sc.warmup),
    spool: s.spool ? new LaneSpool(s.spool, name) : undefined,
    lastVersion: -1,
    wallMs: 0,
    scheduledMs: 0,
  };
  lane.spool?.attach(cluster.metrics);
  if (s.summaryOnly && !lane.spool) {
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
}

/** Starts the lane's policy with what it may know of the run (until `endMs`). */
export function startLanePolicy(lane: Lane, s: LaneShared, endMs: number): void {
  const { sc, scheduler, history, workload } = s;
  const B = s.buckets;
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
    cluster: s.facts,
    buckets: B,
    startMs: 0,
    endMs,
    warmupMs: sc.warmup,
    apm: sc.apm,
    // Keyed by the policy's spec, not its name: renaming a policy does not change its results.
    rng: s.random.fork(`policy/${specKey(lane.spec)}`),
    observedRate: (spanMs, out) => history.recentRate(scheduler.now(), spanMs, out),
    expectedRate: (tMs, out) => workload.expectedRates(tMs, out),
    arrivalNoise: { ...(workload.arrivalNoise ?? { cv: 0, poisson: false }), tickMs: sc.tick },
    realised: s.realised,
    stateBytes: (out) => {
      history.bucketCounts(scheduler.now(), sc.cluster.retention, out);
      for (let i = 0; i < B; i++) out[i] *= sc.workload.recordBytes;
      return out;
    },
    planSink: lane.spool ? (rec) => lane.spool!.plan(rec) : s.summaryOnly ? () => {} : undefined,
    forecastSink: lane.spool ? (row) => lane.spool!.forecast(row) : undefined,
    summaryOnly: s.summaryOnly && !lane.spool,
  };
  lane.policy.start(ctx);
}

/** Ends the lane at `endMs` (measured from `warmupMs`) and returns what it produced. */
export function finishLane(lane: Lane, endMs: number, warmupMs: number): LaneResult {
  lane.cluster.finishRun(endMs);
  const report = lane.policy.finish?.();
  lane.spool?.close(report?.planRecords !== undefined);
  const churn = lane.churn.result(endMs - warmupMs);
  const metrics = lane.cluster.metrics;
  const summary = policySummary(lane.kind, metrics, lane.wallMs, churn, endMs - warmupMs, report);
  return {
    name: lane.name,
    kind: lane.kind,
    summary,
    rows: metrics.rows,
    nodeRows: metrics.nodeRows,
    partitionRows: metrics.partitionRows,
    operations: lane.ops,
    layouts: lane.layouts,
    finalMap: lane.cluster.currentMap(),
    report,
    latency: metrics.latency,
    scheduledMs: lane.scheduledMs,
    maxCohorts: metrics.maxCohorts,
    ...(lane.spool ? { spooled: true, rollbacks: lane.spool.rollbacks, opBins: lane.spool.opBins.rows, opBinMs: lane.spool.opBins.binMs } : {}),
    latencyQuantile: (q: number) => metrics.latency.quantile(q),
  };
}

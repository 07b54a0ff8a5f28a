/**
 * What a policy is: something that, on virtual time, looks at a load picture and asks the
 * control plane for repartitioning. Policies differ only in *when* they act and *from which load
 * picture* (observed, forecast, true future); the experiment gives each the same context shape.
 */
import type { RandomStream } from '../engine/random.ts';
import type { SchedulerPort } from '../engine/virtual-scheduler.ts';
import type { KeyBatch } from '../model/batch.ts';
import type { ControlPlane } from '../model/control-plane.ts';
import type { ApmConfig } from '../manager/apm-config.ts';
import type { ForecastLogRow } from '../model/rows.ts';
import type { RealisedLoad } from '../model/realised.ts';
import type { BreakerReport, ForecastAccuracy, PlanCounts, RegretReport, StrategyReport } from '../model/policy-outcome.ts';

/** Cluster facts a policy may plan with (values from the scenario). */
export interface ClusterFacts {
  readonly nodeCapacity: number;
  readonly partitionCapacity?: number;
  readonly maxPartitions: number;
  readonly moveBandwidth: number;
  readonly pauses: { readonly split: number; readonly merge: number; readonly move: number };
  readonly maxConcurrentOps: number;
  /** Share of a node's capacity a move takes from its sending and receiving node (0 when absent). */
  readonly moveLoad?: number;
  readonly recordBytes: number;
  readonly retention: number;
}

/** What the experiment hands a policy. */
export interface PolicyContext {
  readonly name: string;
  readonly scheduler: SchedulerPort;
  readonly control: ControlPlane;
  readonly cluster: ClusterFacts;
  readonly buckets: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly warmupMs: number;
  /** How plans are executed (the scenario's `apm` section); the schema's defaults when absent. */
  readonly apm?: ApmConfig;
  /** The policy's own random stream. */
  readonly rng: RandomStream;
  /** Observed records/s per bucket over the last `spanMs` (written into `out`). */
  observedRate(spanMs: number, out: Float64Array): Float64Array;
  /** True expected records/s per bucket at `tMs` (the workload model); for the oracle only. */
  expectedRate(tMs: number, out: Float64Array): Float64Array;
  /**
   * What the workload model knows of its per-tick arrivals around the expected rates (for the
   * oracle's true tail): lognormal tick-noise cv, whether counts are Poisson, the tick length.
   */
  readonly arrivalNoise?: { readonly cv: number; readonly poisson: boolean; readonly tickMs: number };
  /** The run's realised arrivals by window length, for the `hindsight` policy (simulated runs only). */
  readonly realised?: ReadonlyMap<number, RealisedLoad>;
  /** State bytes per bucket now (the last `retention` of records). */
  stateBytes(out: Float64Array): Float64Array;
  /**
   * Where plan records go as they end (a run writing a report streams them to `plans.jsonl`);
   * the report's `planRecords` is then empty. Without it the records are kept (capped).
   */
  readonly planSink?: (record: unknown) => void;
  /**
   * Where scored forecast windows go (predictive: `forecast.csv` of a report, streamed); the
   * report's `forecastLog` then keeps only the charts' share of them (model/thinned.ts).
   */
  readonly forecastSink?: (row: ForecastLogRow) => void;
  /** Only the run's summary is wanted: keep no forecast rows (plan records go to a `planSink` that drops them). */
  readonly summaryOnly?: boolean;
}

export type { ForecastLogRow } from '../model/rows.ts';
export type { BreakerReport } from '../model/policy-outcome.ts';

/** Per-policy extras that go into `summary.json` (e.g. forecast accuracy). */
export interface PolicyReport {
  readonly forecast?: ForecastAccuracy;
  /** Plan counts by outcome (policies that execute plans through the APM). */
  readonly plans?: PlanCounts;
  /** Actions undone by rollbacks. */
  readonly rolledBackActions?: number;
  /** Resubmissions after transient failures, and operations cancelled for taking too long. */
  readonly retriedActions?: number;
  readonly timedOutOps?: number;
  /** The circuit breaker of planning (planning-policy.ts): when and why it opened. */
  readonly breaker?: BreakerReport;
  /** The spread strategy (planning policies with `strategy: auto`): when it held a striped layout, and why. */
  readonly strategy?: StrategyReport;
  /** Each plan as data with its outcome (`plans.jsonl`). */
  readonly planRecords?: readonly unknown[];
  /** Predictive only, when asked: regret against the true future, decomposed. */
  readonly regret?: RegretReport;
  /** Predictive only: each scored forecast window against what was then observed (`forecast.csv` of the report). */
  readonly forecastLog?: readonly ForecastLogRow[];
  readonly extra?: Record<string, unknown>;
}

export interface Policy {
  readonly kind: string;
  /** Called once at t = 0, before the first tick: schedule decisions here. */
  start(ctx: PolicyContext): void;
  /** Sees every batch (after the cluster served it), for policies that learn from the stream. */
  observe?(batch: KeyBatch): void;
  /** Called at the end of the run. */
  finish?(): PolicyReport;
}

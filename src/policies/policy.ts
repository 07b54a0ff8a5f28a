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

/** Cluster facts a policy may plan with (values from the scenario). */
export interface ClusterFacts {
  readonly nodeCapacity: number;
  readonly partitionCapacity?: number;
  readonly maxPartitions: number;
  readonly moveBandwidth: number;
  readonly pauses: { readonly split: number; readonly merge: number; readonly move: number };
  readonly maxConcurrentOps: number;
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
  /** State bytes per bucket now (the last `retention` of records). */
  stateBytes(out: Float64Array): Float64Array;
  /**
   * Where plan records go as they end (a run writing a report streams them to `plans.jsonl`);
   * the report's `planRecords` is then empty. Without it the records are kept (capped).
   */
  readonly planSink?: (record: unknown) => void;
}

/**
 * One window the KDP forecast and the policy then observed: the total rate (records/s) forecast
 * with its p10/p90 against the observed mean, and per forecast key range (buckets `start-end`)
 * the forecast share against the observed share. Reporting only; no decision reads it.
 */
export interface ForecastLogRow {
  /** Start of the window forecast and observed (ms). */
  readonly timeMs: number;
  readonly windowMs: number;
  /** When the forecast was issued (ms); `timeMs − issuedAtMs` is its lead. */
  readonly issuedAtMs: number;
  readonly rate: { readonly mean: number; readonly p10: number; readonly p90: number; readonly actual: number };
  readonly ranges: readonly { readonly range: string; readonly share: number; readonly actual: number }[];
}

/** Per-policy extras that go into `summary.json` (e.g. forecast accuracy). */
export interface PolicyReport {
  readonly forecast?: { smape: number; mase: number; coverage80: number };
  /** Plan counts by outcome (policies that execute plans through the APM). */
  readonly plans?: { proposed: number; completed: number; rolledBack: number; superseded: number; aborted: number };
  /** Actions undone by rollbacks. */
  readonly rolledBackActions?: number;
  /** Resubmissions after transient failures, and operations cancelled for taking too long. */
  readonly retriedActions?: number;
  readonly timedOutOps?: number;
  /** The circuit breaker of planning (planning-policy.ts): when and why it opened. */
  readonly breaker?: BreakerReport;
  /** Each plan as data with its outcome (`plans.jsonl`). */
  readonly planRecords?: readonly unknown[];
  /** Predictive only, when asked: regret against the true future, decomposed. */
  readonly regret?: { forecastCost: number; optimizerCost: number; executionLagMs: number; decisions: number };
  /** Predictive only: each scored forecast window against what was then observed (`forecast.csv` of the report). */
  readonly forecastLog?: readonly ForecastLogRow[];
  readonly extra?: Record<string, unknown>;
}

/** What the circuit breaker of a planning policy did. */
export interface BreakerReport {
  /** Times it opened. */
  opened: number;
  /** Measured ms during which planning was paused. */
  openMs: number;
  /** Decisions skipped while open. */
  skippedDecisions: number;
  /** Its transitions (the first 100), with the reason of each opening. */
  events: { timeMs: number; state: 'open' | 'half-open' | 'closed'; reason: string }[];
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

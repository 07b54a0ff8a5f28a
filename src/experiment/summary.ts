/**
 * The `summary.json` contract (DESIGN.md) as types, and the one place a policy's summary is
 * assembled (`policySummary`): from its lane's metrics (the cluster's counts), its policy's
 * report at the end of the run (the APM's plan and action counts, forecast accuracy, regret,
 * breaker) and its churn. The parts each producer reports are typed once in
 * model/policy-outcome.ts; the run's summary around them is build-summary.ts.
 */
import type { LaneMetrics } from '../cluster/lane-metrics.ts';
import type { BreakerReport, ClusterOpCounts, ForecastAccuracy, PlanCounts, RegretReport, StrategyReport } from '../model/policy-outcome.ts';
import type { PolicyReport } from '../policies/policy.ts';
import type { LowerBounds } from './bounds.ts';

export interface PolicySummary {
  kind: string;
  records: number;
  servedRecords: number;
  backlogRecords: number;
  droppedRecords: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  sloViolationRate: number;
  /** Record-seconds of latency over the SLO: Σ over violating records of (latency − SLO); dropped records count in `sloViolationRate` only. */
  recordSecondsOverSlo: number;
  /** Mean over measured records of max(0, latency − SLO), ms. */
  meanExcessLatencyMs: number;
  meanImbalance: number;
  maxUtilization: number;
  movedBytes: number;
  /** `failed` counts timed-out operations too; `retried`: resubmissions after a transient failure; `timedOut`: operations the APM cancelled. */
  operations: ClusterOpCounts & { rolledBack: number; retried?: number; timedOut?: number };
  plans: PlanCounts;
  disruptionMs: number;
  /** Completed split/merge/move/create per measured day. */
  reconfigurationsPerDay: number;
  /** Key-space fraction whose owner node changed, per measured day. */
  keyChurn: number;
  /** Share of ownership changes reversed within 30 minutes. */
  thrashing: number;
  invariantViolations: number;
  invariantMessages?: string[];
  forecast?: ForecastAccuracy;
  /** Predictive with `regret: true` (policy-outcome.ts). */
  regret?: RegretReport;
  badRows?: number;
  /** Planning policies: the circuit breaker (planning-policy.ts), when and why it opened. */
  breaker?: BreakerReport;
  /** Planning policies with `strategy: auto`: when they held a striped layout, and why (policies/spread.ts). */
  strategy?: StrategyReport;
  wallMs: number;
}

export interface ExpectationResult {
  expr: string;
  pass: boolean;
  left: number | null;
  right: number | null;
  /** Multi-seed runs, expectations over every seed: each seed's outcome (seeds.ts). */
  seeds?: SeedOutcome[];
  /** Multi-seed runs, `interval:` expectations: the paired per-seed ratio left ÷ right, geometric mean and 95% interval. */
  ratio?: { mean: number; lo: number; hi: number };
}

export interface Summary {
  keycastVersion: string;
  scenario: string;
  description: string;
  scenarioHash: string;
  seed: number;
  simulatedMs: number;
  measuredMs: number;
  sloLatencyMs: number;
  sloPercentile: number;
  policies: Record<string, PolicySummary>;
  /** Policy-independent lower bounds of the run (bounds.ts): what no layout can avoid; absent with `queueLimit`. */
  bounds?: LowerBounds;
  /** Every policy against the bounds (`<policy>.<metric> >= bound.<metric>`); a failure is a bug, and fails `keycast check`. */
  boundChecks?: ExpectationResult[];
  expectations: ExpectationResult[];
  /** Expectations not evaluated because `--policies` left out a policy they need (absent when none). */
  skippedExpectations?: { expr: string; notRun: string[] }[];
  invariantViolations: number;
  /** Multi-seed runs (`--seeds N`, `seeds:`): per-seed values, means, 95% intervals, paired ratios (seeds.ts). Every other field is the first seed's. */
  seeds?: SeedsBlock;
}

/** Rounds to 6 decimals (kept for fields whose readers want it; the summary's metrics are at full precision). */
export function r6(x: number): number {
  if (!Number.isFinite(x)) return x;
  return Math.round(x * 1e6) / 1e6;
}

/**
 * A policy's summary from its lane metrics and its policy's final report (`report`: absent for
 * policies that report nothing; then no plans, rollbacks, retries or timeouts). Key order is
 * the file's: the cluster's metrics first, then what only some policies report.
 */
export function policySummary(kind: string, m: LaneMetrics, wallMs: number, churn: { keyChurn: number; thrashing: number } = { keyChurn: 0, thrashing: 0 }, measuredMs = 0, report?: PolicyReport): PolicySummary {
  const h = m.latency;
  // Conservation was checked against the real queues (SimCluster.finishRun); the backlog written
  // is derived so that records = served + backlog + dropped holds in the file. Full precision
  // everywhere: near-zero rates must stay distinguishable (deterministic all the same).
  const records = m.records;
  const served = m.servedRecords;
  const dropped = m.droppedRecords;
  return {
    kind,
    records,
    servedRecords: served,
    backlogRecords: records - served - dropped,
    droppedRecords: dropped,
    p50LatencyMs: h.quantile(0.5),
    p95LatencyMs: h.quantile(0.95),
    p99LatencyMs: h.quantile(0.99),
    maxLatencyMs: h.maxMs,
    sloViolationRate: m.measuredRecords > 0 ? m.sloViolations / m.measuredRecords : 0,
    recordSecondsOverSlo: m.sloExcessMs / 1000,
    meanExcessLatencyMs: m.measuredRecords > 0 ? m.sloExcessMs / m.measuredRecords : 0,
    meanImbalance: m.imbalanceWindows > 0 ? m.imbalanceSum / m.imbalanceWindows : 1,
    maxUtilization: m.maxUtilization,
    movedBytes: Math.round(m.movedBytes),
    operations: { ...m.operations, rolledBack: report?.rolledBackActions ?? 0, retried: report?.retriedActions ?? 0, timedOut: report?.timedOutOps ?? 0 },
    plans: report?.plans ? { ...report.plans } : { proposed: 0, completed: 0, rolledBack: 0, superseded: 0, aborted: 0 },
    disruptionMs: m.disruptionMs,
    reconfigurationsPerDay: measuredMs > 0 ? (m.operations.split + m.operations.merge + m.operations.move + m.operations.create) / (measuredMs / 86_400_000) : 0,
    keyChurn: churn.keyChurn,
    thrashing: churn.thrashing,
    invariantViolations: m.invariantViolations,
    ...(m.invariantMessages.length ? { invariantMessages: [...m.invariantMessages] } : {}),
    wallMs: Math.round(wallMs),
    ...(report?.forecast ? { forecast: report.forecast } : {}),
    ...(report?.regret ? { regret: report.regret } : {}),
    ...(report?.breaker ? { breaker: report.breaker } : {}),
    ...(report?.strategy ? { strategy: report.strategy } : {}),
  };
}

/** Per-seed values of one metric and their mean with a 95% interval. */
export interface SeedStats {
  readonly mean: number;
  /** 95% interval of the mean (Student t over seeds); equal to the mean with one seed. */
  readonly lo: number;
  readonly hi: number;
  /** In seed order (`SeedsBlock.seeds`). */
  readonly values: readonly number[];
}

/** A paired ratio a/b over seeds: geometric mean and 95% interval of the per-seed ratios. */
export interface RatioStats extends SeedStats {
  /** Seeds left out because a or b was 0 there (ratio undefined or infinite). */
  readonly excluded: number;
}

/** The `seeds` block of summary.json. */
export interface SeedsBlock {
  readonly seeds: readonly number[];
  /** policy → metric → stats (the scalar metrics of SCALAR_METRICS a policy reports). */
  readonly policies: Record<string, Record<string, SeedStats>>;
  /** `a/b` → metric → paired ratio; pairs: each predictive over each reactive, each oracle over each predictive. */
  readonly ratios: Record<string, Record<string, RatioStats>>;
  /** The lower bounds (bounds.ts) over seeds, when every seed reported them. */
  readonly bounds?: Record<string, SeedStats>;
}

/** Per-seed expectation outcome (in `ExpectationResult.seeds`). */
export interface SeedOutcome {
  readonly seed: number;
  readonly pass: boolean;
  readonly left: number;
  readonly right: number;
}

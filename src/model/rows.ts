/**
 * The rows of a run's data files (`timeseries.csv`, `nodes.csv`, `partitions.csv`,
 * `forecast.csv`) and the operation counts of the summary: what the simulated cluster and the
 * policies write and the report reads, so the report depends on this contract and not on the
 * code that produces it.
 */

/** One row of `timeseries.csv`. */
export interface WindowRow {
  timeMs: number;
  records: number;
  servedRecords: number;
  droppedRecords: number;
  backlogRecords: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  sloViolationRate: number;
  imbalance: number;
  maxUtilization: number;
  partitions: number;
  movedBytes: number;
  operations: number;
  failedOperations: number;
  disruptionMs: number;
}

export const WINDOW_COLUMNS: readonly (keyof WindowRow)[] = [
  'timeMs', 'records', 'servedRecords', 'droppedRecords', 'backlogRecords', 'p50LatencyMs', 'p99LatencyMs', 'maxLatencyMs',
  'sloViolationRate', 'imbalance', 'maxUtilization', 'partitions', 'movedBytes', 'operations', 'failedOperations', 'disruptionMs',
];

/** One row of `nodes.csv`: a node's load in a window. */
export interface NodeRow {
  timeMs: number;
  node: number;
  /** records/s arriving at the node's partitions */
  rate: number;
  utilization: number;
  partitions: number;
  backlog: number;
  up: number;
}

/** One row of `partitions.csv`: a partition's load in a window. */
export interface PartitionRow {
  timeMs: number;
  partition: string;
  start: number;
  end: number;
  node: number;
  rate: number;
  backlog: number;
}

export const NODE_COLUMNS: readonly (keyof NodeRow & string)[] = ['timeMs', 'node', 'rate', 'utilization', 'partitions', 'backlog', 'up'];
export const PARTITION_COLUMNS: readonly (keyof PartitionRow & string)[] = ['timeMs', 'partition', 'start', 'end', 'node', 'rate', 'backlog'];

export type { ClusterOpCounts as OpCounts } from './policy-outcome.ts';

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

/** Names of the per-policy metrics of `summary.json` that expectations and sweeps may refer to. */

/** Scalar metrics of a policy's summary. */
export const SCALAR_METRICS = [
  'records',
  'servedRecords',
  'backlogRecords',
  'droppedRecords',
  'p50LatencyMs',
  'p95LatencyMs',
  'p99LatencyMs',
  'maxLatencyMs',
  'sloViolationRate',
  'recordSecondsOverSlo',
  'meanExcessLatencyMs',
  'meanImbalance',
  'maxUtilization',
  'movedBytes',
  'disruptionMs',
  'invariantViolations',
  'wallMs',
  'reconfigurationsPerDay',
  'keyChurn',
  'thrashing',
  'badRows',
] as const;

/** Metrics that are objects, with their fields. */
export const OBJECT_METRICS: Record<string, readonly string[]> = {
  operations: ['split', 'merge', 'move', 'create', 'failed', 'rolledBack', 'retried', 'timedOut'],
  breaker: ['opened', 'openMs', 'skippedDecisions'],
  plans: ['proposed', 'completed', 'rolledBack', 'superseded', 'aborted'],
  forecast: ['smape', 'mase', 'coverage80'],
  regret: ['forecastCost', 'optimizerCost', 'executionLagMs', 'decisions'],
};

/** Null when `path` names a metric, else a message saying what is wrong. */
export function metricPathProblem(path: readonly string[]): string | null {
  const [head, field, ...rest] = path;
  if ((SCALAR_METRICS as readonly string[]).includes(head)) {
    return field === undefined ? null : `${head} has no field ${field}`;
  }
  const fields = OBJECT_METRICS[head];
  if (!fields) return `unknown metric '${head}'`;
  if (field === undefined) return `${head} needs a field: ${fields.join(', ')}`;
  if (!fields.includes(field) || rest.length) return `${head} has no field '${[field, ...rest].join('.')}' (fields: ${fields.join(', ')})`;
  return null;
}

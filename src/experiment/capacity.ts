/**
 * Capacity planning: the fewest nodes whose p<slo.percentile> latency stays within `slo.latency`,
 * per policy. Node counts MIN..MAX are tried in increasing order (the scan stops once every
 * policy has its answer); the initial partitions scale with the nodes (`partitions × n / nodes`,
 * at least n, at most maxPartitions and the buckets). Every run uses the same seed.
 */
import { InputError } from '../model/errors.ts';
import { loadScenario, type LoadOptions } from '../scenario/load.ts';
import { runScenario } from './run.ts';

export interface CapacityPoint {
  readonly nodes: number;
  readonly partitions: number;
  /** Per policy: the SLO percentile's latency (ms) and the violating share. */
  readonly policies: Record<string, { latencyMs: number; sloViolationRate: number; movedBytes: number; meets: boolean }>;
}

export interface CapacityResult {
  readonly scenario: string;
  readonly percentile: number;
  readonly sloLatencyMs: number;
  readonly points: readonly CapacityPoint[];
  /** Per policy: fewest nodes that meet the SLO, or null if none in range. */
  readonly answer: Record<string, number | null>;
}

/** Parses `MIN..MAX`. */
export function parseNodeRange(text: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1 || max < min || max > 10_000) throw new InputError([{ file: '<cli>', path: '--nodes', message: `'${text}' should be MIN..MAX with 1 ≤ MIN ≤ MAX (e.g. 2..12)` }]);
  return { min, max };
}

export function runCapacity(file: string, range: { min: number; max: number }, opts: LoadOptions & { onProgress?: (nodes: number) => void } = {}): CapacityResult {
  const base = loadScenario(file, opts).scenario;
  const points: CapacityPoint[] = [];
  const answer: Record<string, number | null> = {};
  for (let n = range.min; n <= range.max; n++) {
    const parts = Math.max(n, Math.min(base.cluster.maxPartitions, base.keyspace.buckets, Math.round((base.cluster.partitions * n) / base.cluster.nodes)));
    const loaded = loadScenario(file, { ...opts, sets: [...(opts.sets ?? []), `cluster.nodes=${n}`, `cluster.partitions=${parts}`] });
    opts.onProgress?.(n);
    const result = runScenario(loaded);
    const q = loaded.scenario.slo.percentile / 100;
    const policies: CapacityPoint['policies'] = {};
    for (const lane of result.lanes) {
      const latencyMs = Math.round(lane.latencyQuantile(q) * 1e6) / 1e6;
      const meets = latencyMs <= loaded.scenario.slo.latency;
      policies[lane.name] = { latencyMs, sloViolationRate: lane.summary.sloViolationRate, movedBytes: lane.summary.movedBytes, meets };
      if (meets && answer[lane.name] === undefined) answer[lane.name] = n;
    }
    points.push({ nodes: n, partitions: parts, policies });
    if (Object.keys(policies).every((p) => answer[p] !== undefined)) break;
  }
  for (const p of Object.keys(points[0]?.policies ?? {})) if (answer[p] === undefined) answer[p] = null;
  return { scenario: base.name, percentile: base.slo.percentile, sloLatencyMs: base.slo.latency, points, answer };
}

/**
 * Capacity planning: the fewest nodes whose p<slo.percentile> latency stays within `slo.latency`,
 * per policy. Node counts MIN..MAX are tried in increasing order (the scan stops once every
 * policy has its answer); the initial partitions scale with the nodes (`partitions × n / nodes`,
 * at least n, at most maxPartitions and the buckets). With `seeds` > 1 every node count runs at
 * seeds seed, seed+1, …: a policy meets the SLO at a node count only if it does at every seed
 * (the planner's margin), and the latency reported is the worst seed's.
 */
import { InputError } from '../model/errors.ts';
import type { LoadOptions, ScenarioLoader } from '../scenario/load.ts';
import { runScenario, type StartLanes } from './run.ts';
import { withoutSeedSets } from '../scenario/yaml-doc.ts';

export interface CapacityPoint {
  readonly nodes: number;
  readonly partitions: number;
  /** Per policy: the SLO percentile's latency (ms) and the violating share. */
  readonly policies: Record<string, { latencyMs: number; sloViolationRate: number; movedBytes: number; meets: boolean; perSeed?: { seed: number; latencyMs: number }[] }>;
}

export interface CapacityResult {
  readonly scenario: string;
  readonly percentile: number;
  readonly sloLatencyMs: number;
  readonly points: readonly CapacityPoint[];
  /** Per policy: fewest nodes that meet the SLO, or null if none in range. */
  readonly answer: Record<string, number | null>;
  /** Policy name → kind (stable colours on the page). */
  readonly kinds?: Record<string, string>;
  /** The seeds every node count ran at. */
  readonly seeds?: readonly number[];
}

/** Parses `MIN..MAX`. */
export function parseNodeRange(text: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1 || max < min || max > 10_000) throw new InputError([{ file: '<cli>', path: '--nodes', message: `'${text}' should be MIN..MAX with 1 ≤ MIN ≤ MAX ≤ 10000 (e.g. 2..12)` }]);
  return { min, max };
}

/** What `runCapacity` is given besides the load options. */
export interface CapacityOptions extends LoadOptions {
  /** Loads the scenario at each node count (io/load-scenario.ts). */
  readonly load: ScenarioLoader;
  /** Starts lanes in other threads (io/lane-threads.ts); without it each run stays in this thread. */
  readonly startLanes?: StartLanes;
  readonly onProgress?: (nodes: number) => void;
  readonly seeds?: number;
}

/** Runs the node counts of `range` in increasing order until every policy meets the SLO (see above). */
export function runCapacity(file: string, range: { min: number; max: number }, opts: CapacityOptions): CapacityResult {
  const load = opts.load;
  const base = load(file, opts).scenario;
  const seeds = Array.from({ length: Math.max(1, opts.seeds ?? 1) }, (_, i) => base.seed + i);
  // Each seed is given its own (from the scenario's): a `--set seed=…` chose the first and goes.
  const sets = seeds.length > 1 ? withoutSeedSets(opts.sets ?? []) : [...(opts.sets ?? [])];
  const points: CapacityPoint[] = [];
  const answer: Record<string, number | null> = {};
  for (let n = range.min; n <= range.max; n++) {
    const parts = Math.max(n, Math.min(base.cluster.maxPartitions, base.keyspace.buckets, Math.round((base.cluster.partitions * n) / base.cluster.nodes)));
    opts.onProgress?.(n);
    const policies: CapacityPoint['policies'] = {};
    for (const seed of seeds) {
      const loaded = load(file, { ...opts, ...(seeds.length > 1 ? { seed } : {}), sets: [...sets, `cluster.nodes=${n}`, `cluster.partitions=${parts}`] });
      const result = runScenario(loaded, { startLanes: opts.startLanes });
      const q = loaded.scenario.slo.percentile / 100;
      for (const lane of result.lanes) {
        const latencyMs = Math.round(lane.latencyQuantile(q) * 1e6) / 1e6;
        const prev = policies[lane.name];
        const perSeed = [...(prev?.perSeed ?? []), { seed, latencyMs }];
        // the worst seed decides: the SLO is met only if it is met at every seed
        const worst = !prev || latencyMs > prev.latencyMs;
        policies[lane.name] = {
          latencyMs: worst ? latencyMs : prev.latencyMs,
          sloViolationRate: Math.max(prev?.sloViolationRate ?? 0, lane.summary.sloViolationRate),
          movedBytes: Math.max(prev?.movedBytes ?? 0, lane.summary.movedBytes),
          meets: (prev?.meets ?? true) && latencyMs <= loaded.scenario.slo.latency,
          ...(seeds.length > 1 ? { perSeed } : {}),
        };
      }
    }
    for (const [name, v] of Object.entries(policies)) if (v.meets && answer[name] === undefined) answer[name] = n;
    points.push({ nodes: n, partitions: parts, policies });
    if (Object.keys(policies).every((p) => answer[p] !== undefined)) break;
  }
  for (const p of Object.keys(points[0]?.policies ?? {})) if (answer[p] === undefined) answer[p] = null;
  return { scenario: base.name, percentile: base.slo.percentile, sloLatencyMs: base.slo.latency, points, answer, kinds: Object.fromEntries(Object.entries(base.policies ?? {}).map(([n, p]) => [n, p.kind])), ...(seeds.length > 1 ? { seeds } : {}) };
}

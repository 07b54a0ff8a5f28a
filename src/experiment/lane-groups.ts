/**
 * How the policies of one run are spread over threads. Lanes never read each other's state: each
 * has its own cluster, policy and named random streams, and every lane simulates the same
 * batches, so a thread that runs a subset of the policies on the batches the calling thread
 * generated produces exactly the lanes the single-threaded run would (tested: identical
 * summaries but `wallMs`). Lanes are spread over the groups by an estimate of their cost (ticks ×
 * buckets for the cluster, decisions × iterations for planning), longest first. The threads
 * themselves are started by io/lane-threads.ts.
 */
import * as os from 'node:os';
import type { LoadedScenario } from '../scenario/load.ts';
import type { PolicySpec } from '../scenario/schema.ts';

/** The KDP's cost of closing one of its windows (ms): models updated, backtests scored, refits spread. */
const KDP_WINDOW_MS = 1.4;
/** A worker thread's start (bundling, module loading, compiling) in cost units: its group starts that much later. */
const WORKER_START = 1.5e8;

/** The scenario with only the named policies (in the scenario's order). */
export function withPolicies(loaded: LoadedScenario, names: readonly string[]): LoadedScenario {
  return { ...loaded, policies: loaded.policies.filter(([n]) => names.includes(n)) };
}

/**
 * Estimated cost of a lane, in units of about 10 ns, to balance lanes over workers: the
 * cluster's ticks (a per-tick part and a per-bucket part) plus its decisions, each a
 * per-iteration cost that grows linearly with the search windows W (tail windows count double,
 * 12 at most) and a picture that grows with buckets × W, and, for predictive, its forecasts and
 * the KDP's windows (each closed window updates, backtests and now and then refits every
 * model). The weights are calibrated on single-thread lanes of the shipped scenarios and
 * `npm run bench` (the calibration is in docs/bench-log.md); a search often stops early or
 * resumes warm, so they are a typical decision's cost, not a full search's.
 */
export function laneCost(spec: PolicySpec, ticks: number, buckets: number, durationMs: number): number {
  const cluster = ticks * (1.1 * buckets + 1500);
  if (!('every' in spec) || !('iterations' in spec)) return cluster;
  const decisions = durationMs / spec.every;
  let windows = 1;
  const step = 'window' in spec ? spec.window : 60_000;
  const tailed = spec.kind === 'predictive' || spec.kind === 'oracle' || spec.kind === 'perfect-forecast';
  if (tailed || spec.kind === 'mean-oracle') {
    windows = Math.min(12, Math.ceil(spec.horizon / step) + 1) * (tailed ? 2 : 1);
  } else if (spec.kind === 'hindsight') windows = 24; // 12 search windows with their tails
  const microsPerIteration = 1 + 0.09 * windows;
  // The picture and the seeds: about 0.2 µs a bucket and window per decision.
  const pictureMs = 0.0002 * buckets * windows;
  const forecastMs = spec.kind === 'predictive' ? 2.5 : 0;
  const kdpMs = spec.kind === 'predictive' ? (durationMs / step) * KDP_WINDOW_MS : 0;
  return cluster + (decisions * ((spec.iterations * microsPerIteration) / 1000 + pictureMs + forecastMs) + kdpMs) * 1e5;
}

/**
 * Groups of policy names, the first for the calling thread: at most `workers` groups, balanced
 * by estimated cost (longest-processing-time first); every group non-empty.
 */
export function laneGroups(loaded: LoadedScenario, workers: number): string[][] {
  const sc = loaded.scenario;
  const ticks = Math.ceil(sc.duration / sc.tick);
  const lanes = loaded.policies.map(([name, spec]) => ({ name, cost: laneCost(spec, ticks, sc.keyspace.buckets, sc.duration) }));
  const g = Math.max(1, Math.min(workers, lanes.length));
  const assign = (generation: number, start: number) => {
    const groups: { names: string[]; cost: number }[] = Array.from({ length: g }, (_, i) => ({ names: [], cost: i === 0 ? generation : start }));
    for (const l of [...lanes].sort((x, y) => y.cost - x.cost)) {
      let best = 0;
      for (let i = 1; i < g; i++) if (groups[i].cost < groups[best].cost) best = i;
      groups[best].names.push(l.name);
      groups[best].cost += l.cost;
    }
    return groups;
  };
  // The calling thread (group 0) also generates the workload for all (batch-ring.ts), about 3
  // times a lane's cluster a bucket and tick; without lanes of its own it would idle.
  let groups = g > 1 ? assign(ticks * (3.2 * sc.keyspace.buckets + 1200), WORKER_START) : assign(0, 0);
  if (groups.some((x) => x.names.length === 0)) groups = assign(0, 0);
  const order = new Map(loaded.policies.map(([n], i) => [n, i]));
  return groups.map((x) => x.names.sort((a, b) => order.get(a)! - order.get(b)!));
}

/**
 * How many threads a run should use when the caller did not say: one for small runs (starting a
 * thread costs about a second of bundling and module loading), else up to the cores available
 * and the policies. Small is by the lanes' estimated cost (`laneCost`: the cluster's ticks and
 * the policies' decisions), about two seconds of work in all.
 */
export function autoLaneWorkers(loaded: LoadedScenario): number {
  const sc = loaded.scenario;
  if (loaded.policies.length < 2) return 1;
  const ticks = Math.ceil(sc.duration / sc.tick);
  let cost = 0;
  for (const [, spec] of loaded.policies) cost += laneCost(spec, ticks, sc.keyspace.buckets, sc.duration);
  if (cost < 200_000_000) return 1;
  return Math.max(1, Math.min(os.availableParallelism(), loaded.policies.length));
}

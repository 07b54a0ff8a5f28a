/**
 * Policies of one run in parallel worker threads. Lanes never read each other's state: each
 * has its own cluster, policy and named random streams, and every lane simulates the same
 * batches, so a worker that runs a subset of the policies on the batches the calling thread
 * generated produces exactly the lanes the single-threaded run would (tested: identical
 * summaries but `wallMs`).
 *
 * The caller stays synchronous: the main thread runs its own group of lanes while the workers
 * run theirs, then blocks on a shared flag (`Atomics.wait`) and takes each worker's result with
 * `receiveMessageOnPort`. The calling thread generates the workload once and shares each tick's
 * batch with the workers through a ring in shared memory (batch-ring.ts). Lanes are spread over the groups by an estimate of their cost
 * (ticks × buckets for the cluster, decisions × iterations for planning), longest first.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { LoadedScenario } from '../scenario/load.ts';
import type { PolicySpec } from '../scenario/schema.ts';
import { LatencyHistogram } from '../cluster/latency-histogram.ts';
import { InputError, type Problem } from '../model/errors.ts';
import type { LaneResult } from './run.ts';
import type { SharedRing } from './batch-ring.ts';

/** The scenario with only the named policies (in the scenario's order). */
export function withPolicies(loaded: LoadedScenario, names: readonly string[]): LoadedScenario {
  return { ...loaded, policies: loaded.policies.filter(([n]) => names.includes(n)) };
}

/** A lane as it crosses a thread boundary (structured clone): no function, the histogram as data. */
export type WireLane = Omit<LaneResult, 'latencyQuantile'>;

/** What a lane worker receives. */
export interface LaneTask {
  readonly loaded: LoadedScenario;
  readonly policies: readonly string[];
  readonly skipBadRows?: boolean;
  readonly port: MessagePort;
  readonly flag: Int32Array;
  /** The shared ring the batches come from, and this worker's reader index. */
  readonly feed?: { readonly ring: SharedRing; readonly reader: number };
  /** The folder the lanes stream their files into (RunOptions.spool). */
  readonly spool?: string;
}

/** The message a lane worker posts when done. */
export type LaneReply = { readonly lanes: WireLane[] } | { readonly error: string; readonly problems?: readonly Problem[] };

export function toWire(lane: LaneResult): WireLane {
  const { latencyQuantile: _q, ...rest } = lane;
  return rest;
}

export function fromWire(w: WireLane): LaneResult {
  const h = new LatencyHistogram();
  h.weights.set(w.latency.weights);
  h.total = w.latency.total;
  h.maxMs = w.latency.maxMs;
  return { ...w, latency: h, latencyQuantile: (q: number) => h.quantile(q) };
}

/**
 * Estimated cost of a lane, in bucket-update equivalents, to balance lanes over workers: the
 * cluster's ticks (one per bucket and tick) plus its decisions, each a per-iteration cost that
 * grows linearly with the search windows W (tail windows count double, 12 at most). The weights
 * are calibrated on `npm run bench` (the calibration is in docs/bench-log.md).
 */
function laneCost(spec: PolicySpec, ticks: number, buckets: number, durationMs: number): number {
  const cluster = ticks * buckets;
  if (!('every' in spec) || !('iterations' in spec)) return cluster;
  const decisions = durationMs / spec.every;
  let windows = 1;
  const tailed = spec.kind === 'predictive' || spec.kind === 'oracle' || spec.kind === 'perfect-forecast';
  if (tailed || spec.kind === 'mean-oracle') {
    const step = 'window' in spec ? spec.window : 60_000;
    windows = Math.min(12, Math.ceil(spec.horizon / step) + 1) * (tailed ? 2 : 1);
  }
  const microsPerIteration = 2 + 0.35 * windows;
  const forecastMs = spec.kind === 'predictive' ? 15 : 0;
  return cluster + decisions * ((spec.iterations * microsPerIteration) / 1000 + forecastMs) * 1e5;
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
  const assign = (generation: number) => {
    const groups: { names: string[]; cost: number }[] = Array.from({ length: g }, (_, i) => ({ names: [], cost: i === 0 ? generation : 0 }));
    for (const l of [...lanes].sort((x, y) => y.cost - x.cost)) {
      let best = 0;
      for (let i = 1; i < g; i++) if (groups[i].cost < groups[best].cost) best = i;
      groups[best].names.push(l.name);
      groups[best].cost += l.cost;
    }
    return groups;
  };
  // The calling thread (group 0) also generates the workload for all (batch-ring.ts), about 1.3
  // bucket-update equivalents a bucket and tick; without lanes of its own it would idle.
  let groups = g > 1 ? assign(1.3 * ticks * sc.keyspace.buckets) : assign(0);
  if (groups.some((x) => x.names.length === 0)) groups = assign(0);
  const order = new Map(loaded.policies.map(([n], i) => [n, i]));
  return groups.map((x) => x.names.sort((a, b) => order.get(a)! - order.get(b)!));
}

/**
 * How many threads a run should use when the caller did not say: one for small runs (starting a
 * worker costs ~1 s of module loading), else up to the cores available and the policies.
 */
export function autoLaneWorkers(loaded: LoadedScenario): number {
  const sc = loaded.scenario;
  const updates = Math.ceil(sc.duration / sc.tick) * sc.keyspace.buckets * loaded.policies.length;
  if (loaded.policies.length < 2 || updates < 200_000_000) return 1;
  return Math.max(1, Math.min(os.availableParallelism(), loaded.policies.length));
}

let bundled: URL | null = null;
/**
 * The worker's script: lane-worker.ts and what it imports bundled into one ES module by esbuild,
 * handed to the worker as a `data:` URL, so nothing is written anywhere (an installed package's
 * folder may be read-only). Packages stay outside the bundle: each bare import is rewritten to
 * the absolute file URL it resolves to from here, since a `data:` module has no folder to
 * resolve bare names from. A worker that loaded TypeScript through tsx's loader hooks would
 * deadlock: the hooks need the calling thread's event loop, which is blocked in `Atomics.wait`.
 */
function workerScript(): URL {
  if (bundled) return bundled;
  const entry = fileURLToPath(new URL('./lane-worker.ts', import.meta.url));
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'absolute-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:') || path.isAbsolute(args.path)) return { path: args.path, external: true };
            return { path: import.meta.resolve(args.path), external: true };
          });
        },
      },
    ],
  });
  bundled = new URL(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].contents).toString('base64')}`);
  return bundled;
}

/** A started worker running some lanes; `wait()` blocks until it is done. */
export interface RunningGroup {
  wait(): LaneResult[];
  cancel(): void;
  /** True once the worker has posted its result (or its failure): it reads no more batches. */
  finished(): boolean;
}

export function startGroup(
  loaded: LoadedScenario,
  policies: readonly string[],
  skipBadRows: boolean | undefined,
  feed?: { readonly ring: SharedRing; readonly reader: number },
  spool?: string,
): RunningGroup {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const task: LaneTask = { loaded, policies, skipBadRows, port: port2, flag, feed, spool };
  const worker = new Worker(workerScript(), { workerData: task, transferList: [port2], execArgv: [] });
  return {
    wait(): LaneResult[] {
      Atomics.wait(flag, 0, 0);
      // The reply was queued on the port before the flag was raised; allow a moment regardless.
      let msg = receiveMessageOnPort(port1)?.message as LaneReply | undefined;
      for (let i = 0; !msg && i < 100; i++) {
        Atomics.wait(flag, 0, 1, 10);
        msg = receiveMessageOnPort(port1)?.message as LaneReply | undefined;
      }
      port1.close();
      void worker.terminate();
      if (!msg) throw new Error('a lane worker ended without a result');
      if ('error' in msg) throw msg.problems ? new InputError(msg.problems) : new Error(`a lane worker failed: ${msg.error}`);
      return msg.lanes.map(fromWire);
    },
    cancel(): void {
      port1.close();
      void worker.terminate();
    },
    finished(): boolean {
      return Atomics.load(flag, 0) !== 0;
    },
  };
}

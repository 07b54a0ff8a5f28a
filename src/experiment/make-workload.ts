/**
 * What a scenario gives a run besides its policies: its workload (trace replay or the synthetic
 * generator) and the facts of its cluster a policy may know. Shared by simulated and live runs.
 */
import * as path from 'node:path';
import type { RandomSource } from '../engine/random.ts';
import { InputError } from '../model/errors.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { SyntheticWorkload } from '../workload/synthetic.ts';
import { TraceWorkload } from '../workload/trace/trace-workload.ts';
import type { Workload } from '../workload/workload.ts';
import type { ClusterFacts } from '../policies/policy.ts';

/**
 * Builds the workload of a scenario: trace replay when `workload.trace` is set, else the
 * synthetic generator. For a trace whose scenario gives no `duration` (`loaded.durationFromTrace`),
 * this sets `scenario.duration` to the trace's span ÷ speed, so call it before reading the
 * duration (runScenario and `keycast generate` do). Throws InputError for a bad trace.
 */
export function makeWorkload(
  loaded: LoadedScenario,
  random: RandomSource,
  opts: { readonly skipBadRows?: boolean; readonly keepKeyWeights?: boolean } = {},
): Workload {
  const sc = loaded.scenario;
  const tr = sc.workload.trace;
  if (!tr) return new SyntheticWorkload(sc.workload, sc.keyspace, sc.tick, random, { keepKeyWeights: opts.keepKeyWeights });
  const w = new TraceWorkload(tr, path.resolve(loaded.dir, tr.file), sc.keyspace, sc.tick, sc.workload.recordBytes, {
    skipBadRows: opts.skipBadRows,
    seed: sc.seed,
    durationMs: loaded.durationFromTrace ? undefined : sc.duration,
  });
  if (loaded.durationFromTrace) {
    (sc as { duration: number }).duration = w.defaultDurationMs;
    if (sc.warmup >= sc.duration) {
      w.close();
      throw new InputError([{ file: loaded.file, path: 'warmup', message: `must be shorter than duration (the trace's span ÷ speed = ${w.defaultDurationMs} ms)` }]);
    }
  }
  return w;
}

/** What a policy may know of the cluster a scenario describes (simulated or live). */
export function clusterFacts(sc: LoadedScenario['scenario']): ClusterFacts {
  return {
    nodeCapacity: sc.cluster.nodeCapacity,
    partitionCapacity: sc.cluster.partitionCapacity,
    maxPartitions: sc.cluster.maxPartitions,
    moveBandwidth: sc.cluster.moveBandwidth,
    pauses: sc.cluster.pauses,
    maxConcurrentOps: sc.cluster.maxConcurrentOps,
    moveLoad: sc.cluster.moveLoad,
    recordBytes: sc.workload.recordBytes,
    retention: sc.cluster.retention,
  };
}

/**
 * The cross-field checks of a scenario that a schema cannot express (shares summing to 1,
 * partitions within the buckets, warm-up within the duration, nodes that exist, a trace file that
 * exists, …), each run where the fields it reads are valid on their own, so that independent
 * problems are reported together. The file system is reached only through `exists`.
 */
import * as path from 'node:path';
import type { Problem } from '../model/errors.ts';
import type { Scenario } from './schema.ts';

/** Where a problem is (line and column of a field path). */
export type Where = (p: readonly PropertyKey[]) => { line?: number; col?: number };
/** Adds a problem of the scenario file. */
export type AddProblem = (p: Omit<Problem, 'file'>) => void;

/**
 * Checks `sc` (its valid sections), `rawDuration` (the file's own `duration`, undefined when
 * unset) and, with `dir` and `exists`, the trace file. Returns whether the run's duration comes
 * from the trace (a trace replay that sets no duration).
 */
export function crossFieldChecks(sc: Partial<Scenario>, rawDuration: unknown, dir: string, exists: (absPath: string) => boolean, where: Where, add: AddProblem): boolean {
  const { workload, cluster, keyspace } = sc;
  if (workload && !workload.trace) {
    const shares = workload.keys.reduce((s, k) => s + k.share, 0);
    if (Math.abs(shares - 1) > 1e-6) add({ path: 'workload.keys', ...where(['workload', 'keys']), message: `shares sum to ${round(shares)}, not 1` });
  }
  if (cluster && cluster.partitions > cluster.maxPartitions) {
    add({ path: 'cluster.partitions', ...where(['cluster', 'partitions']), message: `${cluster.partitions} is above maxPartitions (${cluster.maxPartitions})` });
  }
  if (cluster && keyspace && cluster.partitions > keyspace.buckets) {
    add({ path: 'cluster.partitions', ...where(['cluster', 'partitions']), message: `${cluster.partitions} partitions do not fit in ${keyspace.buckets} buckets` });
  }
  if (cluster && keyspace && cluster.maxPartitions > keyspace.buckets && cluster.maxPartitions !== 1024) {
    add({ path: 'cluster.maxPartitions', ...where(['cluster', 'maxPartitions']), message: `above the ${keyspace.buckets} buckets of the key space` });
  }
  for (const [name, spec] of Object.entries(sc.policies ?? {})) {
    if (spec.kind !== 'static' || spec.partitions === undefined) continue;
    const at = { path: `policies.${name}.partitions`, ...where(['policies', name, 'partitions']) };
    if (cluster && spec.partitions > cluster.maxPartitions) add({ ...at, message: `${spec.partitions} is above cluster.maxPartitions (${cluster.maxPartitions})` });
    else if (keyspace && spec.partitions > keyspace.buckets) add({ ...at, message: `${spec.partitions} partitions do not fit in ${keyspace.buckets} buckets` });
  }
  const durationFromTrace = workload !== undefined && workload.trace !== undefined && rawDuration === undefined;
  if (durationFromTrace && workload?.trace?.seedShift !== undefined) {
    add({ path: 'workload.trace.seedShift', ...where(['workload', 'trace', 'seedShift']), message: 'needs a duration: the windows seeds replay are that long' });
  }
  if (sc.warmup !== undefined && sc.duration !== undefined && sc.warmup >= sc.duration && !durationFromTrace) {
    add({ path: 'warmup', ...where(['warmup']), message: 'must be shorter than duration' });
  }
  if (sc.tick !== undefined) {
    if (sc.tick > 60_000) add({ path: 'tick', ...where(['tick']), message: 'must be at most 1m' });
    if (sc.duration !== undefined && sc.tick > sc.duration && !durationFromTrace) add({ path: 'tick', ...where(['tick']), message: 'longer than duration' });
    if (sc.duration !== undefined && sc.duration / sc.tick > 50_000_000) add({ path: 'tick', ...where(['tick']), message: 'more than 50 million ticks: use a longer tick' });
  }
  if (cluster) {
    cluster.faults.crashes.forEach((c, i) => {
      if (c.node >= cluster.nodes) add({ path: `cluster.faults.crashes[${i}].node`, ...where(['cluster', 'faults', 'crashes', i, 'node']), message: `no node ${c.node} (nodes are 0..${cluster.nodes - 1})` });
    });
    cluster.events.forEach((e, i) => {
      if ('removeNode' in e && e.removeNode.node >= cluster.nodes + cluster.events.filter((x) => 'addNode' in x).length) {
        add({ path: `cluster.events[${i}].removeNode.node`, ...where(['cluster', 'events', i, 'removeNode', 'node']), message: `no node ${e.removeNode.node}` });
      }
    });
  }
  checkWorkload(sc, dir, exists, where, add);
  return durationFromTrace;
}

/** Key ranges, the trace (file, key pattern, time zone) and the key space it needs. */
function checkWorkload(sc: Partial<Scenario>, dir: string, exists: (absPath: string) => boolean, where: Where, add: AddProblem): void {
  const { workload, keyspace } = sc;
  workload?.keys.forEach((k, i) => {
    if (k.uniform && k.uniform.from >= k.uniform.to) {
      add({ path: `workload.keys[${i}].uniform`, ...where(['workload', 'keys', i, 'uniform']), message: 'from must be below to' });
    }
  });
  const tr = workload?.trace;
  if (tr) {
    const abs = path.resolve(dir, tr.file);
    if (!exists(abs)) add({ path: 'workload.trace.file', ...where(['workload', 'trace', 'file']), message: `no such file: ${abs}` });
    if (tr.keyPattern !== undefined) {
      try {
        new RegExp(tr.keyPattern);
      } catch {
        add({ path: 'workload.trace.keyPattern', ...where(['workload', 'trace', 'keyPattern']), message: 'not a valid regular expression' });
      }
    }
    if (tr.timezone !== undefined && !validTimezone(tr.timezone)) {
      add({ path: 'workload.trace.timezone', ...where(['workload', 'trace', 'timezone']), message: `unknown time zone '${tr.timezone}' (use Area/City)` });
    }
    if (keyspace && keyspace.kind !== 'range' && keyspace.kind !== 'hashed') {
      add({ path: 'keyspace.kind', ...where(['keyspace', 'kind']), message: `a trace needs keyspace kind range or hashed, not ${keyspace.kind}` });
    }
  } else if (workload && keyspace?.kind === 'range') {
    add({ path: 'keyspace.kind', ...where(['keyspace', 'kind']), message: 'range needs a workload.trace (its keys in string order)' });
  }

}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

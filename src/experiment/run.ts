/**
 * Runs one scenario: one workload, one virtual-time scheduler, and one lane per policy (its own
 * simulated cluster and policy instance). Every lane consumes the identical batch of each tick
 * (common random numbers), so differences between policies come from the policies alone. The
 * lanes run in this thread (run-lanes.ts) or, given `startLanes`, spread over threads
 * (lane-groups.ts) that read the batches this thread generates from a shared ring.
 */
import type { Workload } from '../workload/workload.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { autoLaneWorkers, laneGroups, withPolicies } from './lane-groups.ts';
import { createRing, RingWriter } from './batch-ring.ts';
import { runLanes } from './run-lanes.ts';
import type { RunningGroup, RunOptions, RunResult, TickFeed } from './run-types.ts';

export { runLanes } from './run-lanes.ts';
export { clusterFacts, makeWorkload } from './make-workload.ts';
export * from './run-types.ts';

/**
 * Runs every policy of the scenario on the same workload and returns their results, the lanes
 * spread over `opts.workers` threads when `opts.startLanes` can start them.
 */
export function runScenario(loaded: LoadedScenario, opts: RunOptions = {}): RunResult {
  const workers = opts.workload || !opts.startLanes ? 1 : (opts.workers ?? autoLaneWorkers(loaded));
  const groups = laneGroups(loaded, workers);
  if (groups.length <= 1 || !opts.startLanes) return runLanes(loaded, opts);
  const running: RunningGroup[] = [];
  // This thread generates the workload once; the workers read it from a shared ring.
  const ring = createRing(loaded.scenario.keyspace.buckets, groups.length - 1);
  try {
    for (const [r, g] of groups.slice(1).entries()) {
      running.push(opts.startLanes({ loaded, policies: g, skipBadRows: opts.skipBadRows, feed: { ring, reader: r }, spoolDir: opts.spool?.dir }));
    }
  } catch {
    // A thread could not be started: same results, one thread.
    for (const r of running) r.cancel();
    return runLanes(loaded, opts);
  }
  let own: RunResult;
  try {
    const feed = (workload: Workload): TickFeed => {
      const writer = new RingWriter(ring, (r) => running[r].finished());
      return {
        batch(i, t) {
          const b = workload.nextBatch(t);
          writer.write(i, b);
          return b;
        },
        done() {},
      };
    };
    own = runLanes(withPolicies(loaded, groups[0]), { ...opts, feed });
  } catch (e) {
    for (const r of running) r.cancel();
    throw e;
  }
  const lanes = new Map(own.lanes.map((l) => [l.name, l]));
  for (const r of running) for (const l of r.wait()) lanes.set(l.name, l);
  return { ...own, loaded, lanes: loaded.policies.map(([n]) => lanes.get(n)!), threads: groups.length };
}

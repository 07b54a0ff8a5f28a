/**
 * Worker-thread entry of lane-workers.ts: runs a subset of a scenario's policies in this thread
 * and posts their lanes back, then raises the shared flag the caller waits on.
 */
import { workerData } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import { runLanes } from './run.ts';
import { RingReader } from './batch-ring.ts';
import { toWire, withPolicies, type LaneReply, type LaneTask } from './lane-workers.ts';

const task = workerData as LaneTask;
let reply: LaneReply;
try {
  const shared = task.feed;
  // Batches come from the calling thread's ring (it generates the workload once for all).
  const feed = shared ? () => {
    const reader = new RingReader(shared.ring, shared.reader);
    return { batch: (i: number) => reader.read(i), done: (i: number) => reader.release(i) };
  } : undefined;
  reply = { lanes: runLanes(withPolicies(task.loaded, task.policies), { skipBadRows: task.skipBadRows, feed, spool: task.spool }).lanes.map(toWire) };
} catch (e) {
  reply = e instanceof InputError ? { error: e.message, problems: e.problems } : { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
try {
  task.port.postMessage(reply);
} finally {
  Atomics.store(task.flag, 0, 1);
  Atomics.notify(task.flag, 0);
}

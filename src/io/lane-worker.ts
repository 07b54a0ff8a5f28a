/**
 * Worker-thread entry of lane-threads.ts: runs a group of a scenario's policies in this thread
 * on the batches of the calling thread's ring, streaming into the same folder, and posts their
 * lanes back, then raises the shared flag the caller waits on.
 */
import { workerData } from 'node:worker_threads';
import { InputError } from '../model/errors.ts';
import { RingReader } from '../experiment/batch-ring.ts';
import { withPolicies } from '../experiment/lane-groups.ts';
import { toWire } from '../experiment/lane-wire.ts';
import { runLanes } from '../experiment/run-lanes.ts';
import type { LaneReply, LaneTask } from './lane-threads.ts';
import { folderSpool } from './spool-files.ts';

const task = workerData as LaneTask;
let reply: LaneReply;
try {
  const shared = task.feed;
  // Batches come from the calling thread's ring (it generates the workload once for all).
  const feed = () => {
    const reader = new RingReader(shared.ring, shared.reader);
    return { batch: (i: number) => reader.read(i), done: (i: number) => reader.release(i) };
  };
  const spool = task.spoolDir !== undefined ? folderSpool(task.spoolDir) : undefined;
  reply = { lanes: runLanes(withPolicies(task.loaded, task.policies), { skipBadRows: task.skipBadRows, feed, spool }).lanes.map(toWire) };
} catch (e) {
  reply = e instanceof InputError ? { error: e.message, problems: e.problems } : { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
try {
  task.port.postMessage(reply);
} finally {
  Atomics.store(task.flag, 0, 1);
  Atomics.notify(task.flag, 0);
}

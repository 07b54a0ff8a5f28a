/**
 * Lanes of one run in worker threads (`StartLanes` for experiment/run.ts). The caller stays
 * synchronous: the main thread runs its own group of lanes while the workers run theirs, then
 * blocks on a shared flag (`Atomics.wait`) and takes each worker's result with
 * `receiveMessageOnPort`. The workers read the batches the calling thread generates from a ring
 * in shared memory (experiment/batch-ring.ts); how lanes are grouped is experiment/lane-groups.ts.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { InputError, type Problem } from '../model/errors.ts';
import { fromWire, type WireLane } from '../experiment/lane-wire.ts';
import type { GroupTask, LaneResult, RunningGroup, StartLanes } from '../experiment/run-types.ts';

/** What a lane worker receives: its group, and the port and flag it answers through. */
export interface LaneTask extends GroupTask {
  readonly port: MessagePort;
  readonly flag: Int32Array;
}

/** The message a lane worker posts when done. */
export type LaneReply = { readonly lanes: WireLane[] } | { readonly error: string; readonly problems?: readonly Problem[] };

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

/** Starts a group of lanes in a worker thread. */
export const startLaneThread: StartLanes = (group: GroupTask): RunningGroup => {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const task: LaneTask = { ...group, port: port2, flag };
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
};

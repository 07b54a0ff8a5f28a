/**
 * Lanes of one run in worker threads (`StartLanes` for experiment/run.ts). The caller stays
 * synchronous: the main thread runs its own group of lanes while the workers run theirs, then
 * blocks on a shared flag (`Atomics.wait`) and takes each worker's result with
 * `receiveMessageOnPort`. The workers read the batches the calling thread generates from a ring
 * in shared memory (experiment/batch-ring.ts); how lanes are grouped is experiment/lane-groups.ts.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { InputError, type Problem } from '../model/errors.ts';
import { fromWire, type WireLane } from '../experiment/lane-wire.ts';
import type { GroupTask, LaneResult, RunningGroup, StartLanes } from '../experiment/run-types.ts';

/** What a lane worker receives: its group, and the port and flag it answers through. */
export interface LaneTask extends GroupTask {
  readonly port: MessagePort;
  readonly flag: Int32Array;
  /** The bundled lane-worker module's `data:` URL (imported by the bootstrap). */
  readonly script: string;
}

/** The message a lane worker posts when done. */
export type LaneReply = { readonly lanes: WireLane[] } | { readonly error: string; readonly problems?: readonly Problem[] };

let bundled: URL | null = null;

/** Makes `script` the lane worker's module (bin/keycast builds it with the CLI's own). */
export function useLaneWorkerScript(script: URL): void {
  bundled = script;
}

/**
 * The worker's script: lane-worker.ts and what it imports bundled into one ES module by esbuild,
 * handed to the worker as a `data:` URL, so nothing is written anywhere (an installed package's
 * folder may be read-only). Packages stay outside the bundle: each bare import is rewritten to
 * the absolute file URL it resolves to from here, since a `data:` module has no folder to
 * resolve bare names from (esbuild's synchronous API takes no resolve plugins, so the rewrite is
 * done on its output). A worker that loaded TypeScript through tsx's loader hooks would
 * deadlock: the hooks need the calling thread's event loop, which is blocked in `Atomics.wait`.
 */
export function workerScript(): URL {
  if (bundled) return bundled;
  const entry = fileURLToPath(new URL('./lane-worker.ts', import.meta.url));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = buildSync({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    packages: 'external',
  });
  // A stack frame names the module's URL: a short one, not the whole base64 bundle.
  const code = `${pinMetaUrls(absolutePackages(out.outputFiles[0].text, (name) => import.meta.resolve(name)), root)}\n//# sourceURL=keycast-bundle:///src/io/lane-worker.ts\n`;
  bundled = new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  return bundled;
}

/**
 * `code` (esbuild's ES module output) with every bare package specifier of its static and
 * dynamic imports replaced by `resolve(specifier)`; `node:` builtins and paths stay as they are.
 */
export function absolutePackages(code: string, resolve: (name: string) => string): string {
  const swap = (name: string) => (name.startsWith('node:') || name.startsWith('.') || path.isAbsolute(name) || /^[a-z]+:/.test(name) ? name : resolve(name));
  return code
    .replace(/^((?:import|export)\b[^;"]*?\bfrom\s*)"([^"]+)"/gm, (_, lead: string, name: string) => `${lead}${JSON.stringify(swap(name))}`)
    .replace(/^(import\s*)"([^"]+)"/gm, (_, lead: string, name: string) => `${lead}${JSON.stringify(swap(name))}`)
    .replace(/\bimport\(\s*"([^"]+)"\s*\)/g, (_, name: string) => `import(${JSON.stringify(swap(name))})`);
}

/**
 * `code` (esbuild's unminified bundle, built in `root`) with each module's `import.meta.url`
 * replaced by that module's own file URL: in a `data:` module it would be the data URL, and a
 * module that finds a file next to itself (`new URL('./x.ts', import.meta.url)`) would fail.
 * esbuild heads each module's part of the bundle with a `// path/from/root.ts` comment.
 */
export function pinMetaUrls(code: string, root: string): string {
  let file: string | null = null;
  return code
    .split('\n')
    .map((line) => {
      const head = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(line);
      if (head) file = head[1];
      return file && line.includes('import.meta.url') ? line.split('import.meta.url').join(JSON.stringify(pathToFileURL(path.join(root, file)).href)) : line;
    })
    .join('\n');
}

/**
 * What the worker runs first: it imports the bundled script and, when that import fails (a
 * package that cannot be found, a syntax error), answers with the error and raises the flag
 * itself, so the calling thread (blocked in `Atomics.wait`, its event loop unable to see the
 * worker's error event) never waits for a worker that is not there.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.script).catch((e) => {
  try { workerData.port.postMessage({ error: String((e && e.stack) || e) }); }
  finally { Atomics.store(workerData.flag, 0, 1); Atomics.notify(workerData.flag, 0); }
});
`;

/** Starts a group of lanes in a worker thread. */
export const startLaneThread: StartLanes = (group: GroupTask): RunningGroup => startLaneScript(group, workerScript().href);

/** Starts a group of lanes in a worker thread that imports `script` (tests give a broken one). */
export function startLaneScript(group: GroupTask, script: string): RunningGroup {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const task: LaneTask = { ...group, port: port2, flag, script };
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: task, transferList: [port2], execArgv: [] });
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

/**
 * The worker thread that decompresses a gzip trace for byte-source.ts: it streams the file
 * through `zlib.createGunzip()` and puts each decompressed piece into the shared slot
 * (gunzip-slot.ts), waiting until the reader has taken the previous one, so memory stays bounded
 * by the slot whatever the file's size. It ends with END or FAILED; when the reader cancels, it
 * stops its streams and the thread ends on its own. Run only as a worker: byte-source.ts bundles
 * this file and starts it with a `gunzipTask` in its worker data.
 */
import * as fs from 'node:fs';
import { isMainThread, workerData } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import { CANCELLED, EMPTY, END, FAILED, FULL, SLOT_HEADER, type GunzipTask } from './gunzip-slot.ts';

/** Decompresses `task.file` into the slot until the end, a failure, or the reader cancels. */
export function gunzipInto(task: GunzipTask): void {
  const ctrl = new Int32Array(task.sab, 0, 4);
  const data = new Uint8Array(task.sab, SLOT_HEADER, task.cap);
  const input = fs.createReadStream(task.file, { highWaterMark: task.readChunk });
  const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
  let done = false;
  const stop = (): void => {
    done = true;
    input.destroy();
    gunzip.destroy();
  };
  /** Waits until the reader emptied the slot; false when it cancelled. */
  const waitEmpty = (): boolean => {
    for (;;) {
      const st = Atomics.load(ctrl, 0);
      if (st === EMPTY) return true;
      if (st === CANCELLED) return false;
      Atomics.wait(ctrl, 0, st);
    }
  };
  const put = (buf: Buffer): void => {
    for (let off = 0; off < buf.length && !done; ) {
      if (!waitEmpty()) return stop();
      const n = Math.min(task.cap, buf.length - off);
      data.set(buf.subarray(off, off + n));
      ctrl[1] = n;
      Atomics.store(ctrl, 0, FULL);
      Atomics.notify(ctrl, 0);
      off += n;
    }
  };
  const finish = (state: typeof END | typeof FAILED, message?: string): void => {
    if (done) return;
    if (!waitEmpty()) return stop();
    done = true;
    if (message !== undefined) {
      const b = Buffer.from(message).subarray(0, task.cap);
      data.set(b);
      ctrl[1] = b.length;
    }
    Atomics.store(ctrl, 0, state);
    Atomics.notify(ctrl, 0);
  };
  input.on('error', (e) => finish(FAILED, e.message));
  gunzip.on('error', (e) => finish(FAILED, e.message));
  gunzip.on('data', put);
  gunzip.on('end', () => finish(END));
  input.pipe(gunzip);
}

const task = (workerData as { gunzipTask?: GunzipTask } | null)?.gunzipTask;
if (!isMainThread && task) gunzipInto(task);

/**
 * The trace's file access, the one place workload/ touches the file system: synchronous,
 * streamed reading of a trace file in chunks, gzip or not, its identity (for caching a scan) and
 * its name for messages. The simulator pulls batches synchronously, and Node has no synchronous
 * streaming gunzip, so a `.gz` file is decompressed in a worker thread (gunzip-worker.ts) that
 * hands chunks over through a SharedArrayBuffer (gunzip-slot.ts; this thread blocks in
 * `Atomics.wait` until the next chunk is ready). Memory stays bounded by the chunk size whatever
 * the file's size.
 */
import { InputError } from '../../model/errors.ts';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CANCELLED, EMPTY, END, FAILED, FULL, SLOT_HEADER, type GunzipTask } from './gunzip-slot.ts';

/** A source of byte chunks; `read()` returns null at the end. */
export interface ByteSource {
  read(): Uint8Array | null;
  close(): void;
}

const CHUNK = 1 << 20;

/** What identifies a file's content for a cache: path, size and modification time. */
export function fileIdentity(absFile: string): string {
  const st = fs.statSync(absFile);
  return JSON.stringify([absFile, st.size, st.mtimeMs]);
}

/** The name of a trace file for messages: relative to the working directory when inside it. */
export function displayName(absFile: string): string {
  const rel = path.relative(process.cwd(), absFile);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absFile;
}

/** Opens `file` (absolute path); gzip is recognised by its magic bytes, not by its name. */
export function openByteSource(file: string): ByteSource {
  const fd = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  const n = fs.readSync(fd, magic, 0, 2, 0);
  if (n === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    fs.closeSync(fd);
    return new GunzipSource(file);
  }
  return new PlainSource(fd);
}

class PlainSource implements ByteSource {
  private readonly buf = Buffer.alloc(CHUNK);
  private closed = false;
  constructor(private readonly fd: number) {}
  read(): Uint8Array | null {
    if (this.closed) return null;
    const n = fs.readSync(this.fd, this.buf, 0, CHUNK, null);
    if (n === 0) {
      this.close();
      return null;
    }
    return this.buf.subarray(0, n);
  }
  close(): void {
    if (!this.closed) fs.closeSync(this.fd);
    this.closed = true;
  }
}

let workerUrl: URL | null = null;

/**
 * The gunzip worker's script: gunzip-worker.ts (a type-checked module) bundled by esbuild into
 * one ES module and handed to the thread as a `data:` URL, so nothing is written anywhere and no
 * loader is needed in the thread. Built once per process.
 */
function gunzipWorkerUrl(): URL {
  if (workerUrl) return workerUrl;
  const out = buildSync({ entryPoints: [fileURLToPath(new URL('./gunzip-worker.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent' });
  workerUrl = new URL(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].contents).toString('base64')}`);
  return workerUrl;
}

class GunzipSource implements ByteSource {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly worker: Worker;
  private finished = false;

  constructor(private readonly file: string) {
    const sab = new SharedArrayBuffer(SLOT_HEADER + CHUNK);
    this.ctrl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, SLOT_HEADER, CHUNK);
    const gunzipTask: GunzipTask = { sab, file, cap: CHUNK, readChunk: CHUNK };
    this.worker = new Worker(gunzipWorkerUrl(), { workerData: { gunzipTask }, execArgv: [] });
    this.worker.unref();
  }

  read(): Uint8Array | null {
    if (this.finished) return null;
    for (;;) {
      const st = Atomics.load(this.ctrl, 0);
      if (st === FULL) {
        const out = Buffer.from(this.data.subarray(0, this.ctrl[1]));
        Atomics.store(this.ctrl, 0, EMPTY);
        Atomics.notify(this.ctrl, 0);
        return out;
      }
      if (st === END) {
        this.finished = true;
        return null;
      }
      if (st === FAILED) {
        this.finished = true;
        const msg = Buffer.from(this.data.subarray(0, this.ctrl[1])).toString();
        throw new InputError([{ file: displayName(this.file), path: 'workload.trace.file', message: `cannot decompress: ${msg} (a truncated or corrupt gzip file)` }]);
      }
      // Invariant: the worker always ends in END or FAILED, so this wait ends; the timeout
      // only guards against a worker that died without saying so.
      if (Atomics.wait(this.ctrl, 0, EMPTY, 120_000) === 'timed-out') {
        this.finished = true;
        throw new Error(`reading ${this.file}: the decompression worker stopped answering`);
      }
    }
  }

  close(): void {
    if (!this.finished) {
      this.finished = true;
      Atomics.store(this.ctrl, 0, CANCELLED);
      Atomics.notify(this.ctrl, 0);
    }
    void this.worker.terminate();
  }
}

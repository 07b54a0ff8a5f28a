/**
 * Synchronous, streamed reading of a trace file in chunks, gzip or not. The simulator pulls
 * batches synchronously, and Node has no synchronous streaming gunzip, so a `.gz` file is
 * decompressed by `zlib.createGunzip()` in a worker thread that hands chunks over through a
 * SharedArrayBuffer (the main thread blocks in `Atomics.wait` until the next chunk is ready).
 * Memory stays bounded by the chunk size whatever the file's size.
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';

/** A source of byte chunks; `read()` returns null at the end. */
export interface ByteSource {
  read(): Uint8Array | null;
  close(): void;
}

const CHUNK = 1 << 20;

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

// States of the shared slot.
const EMPTY = 0;
const FULL = 1;
const END = 2;
const FAILED = 3;
const CANCELLED = 4;

/** The worker: plain CommonJS on Node built-ins (no loader needed), evaluated from this string. */
const WORKER_SOURCE = `
const fs = require('node:fs');
const zlib = require('node:zlib');
const { workerData } = require('node:worker_threads');
const { sab, file, cap } = workerData;
const ctrl = new Int32Array(sab, 0, 4);
const data = new Uint8Array(sab, 16, cap);
function waitEmpty() {
  for (;;) {
    const st = Atomics.load(ctrl, 0);
    if (st === ${EMPTY}) return true;
    if (st === ${CANCELLED}) return false;
    Atomics.wait(ctrl, 0, st);
  }
}
function put(buf) {
  let off = 0;
  while (off < buf.length) {
    if (!waitEmpty()) process.exit(0);
    const n = Math.min(cap, buf.length - off);
    data.set(buf.subarray(off, off + n));
    ctrl[1] = n;
    Atomics.store(ctrl, 0, ${FULL});
    Atomics.notify(ctrl, 0);
    off += n;
  }
}
let done = false;
function finish(state, msg) {
  if (done) return;
  done = true;
  if (!waitEmpty()) process.exit(0);
  if (msg) { const b = Buffer.from(String(msg)).subarray(0, cap); data.set(b); ctrl[1] = b.length; }
  Atomics.store(ctrl, 0, state);
  Atomics.notify(ctrl, 0);
}
const input = fs.createReadStream(file, { highWaterMark: ${CHUNK} });
const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
input.on('error', (e) => finish(${FAILED}, e.message));
gunzip.on('error', (e) => finish(${FAILED}, e.message));
gunzip.on('data', put);
gunzip.on('end', () => finish(${END}));
input.pipe(gunzip);
`;

class GunzipSource implements ByteSource {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly worker: Worker;
  private finished = false;

  constructor(private readonly file: string) {
    const sab = new SharedArrayBuffer(16 + CHUNK);
    this.ctrl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, 16, CHUNK);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sab, file, cap: CHUNK } });
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
        throw new Error(`cannot decompress ${this.file}: ${msg}`);
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

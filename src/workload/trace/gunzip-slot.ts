/**
 * The shared slot through which the gunzip worker (gunzip-worker.ts) hands decompressed chunks to
 * the thread reading a trace (byte-source.ts): a SharedArrayBuffer holding a state word, a length
 * and the chunk. One writer, one reader; each side waits on the state word with `Atomics.wait`.
 *
 * ```
 *   EMPTY ──(worker puts a chunk)──► FULL ──(reader takes it)──► EMPTY
 *   EMPTY ──(worker: input ended)──► END        EMPTY ──(worker: error)──► FAILED (message in the slot)
 *   any ──(reader closes early)──► CANCELLED: the worker stops
 * ```
 */

export const EMPTY = 0;
export const FULL = 1;
export const END = 2;
export const FAILED = 3;
export const CANCELLED = 4;

/** Bytes before the chunk: the state word and the chunk's length (Int32 each), padded. */
export const SLOT_HEADER = 16;

/** What the worker is given. */
export interface GunzipTask {
  readonly sab: SharedArrayBuffer;
  /** Absolute path of the gzip file. */
  readonly file: string;
  /** Bytes the slot holds. */
  readonly cap: number;
  /** Bytes read from the file at a time. */
  readonly readChunk: number;
}

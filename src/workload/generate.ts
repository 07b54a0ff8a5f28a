/**
 * `keycast generate`: a workload written out as data for other systems (load tests, Kafka
 * topics). `records` writes one CSV row `timeMs,key,bucket` per record; `counts` writes
 * `windowStartMs,bucket,count` per window with zero counts omitted. Both consume the very
 * batches `run` simulates (same seed, same ticks); record times and key strings come from their
 * own random streams (`workload/record-times`, `workload/keys`), so they never change the counts.
 * Output is produced tick by tick and handed to an async sink with back-pressure: memory stays
 * bounded by one tick (records) or one window (counts).
 */
import type { RandomSource, RandomStream } from '../engine/random.ts';
import { SyntheticWorkload } from './synthetic.ts';
import { TraceWorkload } from './trace/trace-workload.ts';
import { firstRankOfBucket, keyUniverse, type KeyUniverse } from './universe.ts';
import type { KeyspaceSpec } from './spec.ts';
import type { Workload } from './workload.ts';

/** Where generated text goes; `write` may wait (back-pressure). */
export interface TextSink {
  write(chunk: string): void | Promise<void>;
}

/** What to generate. */
export interface GenerateOptions {
  readonly format: 'records' | 'counts';
  /** Simulated time to cover; ticks are `ceil(durationMs / tickMs)`, as in `run`. */
  readonly durationMs: number;
  /** Window of `counts` (ms); default 1 minute. */
  readonly windowMs?: number;
  /** Flush to the sink after about this many characters (default 1 MiB). */
  readonly chunkChars?: number;
}

/** Totals of a generation. */
export interface GenerateResult {
  readonly rows: number;
  readonly records: number;
  readonly ticks: number;
}

/** Picks the key string of one record in a bucket. */
export interface KeyPicker {
  pick(bucket: number): string;
}

/**
 * The key picker of a workload: for synthetic workloads, keys of the scenario's universe, chosen
 * inside a bucket by the static components' per-key weights (zipf hot keys stay hot) for the
 * static share of the bucket's rate and uniformly for the rest; for traces, the trace's own keys
 * of that bucket, by their total weight in the trace.
 */
export function keyPickerFor(workload: Workload, keyspace: KeyspaceSpec, random: RandomSource): KeyPicker {
  const rng = random.fork('workload/keys');
  if (workload instanceof TraceWorkload) return traceKeyPicker(workload, rng);
  if (!(workload instanceof SyntheticWorkload)) throw new Error('keyPickerFor: unknown workload kind');
  const universe = keyUniverse(keyspace, random.fork('workload/vocabulary').nextUint32());
  return syntheticKeyPicker(workload, universe, keyspace.buckets, rng);
}

function syntheticKeyPicker(w: SyntheticWorkload, u: KeyUniverse, B: number, rng: RandomStream): KeyPicker {
  const K = u.keys;
  const weights = w.staticKeyWeights;
  let prefix: Float64Array | null = null;
  if (weights) {
    prefix = new Float64Array(K + 1);
    for (let i = 0; i < K; i++) prefix[i + 1] = prefix[i] + weights[i];
  }
  const cache: (string | undefined)[] | null = K <= 1 << 22 ? new Array<string | undefined>(K) : null;
  const keyAt = (r: number) => {
    if (!cache) return u.keyAt(r);
    return (cache[r] ??= u.keyAt(r));
  };
  return {
    pick(b: number): string {
      const lo = firstRankOfBucket(b, K, B);
      const hi = firstRankOfBucket(b + 1, K, B);
      if (hi <= lo) return keyAt(Math.min(K - 1, lo));
      const u1 = rng.next();
      if (prefix && prefix[hi] > prefix[lo] && rng.next() < w.staticFraction(b)) {
        // Invariant: prefix is non-decreasing, so the search finds r in [lo, hi) with weight > 0.
        const target = prefix[lo] + u1 * (prefix[hi] - prefix[lo]);
        let a = lo;
        let z = hi - 1;
        while (a < z) {
          const m = (a + z) >>> 1;
          if (prefix[m + 1] <= target) a = m + 1;
          else z = m;
        }
        return keyAt(a);
      }
      return keyAt(lo + Math.floor(u1 * (hi - lo)));
    },
  };
}

function traceKeyPicker(w: TraceWorkload, rng: RandomStream): KeyPicker {
  const { keys, keyWeights } = w.scan;
  const B = w.buckets;
  const K = keys.length;
  const bucketOf = new Int32Array(K);
  const start = new Int32Array(B + 1);
  for (let i = 0; i < K; i++) start[(bucketOf[i] = w.bucketOf(keys[i])) + 1]++;
  for (let b = 0; b < B; b++) start[b + 1] += start[b];
  const order = new Int32Array(K);
  const fill = start.slice(0, B);
  for (let i = 0; i < K; i++) order[fill[bucketOf[i]]++] = i;
  const cum = new Float64Array(K + 1);
  for (let j = 0; j < K; j++) cum[j + 1] = cum[j] + keyWeights[order[j]];
  const quoted = keys.map(csvField);
  return {
    pick(b: number): string {
      const lo = start[b];
      const hi = start[b + 1];
      if (hi - lo <= 1) return hi > lo ? quoted[order[lo]] : '';
      const target = cum[lo] + rng.next() * (cum[hi] - cum[lo]);
      let a = lo;
      let z = hi - 1;
      while (a < z) {
        const m = (a + z) >>> 1;
        if (cum[m + 1] <= target) a = m + 1;
        else z = m;
      }
      return quoted[order[a]];
    },
  };
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Text written to a sink in chunks of about `chunkChars` characters. */
class ChunkWriter {
  private buf: string[] = [];
  private chars = 0;
  constructor(
    private readonly sink: TextSink,
    private readonly chunkChars: number,
  ) {}

  push(line: string): void {
    this.buf.push(line);
    this.chars += line.length;
  }

  /** Writes what is buffered once it reaches a chunk. */
  async maybeFlush(): Promise<void> {
    if (this.chars >= this.chunkChars) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buf.length) {
      const s = this.buf.join('');
      this.buf = [];
      this.chars = 0;
      await this.sink.write(s);
    }
  }
}

/**
 * Writes the workload's batches from t = 0 for `durationMs` to `sink`. `records` needs `keys`
 * (a KeyPicker) and `times`, the stream that places records inside their tick.
 */
export async function generateWorkload(
  workload: Workload,
  opts: GenerateOptions,
  sink: TextSink,
  records?: { readonly keys: KeyPicker; readonly times: RandomStream },
): Promise<GenerateResult> {
  const out = new ChunkWriter(sink, opts.chunkChars ?? 1 << 20);
  const ticks = Math.ceil(opts.durationMs / workload.tickMs);
  if (opts.format === 'counts') return generateCounts(workload, opts.windowMs ?? 60_000, ticks, out);
  if (!records) throw new Error('generateWorkload: records need a key picker and a time stream');
  return generateRecords(workload, records.keys, records.times, ticks, out);
}

/** The header lines `generate` starts its CSV with (records, counts): how a file it wrote is recognised. */
export const GENERATED_HEADERS = ['timeMs,key,bucket\n', 'windowStartMs,bucket,count\n'] as const;

/** `windowStartMs,bucket,count`: each window's records per bucket (buckets with none left out). */
async function generateCounts(workload: Workload, W: number, ticks: number, out: ChunkWriter): Promise<GenerateResult> {
  const B = workload.buckets;
  const tick = workload.tickMs;
  let rows = 0;
  let total = 0;
  const acc = new Float64Array(B);
  let win = 0;
  const emit = async (start: number) => {
    for (let b = 0; b < B; b++) {
      const c = acc[b];
      if (c > 0) {
        out.push(`${start},${b},${c}\n`);
        rows++;
      }
    }
    acc.fill(0);
    await out.maybeFlush();
  };
  out.push(GENERATED_HEADERS[1]);
  for (let i = 0; i < ticks; i++) {
    const t = i * tick;
    const w = Math.floor(t / W);
    if (w !== win) {
      await emit(win * W);
      win = w;
    }
    const batch = workload.nextBatch(t);
    const c = batch.counts;
    for (let b = 0; b < B; b++) acc[b] += c[b];
    total += batch.total;
  }
  await emit(win * W);
  await out.flush();
  return { rows, records: total, ticks };
}

/**
 * `timeMs,key,bucket`: one row per record. Records are placed at whole milliseconds, uniform over
 * the tick's `span` ms, then ordered by time and, within a millisecond, by bucket (a stable
 * counting sort over offsets).
 */
async function generateRecords(workload: Workload, keys: KeyPicker, times: RandomStream, ticks: number, out: ChunkWriter): Promise<GenerateResult> {
  const B = workload.buckets;
  const tick = workload.tickMs;
  let total = 0;
  const span = Math.max(1, Math.round(tick));
  const hist = new Int32Array(span + 1);
  let offs = new Int32Array(1 << 16);
  let bks = new Int32Array(1 << 16);
  let sorted = new Int32Array(1 << 16);
  out.push(GENERATED_HEADERS[0]);
  for (let i = 0; i < ticks; i++) {
    const t = i * tick;
    const batch = workload.nextBatch(t);
    const n = batch.total;
    if (n === 0) continue;
    if (n > offs.length) {
      const size = 1 << Math.ceil(Math.log2(n));
      offs = new Int32Array(size);
      bks = new Int32Array(size);
      sorted = new Int32Array(size);
    }
    hist.fill(0);
    const c = batch.counts;
    let k = 0;
    for (let b = 0; b < B; b++) {
      for (let j = c[b]; j > 0; j--) {
        const o = Math.floor(times.next() * span);
        offs[k] = o;
        bks[k] = b;
        hist[o + 1]++;
        k++;
      }
    }
    for (let o = 0; o < span; o++) hist[o + 1] += hist[o];
    for (let j = 0; j < n; j++) sorted[hist[offs[j]]++] = j;
    for (let j = 0; j < n; j++) {
      const r = sorted[j];
      const b = bks[r];
      out.push(`${t + offs[r]},${keys.pick(b)},${b}\n`);
    }
    total += n;
    await out.maybeFlush();
  }
  await out.flush();
  return { rows: total, records: total, ticks };
}

/**
 * Trace replay: a trace's rows become per-tick bucket counts. Row i at trace time tᵢ (t = 0 at
 * the first row plus the replay's start offset, see `startOffsetMs`) with weight wᵢ (1 without a weight column) carries wᵢ·scale records, spread
 * evenly over simulated time [tᵢ/speed, (tᵢ + spread)/speed). Counts are whole records: per
 * bucket, the cumulative expected mass M is rounded (a bucket's count up to tick k is
 * round(M_k)), so replay is deterministic, conserves records (per bucket, to within ½ record)
 * and puts a lone record in the middle of its spread. Rows are streamed: memory holds the rows
 * whose spread is still open, not the file.
 *
 *   weight ▲      spread/speed
 *          │   ┌──────────────┐   records of row i, at rate wᵢ·scale / (spread/speed)
 *          │   │              │
 *          └───┴──────────────┴──► simulated time
 *             tᵢ/speed
 */
import { InputError } from '../../model/errors.ts';
import type { KeyBatch } from '../../model/batch.ts';
import type { KeyspaceSpec, TraceSpec } from '../spec.ts';
import { fnv1a32 } from '../universe.ts';
import type { Workload } from '../workload.ts';
import { RowStatus, TraceRowReader } from './rows.ts';
import { displayName, scanTrace, type TraceScan } from './scan.ts';

/** How far back (simulated ms before the latest batch) `expectedRates` keeps rows. */
export const EXPECTED_RATES_KEEP_MS = 3_600_000;

/** Options of a trace workload. */
export interface TraceWorkloadOptions {
  /** Skip malformed or out-of-order rows, counting them in `badRows`, instead of exit 2. */
  readonly skipBadRows?: boolean;
  /** The run's seed: with `trace.seedShift`, it picks the window replayed. */
  readonly seed?: number;
  /** The run's duration (simulated ms) when the scenario gives one. */
  readonly durationMs?: number;
}

/**
 * Trace ms from the first row to the replay's t = 0: `start`, plus, with `seedShift`,
 * (seed mod n)·seedShift, n being how many windows of `durationMs`·speed fit after `start` — so
 * seeds replay different stretches of one trace (different days, say), each seed always the same.
 */
export function startOffsetMs(
  trace: TraceSpec,
  spanMs: number,
  seed: number,
  durationMs: number | undefined,
): number | { readonly field: 'start' | 'seedShift'; readonly message: string } {
  const start = trace.start ?? 0;
  if (start > 0 && start >= spanMs) return { field: 'start', message: `${start} ms is past the trace's last row (${spanMs} ms after its first)` };
  if (trace.seedShift === undefined || durationMs === undefined) return start;
  const room = spanMs - start - durationMs * trace.speed;
  if (room < 0) return { field: 'seedShift', message: `the trace holds no window of the run's duration after start (${spanMs - start} ms of trace, ${durationMs * trace.speed} needed)` };
  const n = Math.floor(room / trace.seedShift) + 1;
  return start + (seed % n) * trace.seedShift;
}

/** Rows whose spread is open, in start order (a FIFO of struct-of-arrays). */
class OpenRows {
  s = new Float64Array(1024);
  b = new Int32Array(1024);
  r = new Float64Array(1024);
  head = 0;
  tail = 0;
  push(s: number, b: number, r: number): void {
    if (this.tail === this.s.length) {
      const live = this.tail - this.head;
      if (live * 2 > this.s.length) {
        const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
          const n = make(a.length * 2);
          n.set(a.subarray(this.head, this.tail));
          return n;
        };
        this.s = grow(this.s, (n) => new Float64Array(n));
        this.b = grow(this.b, (n) => new Int32Array(n));
        this.r = grow(this.r, (n) => new Float64Array(n));
      } else {
        this.s.copyWithin(0, this.head, this.tail);
        this.b.copyWithin(0, this.head, this.tail);
        this.r.copyWithin(0, this.head, this.tail);
      }
      this.tail = live;
      this.head = 0;
    }
    this.s[this.tail] = s;
    this.b[this.tail] = b;
    this.r[this.tail] = r;
    this.tail++;
  }
}

/** Reads good rows in order, skipping what the scan counted as bad, as simulated start times. */
class RowCursor {
  private readonly reader: TraceRowReader;
  private lastMs = -Infinity;
  /** The current row: simulated start (ms), bucket, records per simulated ms. */
  s = 0;
  b = 0;
  r = 0;
  done = false;

  constructor(private readonly w: TraceWorkload) {
    this.reader = new TraceRowReader(w.absFile, w.trace, displayName(w.absFile));
    this.advance();
  }

  advance(): void {
    const rd = this.reader;
    for (;;) {
      const st = rd.next();
      if (st === RowStatus.End) {
        this.done = true;
        rd.close();
        return;
      }
      if (st === RowStatus.Bad || rd.timeMs < this.lastMs) continue;
      this.lastMs = rd.timeMs;
      this.s = (rd.timeMs - this.w.scan.firstMs - this.w.offsetMs) / this.w.trace.speed;
      // Before the start: only the part of a row's spread after t = 0 is replayed.
      if (this.s + this.w.spreadSimMs <= 0) continue;
      this.b = this.w.bucketOf(rd.key);
      this.r = (rd.weight * this.w.trace.scale) / this.w.spreadSimMs;
      return;
    }
  }

  close(): void {
    if (!this.done) this.reader.close();
    this.done = true;
  }
}

/** A workload replaying a trace file (CSV or JSONL, gzip or not). */
export class TraceWorkload implements Workload {
  readonly buckets: number;
  readonly recordBytes: number;
  readonly scan: TraceScan;
  readonly badRows: number;
  /** `spread` in trace ms (the given one, else the typical gap, else one tick of trace time). */
  readonly spreadTraceMs: number;
  readonly spreadSimMs: number;
  /** Span after the start ÷ speed (at least one tick): the default `duration`. */
  readonly defaultDurationMs: number;
  /** Trace ms from the first row to t = 0 (`startOffsetMs`). */
  readonly offsetMs: number;
  private readonly keyBucket: Map<string, number> | null;

  private cursor: RowCursor | null = null;
  private readonly open = new OpenRows();
  private readonly rate: Float64Array;
  private readonly active: Int32Array;
  private readonly mass: Float64Array;
  private readonly cum: Float64Array;
  private readonly emitted: Float64Array;
  private readonly counts: Float64Array;
  private lastBatchMs = 0;

  private ahead: RowCursor | null = null;
  private readonly aheadRows = new OpenRows();

  /** `absFile`: the trace, resolved against the scenario's folder. Throws InputError on bad rows. */
  constructor(
    readonly trace: TraceSpec,
    readonly absFile: string,
    keyspace: KeyspaceSpec,
    readonly tickMs: number,
    recordBytes: number,
    opts: TraceWorkloadOptions = {},
  ) {
    if (keyspace.kind !== 'range' && keyspace.kind !== 'hashed') {
      throw new InputError([{ file: displayName(absFile), path: 'keyspace.kind', message: `a trace needs keyspace kind range or hashed, not ${keyspace.kind}` }]);
    }
    const B = keyspace.buckets;
    this.buckets = B;
    this.recordBytes = recordBytes;
    this.scan = scanTrace(absFile, trace, opts.skipBadRows ?? false);
    this.badRows = this.scan.badRows;
    this.spreadTraceMs = trace.spread ?? (this.scan.typicalGapMs > 0 ? this.scan.typicalGapMs : tickMs * trace.speed);
    this.spreadSimMs = this.spreadTraceMs / trace.speed;
    const span = this.scan.lastMs - this.scan.firstMs;
    const offset = startOffsetMs(trace, span, opts.seed ?? 0, opts.durationMs);
    if (typeof offset !== 'number') throw new InputError([{ file: displayName(absFile), path: `workload.trace.${offset.field}`, message: offset.message }]);
    this.offsetMs = offset;
    this.defaultDurationMs = Math.max(tickMs, (span - offset) / trace.speed);
    if (keyspace.kind === 'range') {
      const K = this.scan.keys.length;
      this.keyBucket = new Map(this.scan.keys.map((k, i) => [k, Math.floor((i * B) / K)]));
    } else this.keyBucket = null;
    this.rate = new Float64Array(B);
    this.active = new Int32Array(B);
    this.mass = new Float64Array(B);
    this.cum = new Float64Array(B);
    this.emitted = new Float64Array(B);
    this.counts = new Float64Array(B);
  }

  /**
   * Bucket of a trace key: `range` → floor(rank·B/K) with rank the key's place among the trace's
   * K distinct keys in string order; `hashed` → floor(fnv1a32(key)·B/2³²).
   */
  bucketOf(key: string): number {
    if (this.keyBucket) return this.keyBucket.get(key) ?? 0;
    return Math.floor((fnv1a32(key) * this.buckets) / 4294967296);
  }

  nextBatch(timeMs: number): KeyBatch {
    const B = this.buckets;
    const T = timeMs;
    const end = T + this.tickMs;
    const dt = this.tickMs;
    const { rate, active, mass, cum, emitted, counts, open } = this;
    this.lastBatchMs = T;
    for (let i = 0; i < B; i++) mass[i] = rate[i] * dt;
    const cur = (this.cursor ??= new RowCursor(this));
    while (!cur.done && cur.s < end) {
      const s = Math.max(cur.s, T);
      rate[cur.b] += cur.r;
      active[cur.b]++;
      mass[cur.b] += cur.r * (end - s);
      open.push(cur.s + this.spreadSimMs, cur.b, cur.r);
      cur.advance();
    }
    // Spreads that close inside this tick (open.s holds end times here; FIFO since spread is constant).
    while (open.head < open.tail && open.s[open.head] < end) {
      const h = open.head++;
      const b = open.b[h];
      const e = Math.max(open.s[h], T);
      mass[b] -= open.r[h] * (end - e);
      if (--active[b] === 0) rate[b] = 0;
      else rate[b] -= open.r[h];
    }
    let total = 0;
    for (let i = 0; i < B; i++) {
      const c0 = cum[i] + mass[i];
      cum[i] = c0;
      const target = Math.floor(c0 + 0.5);
      const c = target - emitted[i];
      if (c > 0) {
        emitted[i] = target;
        counts[i] = c;
        total += c;
      } else counts[i] = 0;
    }
    return { timeMs, durationMs: dt, counts, total, bytes: total * this.recordBytes };
  }

  /**
   * Records/s per bucket at simulated time `timeMs`: the sum of the rates of the rows whose spread
   * covers it (what replay delivers on average). Reads ahead with a second cursor over the file;
   * rows are kept down to EXPECTED_RATES_KEEP_MS before the latest batch, so earlier times see
   * only the rows still kept.
   */
  expectedRates(timeMs: number, out: Float64Array): Float64Array {
    out.fill(0);
    const rows = this.aheadRows;
    const cur = (this.ahead ??= new RowCursor(this));
    while (!cur.done && cur.s <= timeMs) {
      rows.push(cur.s, cur.b, cur.r);
      cur.advance();
    }
    const spread = this.spreadSimMs;
    const keepFrom = this.lastBatchMs - EXPECTED_RATES_KEEP_MS;
    while (rows.head < rows.tail && rows.s[rows.head] + spread <= keepFrom) rows.head++;
    // Rows covering t: s ∈ (t − spread, t]; rows are in start order.
    let lo = rows.head;
    let hi = rows.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows.s[mid] <= timeMs - spread) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < rows.tail && rows.s[i] <= timeMs; i++) out[rows.b[i]] += rows.r[i] * 1000;
    return out;
  }

  /** Stops reading the file (the workers of gzip traces end on their own otherwise). */
  close(): void {
    this.cursor?.close();
    this.ahead?.close();
  }
}

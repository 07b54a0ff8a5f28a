/**
 * The simulator's move model and its fit to a real Redis Cluster. A simulated move takes
 * `buckets · movePerBucket + (moveDataSetup if it carries state) + bytes / moveBandwidth +
 * pauses.move` (only the last pauses the partition); a Redis slot-range move takes a fixed cost, a
 * cost per slot (opening it, asking for its keys, switching its owner: Redis 7 has no range form
 * of `CLUSTER SETSLOT`, and each change rewrites and fsyncs nodes.conf), a fixed cost more when any
 * slot holds keys (the first `GETKEYSINSLOT` and `MIGRATE` round trips run one after another
 * before the drain is pipelined, each `MIGRATE` waiting on an fsync on each side under
 * `appendfsync always`: an empty 1-slot move takes a few tens of ms, one with 20 KB of keys about
 * three times that) and a cost per byte. `fitMoveModel` fits the four to measured moves; `equivalentCluster` turns them
 * into the scenario `cluster:` fields under which the simulator reproduces a live run, whose time
 * is compressed and whose records are scaled.
 */

/** Measured figures of a Redis Cluster's moves (from `keycast calibrate`), wall time. */
export interface Calibration {
  /** Bytes/s of a move's data phase. */
  readonly moveBytesPerSec: number;
  /** Fixed wall ms of a move regardless of its size. */
  readonly moveFixedMs: number;
  /** Wall ms per slot of the range (absent in calibrations from before it was measured: 0). */
  readonly perSlotMs?: number;
  /** Wall ms more of a move whose slots hold any key (absent in older calibrations: 0). */
  readonly dataFixedMs?: number;
  /** Wall ms of the owner switch (the cut-over), median. */
  readonly cutoverMs: number;
}

/** One measured move. */
export interface MoveSample {
  readonly slots: number;
  readonly bytes: number;
  readonly wallMs: number;
}

/** The model's duration of a move of `slots` slots and `bytes` bytes, wall ms. */
export function modelMs(cal: Calibration, slots: number, bytes: number): number {
  return cal.moveFixedMs + (cal.perSlotMs ?? 0) * slots + (bytes > 0 ? (cal.dataFixedMs ?? 0) : 0) + (Number.isFinite(cal.moveBytesPerSec) ? (bytes / cal.moveBytesPerSec) * 1000 : 0);
}

/** Solves the k×k system `m·x = v` (Gaussian elimination, partial pivoting); null if singular. */
function solve(m: number[][], v: number[]): number[] | null {
  const k = v.length;
  const a = m.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-300) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row, i) => row[k] / row[i]);
}

/**
 * Non-negative least squares `y ≈ Σ coef_j · x_j` minimising squared *relative* errors (weights
 * 1/y², so a 1-slot and a 1000-slot move count alike). The optimum is the unconstrained optimum
 * of one subset of the terms, and there are few, so every subset is tried.
 */
export function fitNonNegative(xs: readonly (readonly number[])[], ys: readonly number[]): number[] {
  const terms = xs[0]?.length ?? 0;
  const w = ys.map((y) => 1 / Math.max(1e-9, y) ** 2);
  let best = new Array<number>(terms).fill(0);
  let bestErr = ys.reduce((s, y, i) => s + w[i] * y * y, 0);
  for (let mask = 1; mask < 1 << terms; mask++) {
    const on = Array.from({ length: terms }, (_, j) => j).filter((j) => mask & (1 << j));
    const m = on.map((p) => on.map((q) => xs.reduce((s, x, i) => s + w[i] * x[p] * x[q], 0)));
    const v = on.map((p) => xs.reduce((s, x, i) => s + w[i] * x[p] * ys[i], 0));
    const sol = solve(m, v);
    if (!sol || sol.some((c) => !(c >= 0))) continue;
    const coef = new Array<number>(terms).fill(0);
    on.forEach((j, k) => (coef[j] = sol[k]));
    const err = xs.reduce((s, x, i) => s + w[i] * (x.reduce((t, xj, j) => t + coef[j] * xj, 0) - ys[i]) ** 2, 0);
    if (err < bestErr - 1e-12) [best, bestErr] = [coef, err];
  }
  return best;
}

/**
 * Fits fixed ms, ms per slot, ms more for a move with data and bytes/s to measured moves (all
 * ≥ 0). The data term is told from the fixed one only when some samples carry no bytes (calibrate
 * measures empty ranges for that); without them it stays 0 and the fixed cost takes it.
 */
export function fitMoveModel(samples: readonly MoveSample[]): { moveFixedMs: number; perSlotMs: number; dataFixedMs: number; moveBytesPerSec: number } {
  const someEmpty = samples.some((s) => s.bytes <= 0);
  const [fixed, perSlot, msPerByte, data] = fitNonNegative(
    samples.map((s) => (someEmpty ? [1, s.slots, s.bytes, s.bytes > 0 ? 1 : 0] : [1, s.slots, s.bytes])),
    samples.map((s) => s.wallMs),
  );
  return { moveFixedMs: fixed, perSlotMs: perSlot, dataFixedMs: data ?? 0, moveBytesPerSec: msPerByte > 0 ? 1000 / msPerByte : 1e12 }; // 1 TB/s: bytes cost nothing measurable
}

/** The scenario `cluster:` fields of a live run's simulated twin. */
export interface EquivalentCluster {
  readonly moveBandwidth: number;
  readonly movePerBucket: number;
  readonly moveDataSetup: number;
  readonly pauses: { readonly move: number };
  readonly retention: number;
}

/**
 * The scenario `cluster:` fields under which the simulator's moves take what Redis moves take in
 * a live run: time compressed by `speed` (a wall ms is `speed` scenario ms), `y` writes per
 * scenario record, each write `bytesPerWrite` bytes in Redis (value and key) against the
 * scenario's `recordBytes`, `slotsPerBucket` slots per bucket. A sim state of R records is
 * y·R writes in Redis, so its bandwidth is the measured one / (speed · y · bytesPerWrite /
 * recordBytes); fixed, per-slot and with-data costs are wall ms × speed (a live run writes a
 * bucket's records into one slot, so a bucket that holds state is one slot with keys). Retention covers the whole run
 * (Redis keeps every key written).
 */
export function equivalentCluster(
  cal: Calibration,
  run: { readonly speed: number; readonly y: number; readonly durationMs: number; readonly slotsPerBucket: number; readonly recordBytes: number; readonly bytesPerWrite: number },
): EquivalentCluster {
  const inflation = run.bytesPerWrite > 0 && run.recordBytes > 0 ? run.bytesPerWrite / run.recordBytes : 1;
  return {
    moveBandwidth: cal.moveBytesPerSec / (run.speed * run.y * inflation),
    movePerBucket: Math.round((cal.perSlotMs ?? 0) * run.slotsPerBucket * run.speed * 1000) / 1000,
    moveDataSetup: Math.round((cal.dataFixedMs ?? 0) * run.speed * 1000) / 1000,
    pauses: { move: Math.max(1, Math.round(cal.moveFixedMs * run.speed)) },
    retention: run.durationMs,
  };
}

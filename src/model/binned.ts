/**
 * The charts' series of a run of any length, downsampled to a fixed size so that what a run
 * keeps per window does not grow with its length (its CSVs are complete on disk: see
 * experiment/spool.ts). `Binned` folds consecutive windows into bins of a power-of-two width,
 * field by field (a latency's max, a cumulative count's last value, a heatmap's mean); the
 * charts of a run and of `keycast report` (which re-bins the CSVs the same way) are identical.
 * Here in model/ because the simulated cluster fills these series and the report reads them.
 */
import type { NodeRow, WindowRow } from './rows.ts';

/** The metrics window: every per-window row and series is one of these long. */
export const METRICS_WINDOW_MS = 60_000;

/**
 * What a run keeps per series for its charts, whatever its length: every window up to `windows`
 * (4,096: 2.8 days of minutes; every shipped scenario is shorter or within 2× of it), then bins of 2, 4, … windows;
 * node rows at most `nodeRows` (bins widen sooner with many nodes); partition layouts at most
 * `layouts` (the layout in force at the end of each bin of windows in which the map changed);
 * bars of the operations chart at most `opBars` (10 minutes each up to a week, then 20, 40, …).
 * The charts draw at most a few hundred points per series, so the bins cost them nothing.
 */
export const CHART_LIMITS = { windows: 4_096, nodeRows: 32_768, layouts: 2_048, opBars: 1_024 } as const;

/**
 * Scored forecast windows a predictive policy keeps (model/thinned.ts: every 2nd, 4th, … beyond
 * these): `charts` when they are streamed to `forecast.csv` as the run goes (what the forecast
 * charts draw; `keycast report` thins the file the same way), `kept` when they are not.
 */
export const FORECAST_LIMITS = { charts: 1_024, kept: 50_000 } as const;

/**
 * A per-window series downsampled to a fixed size: rows are pushed with their window index; each
 * kept row is a bin of `width` consecutive windows (aligned to multiples of `width`, a power of
 * two) into which `merge` folds every row of the bin. Once more than `limit` bins (or `maxRows`
 * rows) are held, the width doubles and neighbouring bins are folded in place, so memory stays
 * under `limit` bins whatever the run's length, and every window counts in some bin (peaks
 * survive, unlike sampling every 2nd window).
 *
 * A window may hold several rows told apart by `slotOf` (one per node): rows of the same bin
 * and slot are folded together. Deterministic: the same rows in the same order give the same
 * bins, and pushing a binned series' rows (at their first window's index) into a fresh series
 * of the same limits gives them back unchanged. The series owns the rows pushed into it
 * (`merge` changes them). A `sink`, when set, receives every row pushed, before binning.
 */
export class Binned<T> {
  /** Windows per bin (a power of two). */
  width = 1;
  /** Bins held. */
  bins = 0;
  /** Bin index (window index ÷ width) of each row. */
  private readonly keys: number[] = [];
  /** Windows folded into each row. */
  private readonly counts: number[] = [];
  /** Receives every row pushed, before binning (streaming to a file). */
  sink?: (row: T) => void;
  /** False: rows only go to the sink. */
  keeps = true;

  constructor(
    /** The bins (the same array for the whole run). */
    readonly rows: T[],
    readonly limit: number,
    /** Folds `later` (`nLater` windows) into `into` (`nInto` windows, just before it), changing `into`. */
    private readonly merge: (into: T, later: T, nInto: number, nLater: number) => void,
    private readonly slotOf: (row: T) => number = () => 0,
    readonly maxRows = Infinity,
    /** Sets a bin's row to start at window `first` (its time), or nothing (layouts keep theirs). */
    private readonly align?: (row: T, first: number) => void,
  ) {}

  /** Whether rows of window `index` are wanted (always: every window counts in a bin). */
  takes(_index: number): boolean {
    return true;
  }

  /** Hands `row` of window `index` to the sink, and folds it into its bin. */
  push(index: number, row: T): void {
    this.sink?.(row);
    if (!this.keeps) return;
    this.add(Math.floor(index / this.width), row, 1);
    while (this.bins > this.limit || this.rows.length > this.maxRows) this.coarsen();
  }

  private add(key: number, row: T, n: number): void {
    const { rows, keys, counts } = this;
    const slot = this.slotOf(row);
    for (let j = rows.length - 1; j >= 0 && keys[j] === key; j--) {
      if (this.slotOf(rows[j]) !== slot) continue;
      this.merge(rows[j], row, counts[j], n);
      counts[j] += n;
      return;
    }
    if (keys.length === 0 || keys[keys.length - 1] !== key) this.bins++;
    this.align?.(row, key * this.width);
    rows.push(row);
    keys.push(key);
    counts.push(n);
  }

  private coarsen(): void {
    this.width *= 2;
    const rows = this.rows.splice(0);
    const keys = this.keys.splice(0);
    const counts = this.counts.splice(0);
    this.bins = 0;
    for (let r = 0; r < rows.length; r++) this.add(Math.floor(keys[r] / 2), rows[r], counts[r]);
  }
}

/**
 * A bin of window rows: counts of records, operations and disruption summed; latencies, the SLO
 * share, imbalance, utilisation and backlog the bin's max (what the charts draw: peaks survive);
 * partitions and the cumulative moved bytes the bin's last value; `timeMs` the bin's start.
 */
export function mergeWindowRows(a: WindowRow, b: WindowRow): void {
  a.records += b.records;
  a.servedRecords += b.servedRecords;
  a.droppedRecords += b.droppedRecords;
  a.operations += b.operations;
  a.failedOperations += b.failedOperations;
  a.disruptionMs += b.disruptionMs;
  a.backlogRecords = Math.max(a.backlogRecords, b.backlogRecords);
  a.p50LatencyMs = Math.max(a.p50LatencyMs, b.p50LatencyMs);
  a.p99LatencyMs = Math.max(a.p99LatencyMs, b.p99LatencyMs);
  a.maxLatencyMs = Math.max(a.maxLatencyMs, b.maxLatencyMs);
  a.sloViolationRate = Math.max(a.sloViolationRate, b.sloViolationRate);
  a.imbalance = Math.max(a.imbalance, b.imbalance);
  a.maxUtilization = Math.max(a.maxUtilization, b.maxUtilization);
  a.partitions = b.partitions;
  a.movedBytes = b.movedBytes;
}

/** A bin of one node's rows: rate, utilisation and backlog the max, partitions the last, `up` the min (down at any time: down). */
export function mergeNodeRows(a: NodeRow, b: NodeRow): void {
  a.rate = Math.max(a.rate, b.rate);
  a.utilization = Math.max(a.utilization, b.utilization);
  a.backlog = Math.max(a.backlog, b.backlog);
  a.partitions = b.partitions;
  a.up = Math.min(a.up, b.up);
}

/** One window (or bin) of the load heatmap: records/s per key-space group. */
export interface HeatRow {
  timeMs: number;
  rates: number[];
}

/** A bin of heatmap windows: each group's mean records/s over the bin's windows (to 0.001). */
export function mergeHeatRows(a: HeatRow, b: HeatRow, na: number, nb: number): void {
  for (let g = 0; g < a.rates.length; g++) a.rates[g] = Math.round(((a.rates[g] * na + b.rates[g] * nb) / (na + nb)) * 1000) / 1000;
}

/** A partition layout (boundaries as fractions of the key space) from `timeMs` on. */
export interface LayoutRow {
  timeMs: number;
  boundaries: number[];
  nodes: number[];
}

/** A bin of layout changes keeps the last one: the layout in force when the bin ends. */
export function mergeLayouts(a: LayoutRow, b: LayoutRow): void {
  a.timeMs = b.timeMs;
  a.boundaries = b.boundaries;
  a.nodes = b.nodes;
}

/** A row's time is its bin's start. */
const atWindow = (r: { timeMs: number }, first: number) => void (r.timeMs = first * METRICS_WINDOW_MS);
/** A window-row series of the charts (`CHART_LIMITS.windows` bins). */
export const windowSeries = (rows: WindowRow[] = []) => new Binned(rows, CHART_LIMITS.windows, mergeWindowRows, undefined, Infinity, atWindow);
/** A node-row series of the charts (a slot per node). */
export const nodeSeries = (rows: NodeRow[] = []) => new Binned(rows, CHART_LIMITS.windows, mergeNodeRows, (r) => r.node, CHART_LIMITS.nodeRows, atWindow);
/** The heatmap's series. */
export const heatSeries = (rows: HeatRow[] = []) => new Binned(rows, CHART_LIMITS.windows, mergeHeatRows, undefined, Infinity, atWindow);
/** A policy's layouts (one per window in which the map changed). */
export const layoutSeries = (rows: LayoutRow[] = []) => new Binned(rows, CHART_LIMITS.layouts, mergeLayouts);

/**
 * Rows with a `timeMs` (per window, or already binned) binned as a run's charts keep them:
 * window rows from a report's CSV give the very bins the run kept; bins give themselves back.
 * Copies the rows (the series changes what it holds).
 */
export function binByWindow<T extends { timeMs: number }>(rows: readonly T[], series: Binned<T>): T[] {
  for (const r of rows) series.push(Math.floor(r.timeMs / METRICS_WINDOW_MS), { ...r });
  return series.rows;
}

/** The operations chart's narrowest bar: finished operations per 10 minutes. */
export const OP_BIN_MS = 600_000;

/** Finished operations of one kind and status in a bar of the operations chart. */
export interface OpBinRow {
  timeMs: number;
  kind: string;
  status: string;
  n: number;
}

/**
 * Finished operations counted per bar by action kind and status: what the operations chart
 * draws, exact however many operations. Bars are OP_BIN_MS long up to `CHART_LIMITS.opBars`
 * of them, then 2, 4, … times that (`binMs`), so a run of any length keeps a fixed number.
 * Fed in time order, by the run as operations finish or by the report from operations.csv.
 */
export class OpBins {
  private readonly slots = new Map<string, number>();
  private readonly series = new Binned<OpBinRow>(
    [],
    CHART_LIMITS.opBars,
    (a, b) => void (a.n += b.n),
    (r) => this.slots.get(`${r.kind}|${r.status}`)!,
    Infinity,
    (r, first) => void (r.timeMs = first * OP_BIN_MS),
  );
  private bin = -1;
  private readonly counts = new Map<string, number>();

  /** Counts one finished operation. */
  add(timeMs: number, kind: string, status: string): void {
    const b = Math.floor(timeMs / OP_BIN_MS);
    if (b !== this.bin) this.flush();
    this.bin = b;
    const k = `${kind}|${status}`;
    if (!this.slots.has(k)) this.slots.set(k, this.slots.size);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  private flush(): void {
    for (const [k, n] of this.counts) {
      const [kind, status] = k.split('|');
      this.series.push(this.bin, { timeMs: this.bin * OP_BIN_MS, kind, status, n });
    }
    this.counts.clear();
  }

  /** The bars so far (call `close` first for the last one). */
  get rows(): readonly OpBinRow[] {
    return this.series.rows;
  }

  /** Length of a bar (ms). */
  get binMs(): number {
    return OP_BIN_MS * this.series.width;
  }

  /** Counts the open bar in. */
  close(): this {
    this.flush();
    return this;
  }

  /** The bars of finished operations given in time order. */
  static of(ops: Iterable<{ timeMs: number; kind: string; status: string }>): OpBins {
    const o = new OpBins();
    for (const e of ops) o.add(e.timeMs, e.kind, e.status);
    return o.close();
  }
}

/**
 * Streams a run's per-window and per-event rows to the report's files while the run goes, so
 * the files hold every window and event however long the run, and memory holds only the
 * thinned rows the charts draw. Each lane writes its own files `<lane>/timeseries.csv`,
 * `nodes.csv`, `partitions.csv`, `operations.csv` and `plans.jsonl` from the thread that runs it,
 * so the bytes are the same for any number of workers. The files are opened through a
 * `SpoolSink` (io/spool-files.ts writes them into the report's temporary folder, atomic-dir.ts:
 * a run that fails leaves nothing behind).
 */
import { NODE_COLUMNS, PARTITION_COLUMNS, WINDOW_COLUMNS, type LaneMetrics } from '../cluster/lane-metrics.ts';
import { OPERATION_COLUMNS, csvLine, operationLine } from '../model/row-format.ts';
import type { OpEvent } from '../model/control-plane.ts';
import { Thinned } from '../cluster/thinned.ts';

/** The operations chart's bin (report/charts.ts counts operations per 10 minutes). */
export const OP_BIN_MS = 600_000;

/** A file lines are appended to. */
export interface LineSink {
  /** Appends `text` and a newline. */
  line(text: string): void;
  close(): void;
}

/** Where the lanes' streamed files go. */
export interface SpoolSink {
  /** The folder the files are in (the report reads them back there; other threads open it again). */
  readonly dir: string;
  /** Creates the file `<lane>/<name>` (empty) and opens it for appending lines. */
  open(lane: string, name: string): LineSink;
  /** Removes the file `<lane>/<name>` (one the lane turned out not to need). */
  remove(lane: string, name: string): void;
}

/** Opens `<lane>/<name>` with `header` as its first line. */
function withHeader(sink: SpoolSink, lane: string, name: string, header: string): LineSink {
  const f = sink.open(lane, name);
  f.line(header);
  return f;
}

/** The files one lane streams into. */
export class LaneSpool {
  readonly timeseries: LineSink;
  readonly nodes: LineSink;
  readonly partitions: LineSink;
  readonly operations: LineSink;
  readonly plans: LineSink;
  /** End times of rolled-back plans (the operations chart marks them; thinned beyond 10,000). */
  readonly rollbacks: number[] = [];
  private readonly rollbackSeries = new Thinned(this.rollbacks, 10_000);
  private rolledBack = 0;
  /**
   * Finished operations per OP_BIN_MS by action kind and status: what the operations chart
   * draws, exact however many operations (bins thinned beyond 20,000, each bin's counts whole).
   */
  readonly opBins: { timeMs: number; kind: string; status: string; n: number }[] = [];
  private readonly opBinSeries = new Thinned(this.opBins, 20_000);
  private bin = -1;
  private readonly binCounts = new Map<string, number>();

  constructor(
    private readonly sink: SpoolSink,
    private readonly lane: string,
  ) {
    this.timeseries = withHeader(sink, lane, 'timeseries.csv', WINDOW_COLUMNS.join(','));
    this.nodes = withHeader(sink, lane, 'nodes.csv', NODE_COLUMNS.join(','));
    this.partitions = withHeader(sink, lane, 'partitions.csv', PARTITION_COLUMNS.join(','));
    this.operations = withHeader(sink, lane, 'operations.csv', OPERATION_COLUMNS.join(','));
    this.plans = sink.open(lane, 'plans.jsonl');
  }

  /**
   * Routes the lane's window series to the files (every window). Memory keeps the thinned rows
   * the charts draw; partition rows, which no chart draws, only go to the file.
   */
  attach(metrics: LaneMetrics): void {
    metrics.rowSeries.sink = (r) => this.timeseries.line(csvLine(r, WINDOW_COLUMNS));
    metrics.nodeSeries.sink = (r) => this.nodes.line(csvLine(r, NODE_COLUMNS));
    metrics.partitionSeries.sink = (r) => this.partitions.line(csvLine(r, PARTITION_COLUMNS));
    metrics.partitionSeries.keeps = false;
  }

  /** A finished operation (done or failed). */
  operation(e: OpEvent): void {
    this.operations.line(operationLine(e));
    const b = Math.floor(e.timeMs / OP_BIN_MS);
    if (b !== this.bin) this.closeBin();
    this.bin = b;
    const k = `${e.action.kind}|${e.status}`;
    this.binCounts.set(k, (this.binCounts.get(k) ?? 0) + 1);
  }

  private closeBin(): void {
    for (const [k, n] of this.binCounts) {
      const [kind, status] = k.split('|');
      this.opBinSeries.push(this.bin, { timeMs: this.bin * OP_BIN_MS, kind, status, n });
    }
    this.binCounts.clear();
  }

  /** A plan record nothing changes any more (the partition manager's `onRecord`). */
  plan(record: unknown): void {
    this.plans.line(JSON.stringify(record));
    const r = record as { outcome?: string; endedAtMs?: number; createdAtMs?: number };
    if (r.outcome === 'rolled-back') this.rollbackSeries.push(this.rolledBack++, r.endedAtMs ?? r.createdAtMs ?? 0);
  }

  /** Closes the files; `plans.jsonl` is removed when the policy keeps no plan records (`withPlans` false). */
  close(withPlans: boolean): void {
    this.closeBin();
    for (const f of [this.timeseries, this.nodes, this.partitions, this.operations, this.plans]) f.close();
    if (!withPlans) this.sink.remove(this.lane, 'plans.jsonl');
  }
}

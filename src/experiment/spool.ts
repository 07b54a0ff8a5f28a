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
import { FORECAST_HEADER, OPERATION_COLUMNS, csvLine, forecastLines, operationLine } from '../model/row-format.ts';
import type { ForecastLogRow } from '../model/rows.ts';
import { OpBins } from '../model/binned.ts';
import type { OpEvent } from '../model/control-plane.ts';
import { Thinned } from '../model/thinned.ts';

export { OP_BIN_MS } from '../model/binned.ts';

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
  /** `forecast.csv`, opened by the first scored forecast window (predictive only). */
  private forecastFile: LineSink | undefined;
  /** End times of rolled-back plans (the operations chart marks them; thinned beyond 10,000). */
  readonly rollbacks: number[] = [];
  private readonly rollbackSeries = new Thinned(this.rollbacks, 10_000);
  private rolledBack = 0;
  /** Finished operations per bar of the operations chart by kind and status (model/binned.ts: a fixed number of bars). */
  readonly opBins = new OpBins();

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
   * Routes the lane's window series to the files (every window). Memory keeps the charts' bins
   * (model/binned.ts); partition rows, which no chart draws, only go to the file.
   */
  attach(metrics: LaneMetrics): void {
    metrics.streamRows({
      windows: (r) => this.timeseries.line(csvLine(r, WINDOW_COLUMNS)),
      nodes: (r) => this.nodes.line(csvLine(r, NODE_COLUMNS)),
      partitions: (r) => this.partitions.line(csvLine(r, PARTITION_COLUMNS)),
    });
  }

  /** A finished operation (done or failed). */
  operation(e: OpEvent): void {
    this.operations.line(operationLine(e));
    this.opBins.add(e.timeMs, e.action.kind, e.status);
  }

  /** A plan record nothing changes any more (the partition manager's `onRecord`). */
  plan(record: unknown): void {
    this.plans.line(JSON.stringify(record));
    const r = record as { outcome?: string; endedAtMs?: number; createdAtMs?: number };
    if (r.outcome === 'rolled-back') this.rollbackSeries.push(this.rolledBack++, r.endedAtMs ?? r.createdAtMs ?? 0);
  }

  /** A scored forecast window (the policy's `forecastSink`). */
  forecast(row: ForecastLogRow): void {
    this.forecastFile ??= withHeader(this.sink, this.lane, 'forecast.csv', FORECAST_HEADER);
    for (const l of forecastLines(row)) this.forecastFile.line(l);
  }

  /** Closes the files; `plans.jsonl` is removed when the policy keeps no plan records (`withPlans` false). */
  close(withPlans: boolean): void {
    this.opBins.close();
    for (const f of [this.timeseries, this.nodes, this.partitions, this.operations, this.plans]) f.close();
    this.forecastFile?.close();
    if (!withPlans) this.sink.remove(this.lane, 'plans.jsonl');
  }
}

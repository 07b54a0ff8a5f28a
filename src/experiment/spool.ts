/**
 * Streams a run's per-window and per-event rows to the report's files while the run goes, so
 * the files hold every window and event however long the run, and memory holds only the
 * thinned rows the charts draw. Each lane writes its own folder `<dir>/<lane>/`
 * (`timeseries.csv`, `nodes.csv`, `partitions.csv`, `operations.csv`, `plans.jsonl`) from the
 * thread that runs it, so the bytes are the same for any number of workers. The folder is the
 * report's temporary folder (atomic-dir.ts): a run that fails leaves nothing behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_COLUMNS, PARTITION_COLUMNS, WINDOW_COLUMNS, type LaneMetrics } from '../cluster/lane-metrics.ts';
import { FORECAST_HEADER, OPERATION_COLUMNS, csvLine, forecastLines, operationLine } from '../model/row-format.ts';
import type { ForecastLogRow } from '../model/rows.ts';
import { OpBins } from '../model/binned.ts';
import type { OpEvent } from '../model/control-plane.ts';
import { Thinned } from '../model/thinned.ts';

export { OP_BIN_MS } from '../model/binned.ts';

/** Lines appended to a file through a buffer of about 1 MB (never one string of the whole file). */
export class LineFile {
  private readonly fd: number;
  private buf: string[] = [];
  private len = 0;

  constructor(file: string, header?: string) {
    this.fd = fs.openSync(file, 'w');
    if (header !== undefined) this.line(header);
  }

  /** Appends `text` and a newline. */
  line(text: string): void {
    this.buf.push(text, '\n');
    this.len += text.length + 1;
    if (this.len > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buf.length) fs.writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.len = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

/** The files one lane streams into. */
export class LaneSpool {
  readonly timeseries: LineFile;
  readonly nodes: LineFile;
  readonly partitions: LineFile;
  readonly operations: LineFile;
  readonly plans: LineFile;
  private readonly plansFile: string;
  /** `forecast.csv`, opened by the first scored forecast window (predictive only). */
  private forecastFile: LineFile | undefined;
  private readonly dir: string;
  /** End times of rolled-back plans (the operations chart marks them; thinned beyond 10,000). */
  readonly rollbacks: number[] = [];
  private readonly rollbackSeries = new Thinned(this.rollbacks, 10_000);
  private rolledBack = 0;
  /** Finished operations per bar of the operations chart by kind and status (model/binned.ts: a fixed number of bars). */
  readonly opBins = new OpBins();

  constructor(dir: string, lane: string) {
    const d = path.join(dir, lane);
    this.dir = d;
    fs.mkdirSync(d, { recursive: true });
    this.timeseries = new LineFile(path.join(d, 'timeseries.csv'), WINDOW_COLUMNS.join(','));
    this.nodes = new LineFile(path.join(d, 'nodes.csv'), NODE_COLUMNS.join(','));
    this.partitions = new LineFile(path.join(d, 'partitions.csv'), PARTITION_COLUMNS.join(','));
    this.operations = new LineFile(path.join(d, 'operations.csv'), OPERATION_COLUMNS.join(','));
    this.plansFile = path.join(d, 'plans.jsonl');
    this.plans = new LineFile(this.plansFile);
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
    this.forecastFile ??= new LineFile(path.join(this.dir, 'forecast.csv'), FORECAST_HEADER);
    for (const l of forecastLines(row)) this.forecastFile.line(l);
  }

  /** Closes the files; `plans.jsonl` is removed when the policy keeps no plan records (`withPlans` false). */
  close(withPlans: boolean): void {
    this.opBins.close();
    for (const f of [this.timeseries, this.nodes, this.partitions, this.operations, this.plans]) f.close();
    this.forecastFile?.close();
    if (!withPlans) fs.rmSync(this.plansFile, { force: true });
  }
}

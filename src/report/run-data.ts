/**
 * The data behind a run's charts, both ways: from a finished run (`chartData`) and back from the
 * report folder's files (`readChartData`, for `keycast report`), so a re-rendered page draws the
 * same. Also the tidy files written for notebooks: the long-format `timeseries.csv` at the
 * report's root (a `policy` column), `latency.csv` (the measured latency distribution per
 * policy) and `<policy>/forecast.csv` (predictive: forecast against observation per window).
 * Read back, every row is checked (data-checks.ts): a corrupt one is a problem with its file and
 * line, never a point quietly dropped from a chart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { NODE_COLUMNS, WINDOW_COLUMNS, type WindowRow } from '../model/rows.ts';
import { binLatency, type LatencyHistogram } from '../model/latency-histogram.ts';
import type { RunResult } from '../experiment/run.ts';
import type { ForecastLogRow } from '../model/rows.ts';
import { InputError, type Problem } from '../model/errors.ts';
import { checkedCsv, FileProblems, type CsvColumns } from './data-checks.ts';
import { FORECAST_HEADER, forecastLines } from '../model/row-format.ts';
import { binByWindow, FORECAST_LIMITS, nodeSeries, OpBins, windowSeries } from '../model/binned.ts';
import { thinnedRows } from '../model/thinned.ts';
import type { ChartData, PolicyChartData } from './charts.ts';

const r6 = (x: number) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 1e6) / 1e6));
/** Most points of a latency distribution kept per policy (the tail is always kept whole). */
const CDF_POINTS = 300;

/** Cumulative latency distribution of a histogram: (latency ms, share at or below), thinned. */
export function latencyCdf(h: LatencyHistogram): { ms: number; records: number; share: number }[] {
  const w = h.weights;
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i];
  if (total <= 0) return [];
  const out: { ms: number; records: number; share: number }[] = [];
  let acc = 0;
  let lastShare = -1;
  for (let i = 0; i < w.length; i++) {
    if (w[i] <= 0) continue;
    acc += w[i];
    const share = acc / total;
    // keep a point per 1/CDF_POINTS of share, and every point in the top 1% (the tail people look at)
    if (share - lastShare >= 1 / CDF_POINTS || share > 0.99 || acc === total) {
      out.push({ ms: Math.round(Math.min(binLatency(i), h.maxMs || Infinity) * 1e6) / 1e6, records: Math.round(acc), share: Math.round(share * 1e6) / 1e6 });
      lastShare = share;
    }
  }
  return out;
}

/** Chart data of a run. */
export function chartData(result: RunResult): ChartData {
  const sc = result.loaded.scenario;
  return {
    policies: result.lanes.map((l): PolicyChartData => ({
      name: l.name,
      kind: l.kind,
      // A streamed lane kept the charts' bins; the others every window (thinned past a cap): bin them alike.
      rows: l.spooled ? l.rows : binByWindow(l.rows, windowSeries()),
      layouts: l.layouts,
      nodes: l.spooled ? l.nodeRows : binByWindow(l.nodeRows, nodeSeries()),
      ...opBars(l),
      rollbacks: l.rollbacks ? [...l.rollbacks] : rollbackTimes(l.report?.planRecords ?? []),
      cdf: latencyCdf(l.latency),
      forecast: l.report?.forecastLog && thinnedRows(l.report.forecastLog, FORECAST_LIMITS.charts),
    })),
    heatmap: result.heatmap,
    warmupMs: sc.warmup,
    sloMs: sc.slo.latency,
    sloPercentile: sc.slo.percentile,
    durationMs: result.simulatedMs,
  };
}

/** The operations chart's bars of a lane: kept by the run when streamed, else counted from its operations alike. */
function opBars(l: RunResult['lanes'][number]): Pick<PolicyChartData, 'ops' | 'opBinMs'> {
  if (l.opBins) return { ops: l.opBins, opBinMs: l.opBinMs };
  const bins = OpBins.of(l.operations.filter((e) => e.status !== 'started').map((e) => ({ timeMs: e.timeMs, kind: e.action.kind, status: e.status })));
  return { ops: bins.rows, opBinMs: bins.binMs };
}

function rollbackTimes(records: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const r of records as { outcome?: string; endedAtMs?: number; createdAtMs?: number }[]) if (r.outcome === 'rolled-back') out.push(r.endedAtMs ?? r.createdAtMs ?? 0);
  return out;
}

/** Root `timeseries.csv`: every policy's windows in one long table with a `policy` column. */
export function longTimeseriesCsv(policies: readonly { name: string; rows: readonly WindowRow[] }[]): string {
  const out = [['policy', ...WINDOW_COLUMNS].join(',')];
  for (const p of policies) for (const r of p.rows) out.push([p.name, ...WINDOW_COLUMNS.map((c) => r6(r[c]))].join(','));
  return out.join('\n') + '\n';
}

/** `latency.csv`: per policy, the measured latency distribution (latency ms, records at or below, share at or below). */
export function latencyCsv(policies: readonly { name: string; cdf?: readonly { ms: number; records?: number; share: number }[] }[]): string {
  const out = ['policy,latencyMs,recordsAtOrBelow,shareAtOrBelow'];
  for (const p of policies) for (const c of p.cdf ?? []) out.push([p.name, r6(c.ms), c.records ?? '', r6(c.share)].join(','));
  return out.join('\n') + '\n';
}

/**
 * `forecast.csv` (long format): per forecast window, the total rate (series `total`, records/s,
 * with p10 and p90) and each key range's share (series `buckets a-b`), forecast against observed.
 */
export function forecastCsv(rows: readonly ForecastLogRow[]): string {
  const out = [FORECAST_HEADER];
  for (const r of rows) out.push(...forecastLines(r));
  return out.join('\n') + '\n';
}

/**
 * Writes the tidy data files of a run (root timeseries.csv, latency.csv, predictive forecast.csv).
 * With `fromLaneFiles`, the root timeseries.csv is assembled from the policies' own
 * `timeseries.csv` already in `dir` (streamed during the run: every window), a chunk at a time.
 */
export function writeTidyFiles(dir: string, data: ChartData, fromLaneFiles = false): void {
  if (fromLaneFiles) writeLongTimeseries(dir, data.policies.map((p) => p.name));
  else fs.writeFileSync(path.join(dir, 'timeseries.csv'), longTimeseriesCsv(data.policies));
  fs.writeFileSync(path.join(dir, 'latency.csv'), latencyCsv(data.policies));
  // Streamed lanes wrote their forecast.csv as they ran (every window; the charts' share is in memory).
  if (!fromLaneFiles) for (const p of data.policies) if (p.forecast?.length) fs.writeFileSync(path.join(dir, p.name, 'forecast.csv'), forecastCsv(p.forecast));
}

/** Root `timeseries.csv` from the policies' `<dir>/<policy>/timeseries.csv`, without holding either whole. */
function writeLongTimeseries(dir: string, policies: readonly string[]): void {
  const fd = fs.openSync(path.join(dir, 'timeseries.csv'), 'w');
  try {
    fs.writeSync(fd, ['policy', ...WINDOW_COLUMNS].join(',') + '\n');
    for (const name of policies) {
      let header = true;
      const out: string[] = [];
      forEachLine(path.join(dir, name, 'timeseries.csv'), (l) => {
        if (header) header = false;
        else out.push(`${name},${l}\n`);
        if (out.length >= 10_000) fs.writeSync(fd, out.splice(0).join(''));
      });
      if (out.length) fs.writeSync(fd, out.join(''));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Calls `fn` with each line of a file (without its newline), reading 1 MB at a time. */
function forEachLine(file: string, fn: (line: string) => void): void {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    const utf8 = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const lines = (rest + utf8.write(chunk.subarray(0, n))).split('\n');
      rest = lines.pop()!;
      for (const l of lines) fn(l);
    }
    rest += utf8.end();
    if (rest) fn(rest);
  } finally {
    fs.closeSync(fd);
  }
}

/** One policy's chart data read back from a report folder (see `readRunExtras`). */
export type PolicyExtras = Pick<PolicyChartData, 'nodes' | 'ops' | 'opBinMs' | 'rollbacks' | 'cdf' | 'forecast'>;

/** The text of `file`, or null when it is not there (a file the run did not write) or cannot be read (a problem). */
function readText(file: string, problems: Problem[]): string | null {
  if (!fs.existsSync(file)) return null;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file, path: '', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return null;
  }
}

/** A report CSV's rows checked against `cols` (none when the file is not there). */
function readCsv(file: string, cols: CsvColumns, problems: Problem[]): Record<string, string>[] {
  const text = readText(file, problems);
  return text === null ? [] : checkedCsv(text, file, cols, problems);
}

/**
 * The optional chart data of each policy in `names` from the report folder `dir`: nodes,
 * operations, plans (rollbacks), forecast and its latency distribution (latency.csv, read once).
 * A file that is not there is a file the run did not write (the caller checks the marker); a
 * corrupt row is a problem added to `problems` (then what is returned is not to be drawn).
 */
export function readRunExtras(dir: string, names: readonly string[], problems: Problem[]): Map<string, PolicyExtras> {
  const cdfs = new Map<string, { ms: number; records: number; share: number }[]>();
  const latency = readCsv(path.join(dir, 'latency.csv'), { texts: ['policy'], numbers: ['latencyMs', 'shareAtOrBelow'], numbersOrEmpty: ['recordsAtOrBelow'] }, problems);
  for (const r of latency) {
    if (!cdfs.has(r.policy)) cdfs.set(r.policy, []);
    cdfs.get(r.policy)!.push({ ms: Number(r.latencyMs), records: Number(r.recordsAtOrBelow), share: Number(r.shareAtOrBelow) });
  }
  return new Map(names.map((name) => [name, policyExtras(path.join(dir, name), cdfs.get(name) ?? [], problems)]));
}

/** The optional chart data of one policy (its own files under `d`; `cdf` from latency.csv). */
function policyExtras(d: string, cdf: PolicyExtras['cdf'], problems: Problem[]): PolicyExtras {
  const nodes = binByWindow(
    readCsv(path.join(d, 'nodes.csv'), { numbers: NODE_COLUMNS }, problems).map((r) => ({ timeMs: Number(r.timeMs), node: Number(r.node), rate: Number(r.rate), utilization: Number(r.utilization), partitions: Number(r.partitions), backlog: Number(r.backlog), up: Number(r.up) })),
    nodeSeries(),
  );
  const opRows = readCsv(path.join(d, 'operations.csv'), { numbers: ['timeMs', 'bytes', 'durationMs'], texts: ['action', 'status'] }, problems);
  const ops = OpBins.of(opRows.map((r) => ({ timeMs: Number(r.timeMs), kind: r.action, status: r.status })));
  const byTime = new Map<number, ForecastLogRow & { ranges: { range: string; share: number; actual: number }[] }>();
  const forecastCols = { numbers: ['timeMs', 'windowMs', 'issuedAtMs'], texts: ['series'], measured: ['forecast', 'p10', 'p90', 'observed'] };
  for (const r of readCsv(path.join(d, 'forecast.csv'), forecastCols, problems)) {
    const t = Number(r.timeMs);
    if (r.series === 'total') byTime.set(t, { timeMs: t, windowMs: Number(r.windowMs), issuedAtMs: Number(r.issuedAtMs), rate: { mean: Number(r.forecast), p10: Number(r.p10), p90: Number(r.p90), actual: Number(r.observed) }, ranges: [] });
    else byTime.get(t)?.ranges.push({ range: r.series.replace(/^buckets /, ''), share: Number(r.forecast), actual: Number(r.observed) });
  }
  const plans = readRolledBack(path.join(d, 'plans.jsonl'), problems);
  return { nodes, ops: ops.rows, opBinMs: ops.binMs, rollbacks: rollbackTimes(plans), cdf, forecast: thinnedRows([...byTime.values()], FORECAST_LIMITS.charts) };
}

/**
 * The rolled-back plans of a `plans.jsonl` (none when it is not there), every line checked to be
 * a JSON object. It may exceed what one string can hold (every plan of a long run): read by line.
 */
function readRolledBack(file: string, problems: Problem[]): unknown[] {
  const plans: unknown[] = [];
  if (!fs.existsSync(file)) return plans;
  const found = new FileProblems(problems, file);
  let line = 0;
  forEachLine(file, (l) => {
    line++;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (err) {
      return found.add(line, '', `not valid JSON (${(err as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) found.add(line, '', 'not a JSON object (one plan per line)');
    else if (l.includes('"rolled-back"')) plans.push(v);
  });
  found.close();
  return plans;
}

/** The optional chart data of one policy from its report files and latency.csv; a corrupt file is an `InputError`. */
export function readPolicyExtras(dir: string, name: string): PolicyExtras {
  const problems: Problem[] = [];
  const extras = readRunExtras(dir, [name], problems).get(name)!;
  if (problems.length) throw new InputError(problems);
  return extras;
}

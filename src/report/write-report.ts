/**
 * Writes a run's report folder: summary.json, summary.md, index.html, the per-policy CSVs and
 * the tidy files (root timeseries.csv, latency.csv, forecast.csv, scenario.json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunResult } from '../experiment/run.ts';
import { reportFiles } from './page-assets.ts';
import type { Summary } from '../experiment/summary.ts';
import { cdfChart, forecastRateChart, forecastShareChart, heatmapChart, imbalanceChart, latencyChart, movedChart, nodesChart, operationsChart, partitionsChart, sloChart, type ChartData, type VlSpec } from './charts.ts';
import { chartData, writeTidyFiles } from './run-data.ts';
import { NODE_COLUMNS, PARTITION_COLUMNS, operationsCsv, rowsCsv, timeseriesCsv } from './csv.ts';
import { renderHtml, type ChartSection } from './html.ts';
import { renderMarkdown } from './markdown.ts';

export { chartData };

/** The files a spooled lane streams into its folder (experiment/spool.ts). */
const SPOOLED_FILES = ['timeseries.csv', 'nodes.csv', 'partitions.csv', 'operations.csv', 'plans.jsonl'] as const;

/** The report's chart sections, in reading order: the answer, then why. */
export function chartSections(data: ChartData): ChartSection[] {
  const sections: ChartSection[] = [];
  const add = (id: string, title: string, note: string, spec: VlSpec | null) => {
    if (spec) sections.push({ id, title, note, spec });
  };
  add('latency', 'Latency', 'p99 latency of each minute after warm-up (log scale). The red rule is the SLO; windows with no served records are left out.', latencyChart(data));
  add('cdf', 'Latency distribution', 'Share of the measured records slower than each latency (both axes log scale): lower and further left is better. A policy meets the SLO when its line passes below the point where the two red rules cross.', cdfChart(data, data.sloPercentile));
  add('slo', 'SLO violations', 'Share of the records of each minute whose latency exceeded the SLO (dropped records count as violations), after warm-up.', sloChart(data));
  for (const p of data.policies) {
    add(`fc-rate-${p.name}`, `Forecast against observed: ${p.name}`, 'The total rate the KDP forecast for each window (mean and p10–p90 band) against the rate then observed.', forecastRateChart(data, p));
    add(`fc-share-${p.name}`, `Key ranges: forecast against realised share (${p.name})`, 'Per key range of the KDP, the share of the load it forecast against the share observed in that window.', forecastShareChart(data, p));
  }
  add('nodes', 'Node utilisation', 'Utilisation of each node (its load ÷ its capacity) over time, per policy, in bands: blues up to 100%, orange up to 120%, dark red beyond.', nodesChart(data));
  add('ops', 'Operations', 'Repartitioning operations per 10 minutes by kind, failed operations and rolled-back plans marked (from operations.csv and plans.jsonl).', operationsChart(data));
  for (const p of data.policies) {
    add(`heat-${p.name}`, `Load and ${p.name}'s partitions`, 'Records/s over the key space (vertical) and time; the light lines are the policy’s partition boundaries.', heatmapChart(data, p.name));
  }
  add('imbalance', 'Imbalance', 'Max partition load / mean partition load per minute.', imbalanceChart(data));
  add('moved', 'Data movement', 'Cumulative data sent between nodes by moves and creates (after warm-up), in GiB (2^30 bytes).', movedChart(data));
  add('partitions', 'Partitions', 'Number of partitions over time.', partitionsChart(data));
  return sections;
}

/** Writes every file of the report into `dir` (which must exist). */
export function writeReportFiles(dir: string, result: RunResult, summary: Summary): void {
  const sc = result.loaded.scenario;
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'summary.md'), renderMarkdown(summary, sc.description));
  for (const lane of result.lanes) {
    const d = path.join(dir, lane.name);
    fs.mkdirSync(d, { recursive: true });
    // A spooled lane streamed these files as it ran (every window: experiment/spool.ts), into
    // `dir` itself when the run wrote its report there.
    if (lane.spooled && result.spool) {
      const from = path.join(result.spool, lane.name);
      if (path.resolve(from) !== path.resolve(d)) {
        for (const f of SPOOLED_FILES) fs.copyFileSync(path.join(from, f), path.join(d, f));
        if (fs.existsSync(path.join(from, 'forecast.csv'))) fs.copyFileSync(path.join(from, 'forecast.csv'), path.join(d, 'forecast.csv'));
      }
      continue;
    }
    fs.writeFileSync(path.join(d, 'timeseries.csv'), timeseriesCsv(lane.rows));
    fs.writeFileSync(path.join(d, 'operations.csv'), operationsCsv(lane.operations));
    fs.writeFileSync(path.join(d, 'nodes.csv'), rowsCsv(lane.nodeRows, NODE_COLUMNS));
    if (lane.report?.planRecords) writeJsonLines(path.join(d, 'plans.jsonl'), lane.report.planRecords);
    fs.writeFileSync(path.join(d, 'partitions.csv'), rowsCsv(lane.partitionRows, PARTITION_COLUMNS));
  }
  fs.writeFileSync(path.join(dir, 'heatmap.json'), JSON.stringify({ groups: result.heatmap[0]?.rates.length ?? 0, windows: result.heatmap }) + '\n');
  fs.writeFileSync(path.join(dir, 'layouts.json'), JSON.stringify(Object.fromEntries(result.lanes.map((l) => [l.name, l.layouts]))) + '\n');
  const data = chartData(result);
  writeTidyFiles(dir, data, result.spool !== undefined && result.lanes.some((l) => l.spooled));
  fs.writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify(sc, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'index.html'), renderHtml(summary, sc.description, chartSections(data), reportFiles(dir), sc));
}

/** Writes one JSON line per item, in chunks (never one string of the whole file). */
export function writeJsonLines(file: string, items: Iterable<unknown>): void {
  const fd = fs.openSync(file, 'w');
  try {
    let buf: string[] = [];
    let len = 0;
    for (const it of items) {
      const line = JSON.stringify(it) + '\n';
      buf.push(line);
      len += line.length;
      if (len > 1 << 20) {
        fs.writeSync(fd, buf.join(''));
        buf = [];
        len = 0;
      }
    }
    if (buf.length) fs.writeSync(fd, buf.join(''));
  } finally {
    fs.closeSync(fd);
  }
}

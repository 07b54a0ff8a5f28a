/** Writes a run's report folder: summary.json, summary.md, index.html and per-policy CSVs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunResult } from '../experiment/run.ts';
import type { Summary } from '../experiment/summary.ts';
import { heatmapChart, imbalanceChart, latencyChart, movedChart, partitionsChart, sloChart, type ChartData } from './charts.ts';
import { NODE_COLUMNS, PARTITION_COLUMNS, operationsCsv, rowsCsv, timeseriesCsv } from './csv.ts';
import { renderHtml, type ChartSection } from './html.ts';
import { renderMarkdown } from './markdown.ts';

/** Chart data of a run. */
export function chartData(result: RunResult): ChartData {
  const sc = result.loaded.scenario;
  return {
    policies: result.lanes.map((l) => ({ name: l.name, rows: l.rows, layouts: l.layouts })),
    heatmap: result.heatmap,
    warmupMs: sc.warmup,
    sloMs: sc.slo.latency,
  };
}

/** The report's chart sections. */
export function chartSections(data: ChartData): ChartSection[] {
  const sections: ChartSection[] = [
    { id: 'latency', title: 'Latency', note: 'p99 latency per minute for each policy (symlog scale); the red rule is the SLO, the dashed grey rule the end of warm-up.', spec: latencyChart(data) },
    { id: 'slo', title: 'SLO violations', note: 'Share of the records of each minute whose latency exceeded the SLO (dropped records count as violations).', spec: sloChart(data) },
  ];
  for (const p of data.policies) {
    sections.push({ id: `heat-${p.name}`, title: `Load and ${p.name}'s partitions`, note: 'Records/s over the key space (vertical) and time; the light lines are the policy’s partition boundaries.', spec: heatmapChart(data, p.name) });
  }
  sections.push(
    { id: 'imbalance', title: 'Imbalance', note: 'Max partition load / mean partition load per minute.', spec: imbalanceChart(data) },
    { id: 'moved', title: 'Data movement', note: 'Cumulative bytes sent between nodes by moves and creates (after warm-up).', spec: movedChart(data) },
    { id: 'partitions', title: 'Partitions', note: 'Number of partitions over time.', spec: partitionsChart(data) },
  );
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
    fs.writeFileSync(path.join(d, 'timeseries.csv'), timeseriesCsv(lane.rows));
    fs.writeFileSync(path.join(d, 'operations.csv'), operationsCsv(lane.operations));
    fs.writeFileSync(path.join(d, 'nodes.csv'), rowsCsv(lane.nodeRows, NODE_COLUMNS));
    if (lane.report?.planRecords) writeJsonLines(path.join(d, 'plans.jsonl'), lane.report.planRecords);
    fs.writeFileSync(path.join(d, 'partitions.csv'), rowsCsv(lane.partitionRows, PARTITION_COLUMNS));
  }
  fs.writeFileSync(path.join(dir, 'heatmap.json'), JSON.stringify({ groups: result.heatmap[0]?.rates.length ?? 0, windows: result.heatmap }) + '\n');
  fs.writeFileSync(path.join(dir, 'layouts.json'), JSON.stringify(Object.fromEntries(result.lanes.map((l) => [l.name, l.layouts]))) + '\n');
  fs.writeFileSync(path.join(dir, 'index.html'), renderHtml(summary, sc.description, chartSections(chartData(result))));
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

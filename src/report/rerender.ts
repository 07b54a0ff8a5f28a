/**
 * `keycast report DIR`: re-renders `index.html` and `summary.md` of a run folder from its data
 * files (summary.json, <policy>/timeseries.csv, heatmap.json, layouts.json), without re-running.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, type Problem } from '../model/errors.ts';
import type { Summary } from '../experiment/summary.ts';
import { WINDOW_COLUMNS, type WindowRow } from '../model/rows.ts';
import { renderHtml } from './html.ts';
import { binByWindow, windowSeries } from '../model/binned.ts';
import { reportFiles } from './page-assets.ts';
import { readPolicyExtras } from './run-data.ts';
import { renderMarkdown } from './markdown.ts';
import { chartSections } from './write-report.ts';
import type { ChartData } from './charts.ts';

function readJson<T>(file: string, problems: Problem[]): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    problems.push({ file, path: '', message: fs.existsSync(file) ? `not valid JSON (${(err as Error).message})` : 'missing' });
    return null;
  }
}

/** Parses a timeseries.csv back into rows (numbers). */
export function parseTimeseries(text: string, file: string): WindowRow[] {
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  const idx = WINDOW_COLUMNS.map((c) => header.indexOf(c));
  const missing = WINDOW_COLUMNS.filter((_, i) => idx[i] < 0);
  if (missing.length) throw new InputError([{ file, line: 1, path: '', message: `missing columns: ${missing.join(', ')}` }]);
  return lines.slice(1).map((l, n) => {
    const c = l.split(',');
    const row = {} as Record<string, number>;
    WINDOW_COLUMNS.forEach((col, i) => {
      const v = Number(c[idx[i]]);
      if (!Number.isFinite(v)) throw new InputError([{ file, line: n + 2, path: col, message: `not a number: '${c[idx[i]]}'` }]);
      row[col] = v;
    });
    return row as unknown as WindowRow;
  });
}

/** Re-renders the report pages of `dir` in place (atomically per file). */
export function rerenderReport(dir: string): { summary: Summary; files: string[] } {
  const problems: Problem[] = [];
  const summary = readJson<Summary>(path.join(dir, 'summary.json'), problems);
  const heat = readJson<{ windows: { timeMs: number; rates: number[] }[] }>(path.join(dir, 'heatmap.json'), problems);
  const layouts = readJson<Record<string, { timeMs: number; boundaries: number[] }[]>>(path.join(dir, 'layouts.json'), problems);
  if (problems.length || !summary || !heat || !layouts) throw new InputError(problems);
  const policies = Object.keys(summary.policies).map((name) => {
    const f = path.join(dir, name, 'timeseries.csv');
    if (!fs.existsSync(f)) throw new InputError([{ file: f, path: '', message: 'missing' }]);
    return { name, kind: summary.policies[name].kind, rows: binByWindow(parseTimeseries(fs.readFileSync(f, 'utf8'), f), windowSeries()), layouts: layouts[name] ?? [], ...readPolicyExtras(dir, name) };
  });
  const data: ChartData = { policies, heatmap: heat.windows, warmupMs: summary.simulatedMs - summary.measuredMs, sloMs: summary.sloLatencyMs, sloPercentile: summary.sloPercentile, durationMs: summary.simulatedMs };
  const scenarioFile = path.join(dir, 'scenario.json');
  const scenario = fs.existsSync(scenarioFile) ? readJson<unknown>(scenarioFile, []) : undefined;
  const description = summary.description ?? '';
  const write = (name: string, text: string) => {
    const tmp = path.join(dir, `.${name}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(dir, name));
  };
  write('index.html', renderHtml(summary, description, chartSections(data), reportFiles(dir), scenario));
  write('summary.md', renderMarkdown(summary, description));
  return { summary, files: ['index.html', 'summary.md'] };
}

/**
 * `keycast report DIR`: re-renders `index.html` and `summary.md` of a run folder from its data
 * files (summary.json, <policy>/timeseries.csv, heatmap.json, layouts.json, and the optional
 * nodes, operations, plans, forecast and latency files), without re-running. Every file the run
 * wrote (its `.keycast-output` marker's list, handed in as `wrote`) must still be there and every
 * row it reads must parse: else an `InputError` names each problem (file, line, column) and
 * nothing is written. A file the run did not write (no plans for a static policy) is no problem.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, type Problem } from '../model/errors.ts';
import type { Summary } from '../experiment/summary.ts';
import { WINDOW_COLUMNS, type WindowRow } from '../model/rows.ts';
import { renderHtml } from './html.ts';
import { binByWindow, windowSeries } from '../model/binned.ts';
import { reportFiles } from './page-assets.ts';
import { readRunExtras } from './run-data.ts';
import { renderMarkdown } from './markdown.ts';
import { chartSections } from './write-report.ts';
import { checkedCsv } from './data-checks.ts';
import type { ChartData } from './charts.ts';

/** The pages this re-renders: their absence is what it mends, not a problem. */
const PAGES = ['index.html', 'summary.md'];

/** A JSON file's value, or null with a problem (missing, or not valid JSON). */
function readJson<T>(file: string, problems: Problem[]): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    problems.push({ file, path: '', message: fs.existsSync(file) ? `not valid JSON (${(err as Error).message})` : 'missing' });
    return null;
  }
}

/** Parses a timeseries.csv back into rows (numbers); its problems (file, line, column) go to `problems`. */
export function parseTimeseries(text: string, file: string, problems: Problem[]): WindowRow[] {
  return checkedCsv(text, file, { numbers: WINDOW_COLUMNS }, problems).map((r) => {
    const row = {} as Record<string, number>;
    for (const col of WINDOW_COLUMNS) row[col] = Number(r[col]);
    return row as unknown as WindowRow;
  });
}

/** The files of `dir` its marker lists (`wrote`, `/`-separated) that are gone, the pages aside. */
function missingFiles(dir: string, wrote: readonly string[]): Problem[] {
  return wrote
    .filter((rel) => !rel.endsWith('/') && !PAGES.includes(rel) && !fs.existsSync(path.join(dir, ...rel.split('/'))))
    .map((rel) => ({ file: path.join(dir, ...rel.split('/')), path: '', message: 'missing: the run wrote it (listed in .keycast-output); re-run to get it back' }));
}

/** The chart data and summary of run folder `dir`, or an `InputError` with every problem found. */
function readRun(dir: string, wrote: readonly string[] | undefined): { summary: Summary; data: ChartData; scenario: unknown } {
  const problems = wrote ? missingFiles(dir, wrote) : [];
  // A file already named missing is not named again.
  const gone = new Set(problems.map((p) => p.file));
  const json = <T>(name: string) => (gone.has(path.join(dir, name)) ? null : readJson<T>(path.join(dir, name), problems));
  const summary = json<Summary>('summary.json');
  const heat = json<{ windows: { timeMs: number; rates: number[] }[] }>('heatmap.json');
  const layouts = json<Record<string, { timeMs: number; boundaries: number[] }[]>>('layouts.json');
  if (!summary || !heat || !layouts) throw new InputError(problems);
  const names = Object.keys(summary.policies);
  const rows = names.map((name) => {
    const f = path.join(dir, name, 'timeseries.csv');
    if (!fs.existsSync(f)) {
      if (!gone.has(f)) problems.push({ file: f, path: '', message: 'missing' });
      return [];
    }
    return binByWindow(parseTimeseries(fs.readFileSync(f, 'utf8'), f, problems), windowSeries());
  });
  const extras = readRunExtras(dir, names, problems);
  const scenarioFile = path.join(dir, 'scenario.json');
  const scenario = fs.existsSync(scenarioFile) ? readJson<unknown>(scenarioFile, problems) : undefined;
  if (problems.length) throw new InputError(problems);
  const policies = names.map((name, i) => ({ name, kind: summary.policies[name].kind, rows: rows[i], layouts: layouts[name] ?? [], ...extras.get(name)! }));
  const data: ChartData = { policies, heatmap: heat.windows, warmupMs: summary.simulatedMs - summary.measuredMs, sloMs: summary.sloLatencyMs, sloPercentile: summary.sloPercentile, durationMs: summary.simulatedMs };
  return { summary, data, scenario };
}

/**
 * Re-renders the report pages of `dir` in place. `wrote` is what its marker lists (the paths the
 * run wrote; none for a folder written before markers listed them): each must still be there.
 * Both pages are rendered before either is written, each through a temporary file.
 */
export function rerenderReport(dir: string, wrote?: readonly string[]): { summary: Summary; files: string[] } {
  const { summary, data, scenario } = readRun(dir, wrote);
  const description = summary.description ?? '';
  const pages: [string, string][] = [
    ['index.html', renderHtml(summary, description, chartSections(data), reportFiles(dir), scenario)],
    ['summary.md', renderMarkdown(summary, description)],
  ];
  for (const [name, text] of pages) fs.writeFileSync(path.join(dir, `.${name}.tmp`), text);
  for (const [name] of pages) fs.renameSync(path.join(dir, `.${name}.tmp`), path.join(dir, name));
  return { summary, files: pages.map(([name]) => name) };
}

/**
 * bench/results.json, merged: a bench run with `--only` replaces the figures it measured and keeps
 * the others (with the date and bare loop they were measured at, in `measuredAt`), so timing
 * `npm start` alone does not drop the last runs' samples.
 */
import * as fs from 'node:fs';

const RESULTS = new URL('./results.json', import.meta.url);
export type Results = Record<string, unknown>;

/** The last results.json, or nothing when it is missing or unreadable (the bench then writes a fresh one). */
function readResults(): Results {
  try {
    return JSON.parse(fs.readFileSync(RESULTS, 'utf8')) as Results;
  } catch {
    return {};
  }
}

/** Keys of a run that describe the run, not a figure. */
const RUN_KEYS = new Set(['date', 'node', 'buckets', 'hours', 'bareLoopUpdatesPerSec', 'samples', 'measuredAt']);

/**
 * This run's figures over the last results.json's: a figure this run did not measure (`--only`)
 * keeps its last value and samples, and `measuredAt` says, per figure, when and against which bare
 * loop it was measured, so `--only start` no longer drops the runs' samples.
 */
export function mergedResults(prev: Results, now: Results): Results {
  const measuredAt = { ...((prev.measuredAt as Results | undefined) ?? {}) };
  for (const k of Object.keys(now)) {
    if (!RUN_KEYS.has(k)) measuredAt[k] = { date: now.date, bareLoopUpdatesPerSec: now.bareLoopUpdatesPerSec };
  }
  const samples = { ...((prev.samples as Results | undefined) ?? {}), ...((now.samples as Results | undefined) ?? {}) };
  return { ...prev, ...now, samples, measuredAt };
}

/** Writes this run's figures over the last ones (see mergedResults). */
export function writeResults(now: Results): void {
  fs.writeFileSync(RESULTS, JSON.stringify(mergedResults(readResults(), now), null, 2) + '\n');
}

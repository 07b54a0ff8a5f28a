/**
 * What a run keeps per window does not grow with its length (issue 16): a small scenario run
 * for 2 and for 8 simulated days, streaming its files as `keycast run` does, keeps about as
 * many entries (rows, node rows, layouts, heatmap windows, operation bars, plan records,
 * forecast rows) after 8 days as after 2, each series under its cap, so the entries kept per
 * simulated hour fall as 1/length. A run that only wants its summary (other seeds of `--seeds`,
 * sweeps) keeps none of them and gets the same summary. Counts of entries, not bytes or
 * wall-clock figures.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';
import { folderSpool } from '../../src/io/spool-files.ts';
import type { RunResult } from '../../src/experiment/run.ts';
import { CHART_LIMITS, FORECAST_LIMITS } from '../../src/model/binned.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-memory-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const yaml = (days: number) => `name: long-small
seed: 3
duration: ${days}d
warmup: 2h
tick: 1m
keyspace: { kind: user-id, keys: 4000, buckets: 64 }
workload:
  rate: 5000
  recordBytes: 128
  shape:
    diurnal: { amplitude: 0.4, peak: 15h }
  keys:
    - { share: 0.5, zipf: { s: 1.0, shuffle: true } }
    - { share: 0.5, band: { center: 0.3, width: 0.1, speed: 2 } }
cluster: { nodes: 3, nodeCapacity: 2500, partitions: 6, maxPartitions: 32, retention: 10m, faults: { opFailureRate: 0.1 } }
slo: { latency: 200ms }
policies:
  static: { kind: static }
  reactive: { kind: reactive, every: 10m, window: 10m, iterations: 40 }
  predictive: { kind: predictive, every: 5m, window: 5m, horizon: 15m, minHistory: 1h, history: 6h, iterations: 40, models: [seasonal-naive] }
`;

/** Entries a run's result holds per lane, by structure (the heatmap is the run's, shared). */
function retained(r: RunResult): Record<string, number> {
  const out: Record<string, number> = { heatmap: r.heatmap.length };
  for (const l of r.lanes) {
    const add = (k: string, n: number) => (out[k] = Math.max(out[k] ?? 0, n));
    add('rows', l.rows.length);
    add('nodeRows', l.nodeRows.length);
    add('partitionRows', l.partitionRows.length);
    add('operations', l.operations.length);
    add('opBars', l.opBins?.length ?? 0);
    add('layouts', l.layouts.length);
    add('planRecords', l.report?.planRecords?.length ?? 0);
    add('forecastRows', l.report?.forecastLog?.length ?? 0);
  }
  return out;
}

const total = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);

describe('memory of a long run', () => {
  it('keeps no more entries after 8 simulated days than after 2 (streamed), and none when only the summary is wanted', () => {
    const run = (days: number, opts: { spool?: string; summaryOnly?: boolean }) =>
      runLoaded(parseScenario(yaml(days), 'long-small.yaml', tmp), { workers: 1, summaryOnly: opts.summaryOnly, ...(opts.spool ? { spool: folderSpool(opts.spool) } : {}) });
    const short = run(2, { spool: path.join(tmp, 'd2') });
    const long = run(8, { spool: path.join(tmp, 'd8') });
    const a = retained(short.result);
    const b = retained(long.result);
    // the naive count (a row per window) grows 4×; what is kept does not
    expect(b.rows).toBeLessThanOrEqual(CHART_LIMITS.windows);
    expect(b.heatmap).toBeLessThanOrEqual(CHART_LIMITS.windows);
    expect(b.layouts).toBeLessThanOrEqual(CHART_LIMITS.layouts);
    expect(b.opBars).toBeLessThanOrEqual(CHART_LIMITS.opBars * 8);
    expect(b.forecastRows).toBeLessThanOrEqual(FORECAST_LIMITS.charts);
    expect(b.forecastRows).toBeGreaterThan(FORECAST_LIMITS.charts / 2);
    expect(b.partitionRows + b.operations + b.planRecords).toBe(0);
    const perHour = (x: Record<string, number>, days: number) => total(x) / (days * 24);
    expect(total(b), JSON.stringify({ a, b })).toBeLessThanOrEqual(1.3 * total(a));
    expect(perHour(b, 8)).toBeLessThan(perHour(a, 2) / 3);
    // the files streamed hold every window whatever is kept
    const lines = fs.readFileSync(path.join(tmp, 'd8', 'reactive', 'timeseries.csv'), 'utf8').trim().split('\n').length - 1;
    expect(lines).toBe(8 * 24 * 60);
    // a summary-only run keeps nothing and gets the same summary
    const bare = run(8, { summaryOnly: true });
    expect(total(retained(bare.result))).toBe(0);
    const strip = (s: typeof long.summary) => JSON.parse(JSON.stringify(s, (k, v) => (k === 'wallMs' ? undefined : v)));
    expect(strip(bare.summary)).toEqual(strip(long.summary));
  }, 600_000);
});

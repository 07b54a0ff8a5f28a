/**
 * A run that writes a report streams its per-window files into the report's temporary folder
 * (experiment/spool.ts): the files must be byte-identical to those written from memory at the
 * end (for any number of workers), and a run that fails must leave no folder behind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { runLoaded, runScenarioFile, writeReport } from '../../src/api.ts';
import { makeWorkload } from '../../src/experiment/run.ts';
import { RandomSource } from '../../src/engine/random.ts';
import type { Workload } from '../../src/workload/workload.ts';
import { chartData, readPolicyExtras } from '../../src/report/run-data.ts';
import { operationsChart } from '../../src/report/charts.ts';
import { LaneSpool, OP_BIN_MS, type SpoolSink } from '../../src/experiment/spool.ts';
import { WINDOW_COLUMNS } from '../../src/cluster/lane-metrics.ts';
import { OPERATION_COLUMNS, operationLine } from '../../src/model/row-format.ts';
import type { OpEvent } from '../../src/model/control-plane.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
// Failing, slow and stuck operations so plans retry, roll back and drain.
const SETS = [
  'duration=50m',
  'warmup=10m',
  'cluster.faults={opFailureRate: 0.25, slowOpRate: 0.2, stuckOpRate: 0.05}',
  'apm.retries=1',
  'policies.reactive={kind: reactive, every: 2m, iterations: 800}',
  'policies.predictive={kind: predictive, every: 5m, iterations: 800, models: [seasonal-naive]}',
];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-spool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir` but the ones holding wall-clock figures, relative path → content. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!['summary.json', 'summary.md', 'index.html'].includes(e.name)) out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('streamed report files', () => {
  it('are byte-identical to the files written from memory, for 1 and 3 workers', () => {
    const memDir = path.join(tmp, 'memory');
    const { result, summary } = runLoaded(loadScenario(TINY, { sets: SETS }), { workers: 1 });
    expect(result.lanes.some((l) => l.spooled)).toBe(false);
    writeReport(memDir, result, summary);
    const expected = files(memDir);
    expect([...expected.keys()].sort()).toContain(path.join('reactive', 'plans.jsonl'));
    expect(expected.get(path.join('reactive', 'plans.jsonl'))!.split('\n').length).toBeGreaterThan(5);
    expect(expected.has(path.join('static', 'plans.jsonl'))).toBe(false);
    for (const workers of [1, 3]) {
      const out = path.join(tmp, `spooled-${workers}`);
      const res = runScenarioFile(TINY, { sets: SETS, out, workers });
      expect(res.result.lanes.every((l) => l.spooled)).toBe(true);
      const got = files(out);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [f, text] of expected) expect(got.get(f), f).toBe(text);
      // the rolled-back plans the chart marks: kept in memory = read back (by line) from plans.jsonl
      const data = chartData(res.result);
      expect(data.policies.some((p) => (p.rollbacks?.length ?? 0) > 0)).toBe(true);
      // the operations chart: counts per bin kept while spooling = counted from every operation
      expect(res.result.lanes.every((l) => l.operations.length === 0 && l.opBins !== undefined)).toBe(true);
      expect(operationsChart(data)).toEqual(operationsChart(chartData(result)));
      for (const p of data.policies) expect(readPolicyExtras(out, p.name).rollbacks, p.name).toEqual(p.rollbacks);
      // nothing left beside the report
      expect(fs.readdirSync(tmp).filter((n) => n.includes('.tmp-'))).toEqual([]);
    }
  }, 180_000);

  it('a run that fails part-way leaves neither the report nor its temporary folder', () => {
    // The workload fails half-way through (as a trace with a bad row would), while files stream.
    const loaded = loadScenario(TINY, { sets: SETS });
    const inner = makeWorkload(loaded, new RandomSource(loaded.scenario.seed));
    const half = loaded.scenario.duration / 2;
    const workload: Workload = {
      buckets: inner.buckets,
      tickMs: inner.tickMs,
      recordBytes: inner.recordBytes,
      badRows: 0,
      expectedRates: (t, out) => inner.expectedRates(t, out),
      nextBatch: (t) => {
        if (t >= half) throw new Error('the workload failed');
        return inner.nextBatch(t);
      },
    };
    const out = path.join(tmp, 'failed');
    expect(() => runScenarioFile(TINY, { sets: SETS, out, workload })).toThrow('the workload failed');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('.failed'))).toEqual([]);
  }, 60_000);
});

describe('a lane spool on any sink', () => {
  /** A sink in memory: file → its lines; removed files; closed files. */
  function memorySink() {
    const files = new Map<string, string[]>();
    const closed: string[] = [];
    const removed: string[] = [];
    const sink: SpoolSink = {
      dir: '/in-memory',
      open(lane, name) {
        const lines: string[] = [];
        files.set(`${lane}/${name}`, lines);
        return { line: (t) => void lines.push(t), close: () => void closed.push(`${lane}/${name}`) };
      },
      remove(lane, name) {
        removed.push(`${lane}/${name}`);
        files.delete(`${lane}/${name}`);
      },
    };
    return { sink, files, closed, removed };
  }
  const move = (timeMs: number, status: 'done' | 'failed'): OpEvent => ({ opId: 1, action: { kind: 'move', partition: 'p1', node: 2 }, status, timeMs, fromNode: 0, bytes: 10, durationMs: 5 });

  it('opens the lane files with their headers, writes operations and plans, counts operations per bin and rolled-back plans', () => {
    const m = memorySink();
    const spool = new LaneSpool(m.sink, 'reactive');
    expect([...m.files.keys()]).toEqual(['reactive/timeseries.csv', 'reactive/nodes.csv', 'reactive/partitions.csv', 'reactive/operations.csv', 'reactive/plans.jsonl']);
    expect(m.files.get('reactive/timeseries.csv')).toEqual([WINDOW_COLUMNS.join(',')]);
    expect(m.files.get('reactive/plans.jsonl')).toEqual([]);
    spool.operation(move(1_000, 'done'));
    spool.operation(move(2_000, 'failed'));
    spool.operation(move(OP_BIN_MS + 1, 'done'));
    spool.plan({ id: 'a', outcome: 'completed', createdAtMs: 0, endedAtMs: 5 });
    spool.plan({ id: 'b', outcome: 'rolled-back', createdAtMs: 10, endedAtMs: 70 });
    spool.close(true);
    expect(m.files.get('reactive/operations.csv')).toEqual([OPERATION_COLUMNS.join(','), operationLine(move(1_000, 'done')), operationLine(move(2_000, 'failed')), operationLine(move(OP_BIN_MS + 1, 'done'))]);
    expect(m.files.get('reactive/plans.jsonl')!.map((l) => JSON.parse(l).id)).toEqual(['a', 'b']);
    expect(spool.opBins.rows).toEqual([
      { timeMs: 0, kind: 'move', status: 'done', n: 1 },
      { timeMs: 0, kind: 'move', status: 'failed', n: 1 },
      { timeMs: OP_BIN_MS, kind: 'move', status: 'done', n: 1 },
    ]);
    expect(spool.rollbacks).toEqual([70]);
    expect(m.closed).toHaveLength(5);
    expect(m.removed).toEqual([]);
  });

  it('removes plans.jsonl when the policy keeps no plan records', () => {
    const m = memorySink();
    new LaneSpool(m.sink, 'static').close(false);
    expect(m.removed).toEqual(['static/plans.jsonl']);
    expect(m.closed).toHaveLength(5);
  });
});

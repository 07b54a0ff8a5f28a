import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { exitCodeOf, runLoaded, writeReport } from '../../src/api.ts';
import { RandomSource } from '../../src/engine/random.ts';
import { SyntheticWorkload } from '../../src/workload/synthetic.ts';
import type { KeyBatch } from '../../src/model/batch.ts';
import type { Workload } from '../../src/workload/workload.ts';
import { operationsCsv } from '../../src/report/csv.ts';

const ROOT = path.join(__dirname, '../..');

describe('invariants', () => {
  it('under 10% operation failures and a node crash, every policy keeps the map whole and conserves records', () => {
    // Without retries every failed action gives its plan up, so rollbacks happen at 10% failures.
    const loaded = loadScenario(path.join(ROOT, 'scenarios/faults.yaml'), { sets: ['duration=3h', 'apm.retries=0'] });
    const { summary, result } = runLoaded(loaded);
    // The APM under failures: failed actions and rollbacks reach summary.json and operations.csv.
    expect(summary.policies.reactive.operations.failed).toBeGreaterThan(0);
    expect(summary.policies.reactive.plans.rolledBack).toBeGreaterThan(0);
    expect(summary.policies.reactive.operations.rolledBack).toBeGreaterThan(0);
    const ops = operationsCsv(result.lanes.find((l) => l.name === 'reactive')!.operations);
    expect(ops).toMatch(/,failed,/);
    expect(ops).toMatch(/reactive:reactive-\d+:undo,/);
    for (const [name, p] of Object.entries(summary.policies)) {
      expect(p.invariantViolations, name).toBe(0);
      expect(p.records, name).toBe(p.servedRecords + p.backlogRecords + p.droppedRecords);
    }
    expect(summary.policies.threshold.operations.failed).toBeGreaterThan(0);
    // The scenario's expectations hold but the two that need retries: without them no plan
    // completes at 10% failures (10 of 11 rolled back, one aborted), the meltdown retries cure.
    expect(summary.invariantViolations).toBe(0);
    expect(summary.expectations.filter((e) => !e.pass).map((e) => e.expr)).toEqual(['reactive.operations.retried > 0', 'reactive.plans.completed > reactive.plans.rolledBack']);
  });

  it('a violated invariant still writes the report, says so, and exits 3', () => {
    const loaded = loadScenario(path.join(ROOT, 'test/fixtures/tiny.yaml'), { sets: ['duration=20m', 'warmup=0'] });
    const sc = loaded.scenario;
    const real = new SyntheticWorkload(sc.workload, sc.keyspace, sc.tick, new RandomSource(sc.seed));
    // A broken workload that reports one record more than it delivers: conservation must catch it.
    const broken: Workload = {
      buckets: real.buckets,
      tickMs: real.tickMs,
      recordBytes: real.recordBytes,
      badRows: 0,
      expectedRates: (t, out) => real.expectedRates(t, out),
      nextBatch: (t): KeyBatch => {
        const b = real.nextBatch(t);
        return { ...b, total: b.total + 1 };
      },
    };
    const { result, summary } = runLoaded(loaded, { workload: broken });
    expect(summary.invariantViolations).toBeGreaterThan(0);
    expect(exitCodeOf(summary)).toBe(3);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-inv-'));
    writeReport(path.join(dir, 'r'), result, summary);
    expect(fs.readFileSync(path.join(dir, 'r/summary.md'), 'utf8')).toMatch(/Invariant violations[\s\S]*records not conserved/);
    expect(fs.readFileSync(path.join(dir, 'r/index.html'), 'utf8')).toMatch(/invariant violation\(s\): a keycast bug/);
  });
});

import { churnMetrics } from '../../src/experiment/churn.ts';

describe('churn metrics', () => {
  it('counts key-space ownership changes per day and reversals within 30 minutes', () => {
    const L = (timeMs: number, nodes: number[]) => ({ timeMs, boundaries: [0, 0.25, 0.5, 0.75, 1], nodes });
    const layouts = [L(0, [0, 1, 2, 3]), L(60_000, [1, 1, 2, 3]), L(120_000, [0, 1, 2, 3]), L(7_200_000, [0, 1, 2, 0])];
    // Three changes of a quarter each over one measured day; one of them reverses the first within 30 min.
    const m = churnMetrics(layouts, 8, 0, 86_400_000);
    expect(m.keyChurn).toBeCloseTo(0.75);
    expect(m.thrashing).toBeCloseTo(1 / 3);
    expect(churnMetrics(layouts, 8, 100_000, 86_400_000).keyChurn).toBeCloseTo(0.5); // warm-up excluded
  });
});

import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/load.ts';
import { exitCodeOf, runLoaded, writeReport } from '../../src/api.ts';
import { RandomSource } from '../../src/engine/random.ts';
import { SyntheticWorkload } from '../../src/workload/synthetic.ts';
import type { KeyBatch } from '../../src/model/batch.ts';
import type { Workload } from '../../src/workload/workload.ts';

const ROOT = path.join(__dirname, '../..');

describe('invariants', () => {
  it('under 10% operation failures and a node crash, every policy keeps the map whole and conserves records', () => {
    const loaded = loadScenario(path.join(ROOT, 'scenarios/faults.yaml'), { sets: ['duration=3h'] });
    const { summary } = runLoaded(loaded);
    for (const [name, p] of Object.entries(summary.policies)) {
      expect(p.invariantViolations, name).toBe(0);
      expect(p.records, name).toBe(p.servedRecords + p.backlogRecords + p.droppedRecords);
    }
    expect(summary.policies.threshold.operations.failed).toBeGreaterThan(0);
    expect(exitCodeOf(summary)).toBe(0);
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

/** The policy-independent lower bounds: hand-computed cases, and no static layout beats them. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LowerBoundTracker } from '../../src/experiment/bounds.ts';
import { config } from '../fixtures/cluster.ts';
import type { KeyBatch } from '../../src/model/batch.ts';
import { makePartitionMap } from '../../src/model/partition-map.ts';
import { SimCluster } from '../../src/cluster/sim-cluster.ts';
import { VirtualScheduler } from '../../src/engine/virtual-scheduler.ts';
import { BucketHistory } from '../../src/cluster/bucket-history.ts';
import { RandomSource } from '../../src/engine/random.ts';

const batch = (timeMs: number, counts: number[], durationMs = 1000): KeyBatch => {
  const c = Float64Array.from(counts);
  const total = counts.reduce((a, b) => a + b, 0);
  return { timeMs, durationMs, counts: c, total, bytes: total };
};

describe('LowerBoundTracker', () => {
  it('a backlog the pooled cluster cannot avoid: 20 records at 10/s', () => {
    // one node, 10 records/s, SLO = base latency (deadline: no wait at all)
    const t = new LowerBoundTracker(config({ nodes: 1, nodeCapacity: 10, baseLatency: 5 }), 2, 0, 5);
    t.step(batch(0, [10, 10])); // 20 arrive at 500 ms; 10 served (portion midpoint 500 ms: on time)
    t.step(batch(1000, [0, 0])); // the other 10 depart at 1500 ms: 1 s late each
    const b = t.result(2000)!;
    expect(b.recordSecondsOverSlo).toBeCloseTo(10, 9);
    expect(b.sloViolationRate).toBeCloseTo(0.5, 12); // 10 of 20 overdue at the end of tick 0
    expect(b.meanExcessLatencyMs).toBeCloseTo(500, 9);
    expect(b.binding.recordSeconds).toBe('pooled');
  });

  it('one bucket above a node: the per-bucket server binds though the cluster has room', () => {
    const t = new LowerBoundTracker(config({ nodes: 4, nodeCapacity: 10, baseLatency: 5 }), 2, 0, 5);
    t.step(batch(0, [20, 0]));
    t.step(batch(1000, [0, 0]));
    const b = t.result(2000)!;
    expect(b.recordSecondsOverSlo).toBeCloseTo(10, 9);
    expect(b.binding.recordSeconds).toBe('bucket');
    expect(b.binding.violations).toBe('bucket');
  });

  it('nothing unavoidable below capacity; records before warm-up do not count', () => {
    const t = new LowerBoundTracker(config({ nodes: 2, nodeCapacity: 10, baseLatency: 0 }), 4, 2000, 100);
    t.step(batch(0, [100, 0, 0, 0])); // before warm-up
    t.step(batch(1000, [100, 0, 0, 0]));
    for (let i = 2; i < 10; i++) t.step(batch(i * 1000, [3, 3, 3, 3]));
    expect(t.result(10_000)!.recordSecondsOverSlo).toBe(0);
    expect(t.result(10_000)!.sloViolationRate).toBe(0);
  });

  it('counts the overdue records of a backlog hours long, cohorts served in part and the queue compacted', () => {
    // 15 records a second into one bucket served at 10: the backlog grows by 5 a tick; at the end
    // of tick i the records past their deadline (2.5 s of wait allowed) are all but the last two
    // ticks' 30, so the count peaks at 5 × 10,000 − 30 at the last tick.
    const t = new LowerBoundTracker(config({ nodes: 1, nodeCapacity: 10, baseLatency: 0 }), 1, 0, 2500);
    for (let i = 0; i < 10_000; i++) t.step(batch(i * 1000, [15]));
    expect(t.result(10_000_000)!.sloViolationRate).toBe((5 * 10_000 - 30) / (15 * 10_000));
  });

  it("a batch's max lets quiet ticks skip the per-bucket pass: the same bounds as without it", () => {
    // Ticks of counts around the per-bucket capacity (10 a tick), some buckets above it, so
    // queues build, drain and build again; the tracker told each tick's max agrees to the digit
    // with the one that scans every bucket. A tracker that skipped a tick while a bucket still
    // had records queued, or on a max above the capacity, would come out lower.
    const ticks = fc.array(fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 25 })), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(ticks, fc.integer({ min: 0, max: 3000 }), (rows, slo) => {
        const scan = new LowerBoundTracker(config({ nodes: 2, nodeCapacity: 10, baseLatency: 0 }), 3, 0, slo);
        const told = new LowerBoundTracker(config({ nodes: 2, nodeCapacity: 10, baseLatency: 0 }), 3, 0, slo);
        rows.forEach((counts, i) => {
          scan.step(batch(i * 1000, counts));
          told.step({ ...batch(i * 1000, counts), max: Math.max(...counts) });
        });
        const end = rows.length * 1000 + 5000;
        expect(told.result(end)).toEqual(scan.result(end));
      }),
      { numRuns: 300 },
    );
  });

  it('is not reported when a queue limit drops records', () => {
    const t = new LowerBoundTracker(config({ queueLimit: 100 }), 2, 0, 100);
    t.step(batch(0, [1, 1]));
    expect(t.result(1000)).toBeNull();
  });

  it('crash downtime lowers the pooled capacity', () => {
    const up = new LowerBoundTracker(config({ nodes: 2, nodeCapacity: 10, baseLatency: 0 }), 2, 0, 1);
    const crashed = new LowerBoundTracker(config({ nodes: 2, nodeCapacity: 10, baseLatency: 0, faults: { opFailureRate: 0, crashes: [{ node: 0, at: 0, duration: 5000 }] } }), 2, 0, 1);
    for (let i = 0; i < 5; i++) {
      up.step(batch(i * 1000, [8, 8]));
      crashed.step(batch(i * 1000, [8, 8]));
    }
    expect(up.result(5000)!.recordSecondsOverSlo).toBe(0);
    expect(crashed.result(5000)!.recordSecondsOverSlo).toBeGreaterThan(0);
  });

  it('no static layout of the simulated cluster beats the bounds (random loads and layouts)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(60), { minLength: 8, maxLength: 8 }), { minLength: 3, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (ticks, rawCuts, nodes, slo) => {
          const cuts = [...new Set(rawCuts)].sort((a, b) => a - b);
          const boundaries = [0, ...cuts, 8];
          const cfg = config({ nodes: 3, nodeCapacity: 40, partitions: boundaries.length - 1, baseLatency: 2 });
          const sloMs = [2, 100, 600, 1500][slo];
          const cluster = new SimCluster({
            config: cfg,
            initialMap: makePartitionMap(8, boundaries, nodes.slice(0, boundaries.length - 1)),
            scheduler: new VirtualScheduler(),
            faults: new RandomSource(1).fork('faults'),
            history: new BucketHistory(8, 60_000, 3_600_000),
            recordBytes: 100,
            warmupMs: 0,
            sloMs,
          });
          const t = new LowerBoundTracker(cfg, 8, 0, sloMs);
          const n = ticks.length + 5;
          for (let i = 0; i < n; i++) {
            const b = batch(i * 1000, ticks[i] ?? new Array(8).fill(0));
            cluster.step(b);
            t.step(b);
          }
          cluster.finishRun(n * 1000);
          const m = cluster.metrics;
          const b = t.result(n * 1000)!;
          expect(m.sloExcessMs / 1000).toBeGreaterThanOrEqual(b.recordSecondsOverSlo * (1 - 1e-9) - 1e-9);
          expect(m.measuredRecords > 0 ? m.sloViolations / m.measuredRecords : 0).toBeGreaterThanOrEqual(b.sloViolationRate - 1e-12);
        },
      ),
      { seed: 17, numRuns: 150 },
    );
  });
});

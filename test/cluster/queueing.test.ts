import { describe, expect, it } from 'vitest';
import { config, harness } from '../fixtures/cluster.ts';
import { LatencyHistogram, latencyBin, binLatency } from '../../src/model/latency-histogram.ts';
import { CohortQueue } from '../../src/cluster/cohort-queue.ts';

describe('fluid queues against closed forms', () => {
  it('a constant overload λ > μ builds a backlog of (λ−μ)T with matching delays', () => {
    // One partition on one node: μ = 1000/s, λ = 1500/s for T = 100 s.
    const h = harness(config({ nodes: 1, partitions: 1, nodeCapacity: 1000 }), 4, 1000, 1, 0, 1e9);
    h.run(100, (c) => c.fill(375)); // 4 buckets × 375 = 1500/tick
    expect(h.cluster.backlog()).toBeCloseTo((1500 - 1000) * 100, 6);
    h.cluster.finishRun(h.now());
    const m = h.cluster.metrics;
    expect(m.records).toBe(150_000);
    expect(m.servedRecords).toBeCloseTo(100_000, 6);
    // A served record arriving at s waits (λ/μ − 1)·s = 0.5·s; the served ones arrived in the first
    // 2/3 of the run, so their waits are uniform on [0, 33.3 s]. A record still queued at the end
    // arrived at s > 66.7 s and has waited 100 − s so far: also uniform on [0, 33.3 s]. So every
    // record's delay is uniform on [0, 100/3 s], and its quantiles are q × 33.3 s (the histogram's
    // bins are 2 % wide; ticks of 1 s add at most a second).
    const top = 100_000 / 3;
    for (const q of [0.1, 0.5, 0.9]) {
      expect(m.latency.quantile(q), `p${q * 100}`).toBeGreaterThan(q * top * 0.97 - 1000);
      expect(m.latency.quantile(q), `p${q * 100}`).toBeLessThan(q * top * 1.03 + 1000);
    }
    expect(m.latency.maxMs).toBeGreaterThan(top - 1000);
    expect(m.latency.maxMs).toBeLessThan(top + 1000);
  });

  it('served records wait (λ/μ − 1)·s for arrival time s (FIFO fluid)', () => {
    const h = harness(config({ nodes: 1, partitions: 1, nodeCapacity: 1000 }), 4, 1000, 1, 0, 1e9);
    const waits: [number, number][] = [];
    const orig = h.cluster.metrics.served.bind(h.cluster.metrics);
    h.cluster.metrics.served = (arr, wait, n) => {
      waits.push([arr, wait]);
      orig(arr, wait, n);
    };
    h.run(60, (c) => c.fill(500)); // λ = 2000/s, μ = 1000/s
    for (const [arr, wait] of waits) {
      const s = arr / 1000; // arrival (s)
      expect(wait / 1000).toBeGreaterThan((2 - 1) * s - 1.01);
      expect(wait / 1000).toBeLessThan((2 - 1) * s + 1.01);
    }
  });

  it('a fixed-capacity queue drains at μ', () => {
    const h = harness(config({ nodes: 1, partitions: 1, nodeCapacity: 1000 }), 4, 1000, 1, 0, 1e9);
    h.run(10, (c) => c.fill(1250)); // +4000/s for 10 s → backlog 40,000
    expect(h.cluster.backlog()).toBeCloseTo(40_000, 6);
    h.run(20, () => {});
    expect(h.cluster.backlog()).toBeCloseTo(20_000, 6);
    h.run(20, () => {});
    expect(h.cluster.backlog()).toBeCloseTo(0, 6);
  });

  it('shares a node among its partitions in proportion to demand, capped per partition', () => {
    const h = harness(config({ nodes: 1, partitions: 2, nodeCapacity: 1000, partitionCapacity: 400 }), 2, 1000, 1, 0, 1e9);
    h.run(10, (c) => {
      c[0] = 300;
      c[1] = 900;
    });
    // Partition 0 serves all 300/s; partition 1 is capped at 400/s: backlog 500/s × 10 s.
    expect(h.cluster.backlog()).toBeCloseTo(5000, 6);
  });

  it('records below capacity wait nothing beyond the base latency', () => {
    const h = harness(config({ nodes: 1, partitions: 1, nodeCapacity: 1000, baseLatency: 2 }), 4, 1000);
    h.run(30, (c) => c.fill(100));
    h.cluster.finishRun(h.now());
    expect(h.cluster.metrics.latency.quantile(0.99)).toBeCloseTo(2, 1);
  });
});

describe('latency histogram', () => {
  it('reports quantiles within 1% relative error', () => {
    const hist = new LatencyHistogram();
    const xs: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const x = 0.5 * Math.pow(1.0013, i);
      xs.push(x);
      hist.add(x, 1);
    }
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const exact = xs[Math.ceil(q * xs.length) - 1];
      expect(Math.abs(hist.quantile(q) - exact) / exact).toBeLessThan(0.01);
    }
    for (const x of [0.01, 1, 37, 1e5]) expect(Math.abs(binLatency(latencyBin(x)) - x) / x).toBeLessThan(0.01);
  });
});

describe('cohort queue', () => {
  it('splits and merges keeping counts and arrival order', () => {
    const q = new CohortQueue();
    q.push(0, 10);
    q.push(1000, 20);
    const other = q.splitOff(0.25);
    expect(other.size).toBeCloseTo(7.5);
    expect(q.size).toBeCloseTo(22.5);
    const r = new CohortQueue();
    r.push(500, 4);
    q.absorb(r);
    const times: number[] = [];
    q.forEach((t) => times.push(t));
    expect(times).toEqual([0, 500, 1000]);
    expect(q.size).toBeCloseTo(26.5);
    expect(q.trimTo(20)).toBeCloseTo(6.5);
  });
});

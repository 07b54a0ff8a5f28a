import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CohortQueue } from '../../src/cluster/cohort-queue.ts';
import { FluidService, partitionArrivals, waterFill, type TickService } from '../../src/cluster/fluid-service.ts';
import type { KeyBatch } from '../../src/model/batch.ts';

function batch(counts: number[]): KeyBatch {
  const c = Float64Array.from(counts);
  return { timeMs: 0, durationMs: 1000, counts: c, total: counts.reduce((a, b) => a + b, 0) } as unknown as KeyBatch;
}

function queueOf(n: number): CohortQueue {
  const q = new CohortQueue();
  q.push(0, n);
  return q;
}

function tick(partitions: { queue: CohortQueue; pausedUntil: number }[], nodeOf: number[], over: Partial<TickService> = {}): number[] {
  const served = partitions.map(() => 0);
  const before = partitions.map((p) => p.queue.size);
  new FluidService().serve({
    timeMs: 0,
    durationMs: 1000,
    nodeOf,
    partitions,
    downUntil: () => -1,
    nodes: Math.max(...nodeOf) + 1,
    nodeCapacity: 100,
    partitionCapacity: Infinity,
    moveLoad: 0,
    moveBandwidth: 1,
    moveUse: [],
    onServed: () => undefined,
    ...over,
  });
  partitions.forEach((p, i) => (served[i] = before[i] - p.queue.size));
  return served;
}

describe('fluid service', () => {
  it('sums each partition’s buckets, with or without prefix sums', () => {
    const counts = [1, 2, 3, 4, 5, 6];
    const out = new Float64Array(3);
    partitionArrivals(batch(counts), [0, 2, 3, 6], out);
    expect([...out]).toEqual([3, 3, 15]);
    const prefix = Float64Array.from([0, 1, 3, 6, 10, 15, 21]);
    const viaPrefix = new Float64Array(3);
    partitionArrivals(batch(counts), [0, 2, 3, 6], viaPrefix, prefix);
    expect([...viaPrefix]).toEqual([...out]);
  });

  it('a node under its capacity serves every partition’s whole queue', () => {
    expect(tick([{ queue: queueOf(30), pausedUntil: 0 }, { queue: queueOf(50), pausedUntil: 0 }], [0, 0])).toEqual([30, 50]);
  });

  it('an overloaded node shares its capacity by queued demand', () => {
    const served = tick([{ queue: queueOf(100), pausedUntil: 0 }, { queue: queueOf(300), pausedUntil: 0 }], [0, 0]);
    expect(served[0]).toBeCloseTo(25, 9);
    expect(served[1]).toBeCloseTo(75, 9);
  });

  it('water-fills: what a capped partition leaves goes to the others', () => {
    // node capacity 100, partitions capped at 10: the first takes 10, the other two share 90 by demand
    const served = tick([{ queue: queueOf(100), pausedUntil: 0 }, { queue: queueOf(100), pausedUntil: 0 }, { queue: queueOf(200), pausedUntil: 0 }], [0, 0, 0], { partitionCapacity: 10 });
    expect(served).toEqual([10, 10, 10]);
    const limit = Float64Array.from([10, 1000, 1000]);
    waterFill([0, 0, 0], 0, 100, 3, limit, [{ queue: queueOf(100), pausedUntil: 0 }, { queue: queueOf(100), pausedUntil: 0 }, { queue: queueOf(200), pausedUntil: 0 }]);
    expect(limit[0]).toBe(10);
    expect(limit[1]).toBeCloseTo(30, 9);
    expect(limit[2]).toBeCloseTo(60, 9);
  });

  it('a paused partition serves only the unpaused share of the tick (its cap pro rata), a down node nothing', () => {
    expect(tick([{ queue: queueOf(1000), pausedUntil: 500 }], [0], { partitionCapacity: 60 })[0]).toBeCloseTo(30, 9);
    expect(tick([{ queue: queueOf(1000), pausedUntil: 0 }], [0], { partitionCapacity: 60 })[0]).toBeCloseTo(60, 9);
    expect(tick([{ queue: queueOf(1000), pausedUntil: 0 }], [0], { downUntil: () => 2000 })).toEqual([0]);
  });

  it('a node moving state at full bandwidth loses `moveLoad` of its capacity', () => {
    expect(tick([{ queue: queueOf(1000), pausedUntil: 0 }], [0], { moveLoad: 0.5, moveBandwidth: 10, moveUse: [10] })[0]).toBeCloseTo(50, 9);
    expect(tick([{ queue: queueOf(1000), pausedUntil: 0 }], [0], { moveLoad: 0.5, moveBandwidth: 10, moveUse: [5] })[0]).toBeCloseTo(75, 9);
  });

  it('arrivals handed to the tick are served as if queued first, those with nothing ahead of them in place', () => {
    const part = fc.record({ queued: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })), arrivals: fc.integer({ min: 0, max: 200 }), pausedUntil: fc.constantFrom(0, 0, 0, 400, 2000), node: fc.integer({ min: 0, max: 2 }) });
    const setup = fc.record({ parts: fc.array(part, { minLength: 1, maxLength: 12 }), nodeCapacity: fc.integer({ min: 50, max: 800 }), partitionCapacity: fc.constantFrom(Infinity, 60, 150), down: fc.constantFrom(-1, 300, 5000) });
    fc.assert(
      fc.property(setup, ({ parts, nodeCapacity, partitionCapacity, down }) => {
        const run = (handed: boolean) => {
          const partitions = parts.map((x) => ({ queue: x.queued > 0 ? queueOf(x.queued) : new CohortQueue(), pausedUntil: x.pausedUntil }));
          const arrivals = Float64Array.from(parts, (x) => x.arrivals);
          if (!handed) partitions.forEach((p, i) => p.queue.push(500, arrivals[i]));
          const served = new Map<string, number>();
          new FluidService().serve({
            timeMs: 0,
            durationMs: 1000,
            nodeOf: parts.map((x) => x.node),
            partitions,
            downUntil: (n) => (n === 1 ? down : -1),
            nodes: 3,
            nodeCapacity,
            partitionCapacity,
            moveLoad: 0,
            moveBandwidth: 1,
            moveUse: [],
            onServed: (at, wait, count) => served.set(`${at}/${wait.toFixed(6)}`, (served.get(`${at}/${wait.toFixed(6)}`) ?? 0) + count),
            ...(handed ? { arrivals, arrivalMs: 500 } : {}),
          });
          return { left: partitions.map((p) => p.queue.size), served };
        };
        const queued = run(false);
        const handed = run(true);
        handed.left.forEach((x, i) => expect(x).toBeCloseTo(queued.left[i], 6));
        expect([...handed.served.keys()].sort()).toEqual([...queued.served.keys()].sort());
        for (const [key, count] of queued.served) expect(handed.served.get(key)).toBeCloseTo(count, 6);
      }),
      { numRuns: 300, seed: 37 },
    );
  });
});


import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { config, harness } from '../fixtures/cluster.ts';
import { mapProblems } from '../../src/model/partition-map.ts';
import type { OpEvent } from '../../src/model/control-plane.ts';
import type { PlanAction } from '../../src/model/plan.ts';

describe('control plane operations', () => {
  it('split pauses the partition, then changes the map', () => {
    const h = harness(config({ nodes: 2, partitions: 2 }), 16);
    const ev: OpEvent[] = [];
    h.cluster.events$.subscribe((e) => ev.push(e));
    h.run(2, (c) => c.fill(10));
    const r = h.cluster.submit({ kind: 'split', partition: 'p0', at: 4, newId: 'p2' });
    expect(r.accepted).toBe(true);
    expect(h.cluster.currentMap().boundaries).toEqual([0, 8, 16]);
    h.run(1, (c) => c.fill(10));
    expect(h.cluster.currentMap().boundaries).toEqual([0, 4, 8, 16]);
    expect(h.cluster.currentMap().ids).toEqual(['p0', 'p2', 'p1']);
    expect(ev.map((e) => [e.status, e.timeMs])).toEqual([
      ['started', 2000],
      ['done', 2050],
    ]);
    expect(h.cluster.metrics.disruptionMs).toBe(50);
  });

  it('a move takes state bytes / bandwidth, then the cut-over pause', () => {
    // 10 records/s per bucket × 8 buckets × 100 B, 60 s of history → 480,000 B of state.
    const h = harness(config({ nodes: 2, partitions: 2, moveBandwidth: 48_000 }), 16);
    const ev: OpEvent[] = [];
    h.cluster.events$.subscribe((e) => ev.push(e));
    h.run(60, (c) => c.fill(10));
    expect(h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
    h.run(20, (c) => c.fill(10));
    const done = ev.find((e) => e.status === 'done')!;
    expect(done.bytes).toBe(480_000);
    expect(done.durationMs).toBe(10_000 + 200);
    expect(h.cluster.currentMap().nodes).toEqual([1, 1]);
    expect(h.cluster.metrics.movedBytes).toBe(480_000);
  });

  it('movePerBucket lengthens the transfer by its value per bucket moved, without pausing the partition', () => {
    const h = harness({ ...config({ nodes: 2, partitions: 2, moveBandwidth: 48_000 }), movePerBucket: 300 }, 16);
    const ev: OpEvent[] = [];
    h.cluster.events$.subscribe((e) => ev.push(e));
    h.run(60, (c) => c.fill(10));
    expect(h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
    h.run(20, (c) => c.fill(10));
    // 8 buckets × 300 ms before the 10 s transfer, then the 200 ms cut-over pause, the only pause.
    expect(ev.find((e) => e.status === 'done')!.durationMs).toBe(8 * 300 + 10_000 + 200);
    expect(h.cluster.metrics.disruptionMs).toBe(200);
  });

  it('movePerBucket alone (no state to send) still takes its time', () => {
    const h = harness({ ...config({ nodes: 2, partitions: 2, moveBandwidth: 48_000 }), movePerBucket: 250 }, 16);
    const ev: OpEvent[] = [];
    h.cluster.events$.subscribe((e) => ev.push(e));
    expect(h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
    h.run(5, (c) => c.fill(0));
    expect(ev.find((e) => e.status === 'done')!.durationMs).toBe(8 * 250 + 200);
  });

  it('moveDataSetup lengthens a move that carries state, without pausing the partition, and not one without', () => {
    const withState = harness({ ...config({ nodes: 2, partitions: 2, moveBandwidth: 48_000 }), movePerBucket: 300, moveDataSetup: 700 }, 16);
    const ev: OpEvent[] = [];
    withState.cluster.events$.subscribe((e) => ev.push(e));
    withState.run(60, (c) => c.fill(10));
    expect(withState.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
    withState.run(20, (c) => c.fill(10));
    expect(ev.find((e) => e.status === 'done')!.durationMs).toBe(8 * 300 + 700 + 10_000 + 200);
    expect(withState.cluster.metrics.disruptionMs).toBe(200);

    const empty = harness({ ...config({ nodes: 2, partitions: 2, moveBandwidth: 48_000 }), movePerBucket: 250, moveDataSetup: 700 }, 16);
    const ev2: OpEvent[] = [];
    empty.cluster.events$.subscribe((e) => ev2.push(e));
    expect(empty.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
    empty.run(5, (c) => c.fill(0));
    expect(ev2.find((e) => e.status === 'done')!.durationMs).toBe(8 * 250 + 200);
  });

  it('rejects illegal requests with a reason and changes nothing', () => {
    const h = harness(config({ nodes: 2, partitions: 4, maxConcurrentOps: 1 }), 16);
    const before = h.cluster.currentMap();
    const bad: PlanAction[] = [
      { kind: 'split', partition: 'p9', at: 2, newId: 'p5' },
      { kind: 'split', partition: 'p0', at: 0, newId: 'p5' },
      { kind: 'merge', partition: 'p0', with: 'p1' }, // different nodes (round-robin)
      { kind: 'merge', partition: 'p0', with: 'p2' }, // not adjacent
      { kind: 'move', partition: 'p0', node: 0 }, // already there
      { kind: 'move', partition: 'p0', node: 7 }, // no such node
      { kind: 'split', partition: 'p0', at: 2, newId: 'p1' }, // id taken
    ];
    for (const a of bad) {
      const r = h.cluster.submit(a);
      expect(r.accepted, JSON.stringify(a)).toBe(false);
      if (!r.accepted) expect(r.reason.length).toBeGreaterThan(3);
    }
    expect(h.cluster.currentMap()).toBe(before);
    expect(h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(true);
    const r = h.cluster.submit({ kind: 'move', partition: 'p2', node: 1 });
    expect(r).toEqual({ accepted: false, code: 'busy', reason: 'maxConcurrentOps (1) reached' });
  });

  it('a failed move leaves the range on its source and counts the bytes sent', () => {
    const h = harness(config({ nodes: 2, partitions: 2, moveBandwidth: 48_000, faults: { opFailureRate: 1, crashes: [] } }), 16);
    const ev: OpEvent[] = [];
    h.cluster.events$.subscribe((e) => ev.push(e));
    h.run(60, (c) => c.fill(10));
    h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 });
    h.run(20, (c) => c.fill(10));
    const failed = ev.find((e) => e.status === 'failed')!;
    expect(failed).toBeDefined();
    expect(h.cluster.currentMap().nodes).toEqual([0, 1]);
    expect(h.cluster.metrics.operations.failed).toBe(1);
    expect(h.cluster.metrics.movedBytes).toBeCloseTo(failed.bytes!, 6);
    expect(failed.bytes!).toBeLessThan(480_000);
  });

  it('a crashed node stops serving, keeps its queues and fails moves touching it', () => {
    const h = harness(config({ nodes: 2, partitions: 2, nodeCapacity: 1000, faults: { opFailureRate: 0, crashes: [{ node: 0, at: 5000, duration: 10_000 }] } }), 16, 1000, 1, 0, 1e9);
    h.run(5, (c) => c.fill(10));
    expect(h.cluster.backlog()).toBeCloseTo(0, 6);
    h.run(5, (c) => c.fill(10));
    expect(h.cluster.submit({ kind: 'move', partition: 'p0', node: 1 }).accepted).toBe(false);
    h.run(5, (c) => c.fill(10));
    expect(h.cluster.backlog()).toBeCloseTo(80 * 10, 6); // node 0's 8 buckets × 10/tick × 10 s
    h.run(5, (c) => c.fill(10));
    expect(h.cluster.backlog()).toBeCloseTo(0, 6);
  });

  it('adds and removes nodes; a removed node is drained by moves', () => {
    const h = harness(config({ nodes: 2, partitions: 4, events: [{ addNode: { at: 2000 } }, { removeNode: { at: 5000, node: 0 } }] }), 16);
    h.run(120, (c) => c.fill(1));
    const map = h.cluster.currentMap();
    expect(map.nodes.includes(0)).toBe(false);
    expect(new Set(map.nodes)).toEqual(new Set([1, 2]));
    expect(mapProblems(map)).toEqual([]);
  });
});

describe('properties', () => {
  const action = fc.oneof(
    fc.record({ kind: fc.constant('split' as const), p: fc.nat(), at: fc.nat() }),
    fc.record({ kind: fc.constant('merge' as const), p: fc.nat() }),
    fc.record({ kind: fc.constant('move' as const), p: fc.nat(), node: fc.nat(3) }),
    fc.record({ kind: fc.constant('create' as const), p: fc.nat(), at: fc.nat(), node: fc.nat(3) }),
  );
  it('any sequence of operations, failures and crashes keeps the map whole and conserves records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(40), action), { maxLength: 25 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.array(fc.record({ node: fc.nat(2), at: fc.nat(40_000), duration: fc.integer({ min: 1000, max: 20_000 }) }), { maxLength: 2 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.integer({ min: 50, max: 500 }), { nil: undefined }),
        (steps, failRate, crashes, seed, queueLimit) => {
          const h = harness(
            config({ nodes: 3, partitions: 4, nodeCapacity: 300, moveBandwidth: 20_000, queueLimit, faults: { opFailureRate: failRate, crashes } }),
            32,
            1000,
            seed,
          );
          const byTick = new Map<number, (typeof steps)[number][1][]>();
          for (const [tick, a] of steps) byTick.set(tick, [...(byTick.get(tick) ?? []), a]);
          let fresh = 100;
          h.run(
            50,
            (c, t) => {
              for (let i = 0; i < c.length; i++) c[i] = ((i * 7 + t / 1000) % 5) + (i < 6 ? 20 : 0);
            },
            (t) => {
              for (const a of byTick.get(t / 1000) ?? []) {
                const map = h.cluster.currentMap();
                const k = map.ids.length;
                const i = a.p % k;
                const id = map.ids[i];
                const lo = map.boundaries[i];
                const hi = map.boundaries[i + 1];
                const at = lo + 1 + (('at' in a ? a.at : 0) % Math.max(1, hi - lo - 1));
                let act: PlanAction;
                if (a.kind === 'split') act = { kind: 'split', partition: id, at, newId: `p${fresh++}` };
                else if (a.kind === 'create') act = { kind: 'create', partition: id, at, node: a.node, newId: `p${fresh++}` };
                else if (a.kind === 'merge') act = { kind: 'merge', partition: id, with: map.ids[(i + 1) % k] };
                else act = { kind: 'move', partition: id, node: a.node };
                h.cluster.submit(act);
                expect(mapProblems(h.cluster.currentMap(), h.cluster.nodeCount)).toEqual([]);
              }
            },
          );
          h.run(60, () => {});
          h.cluster.finishRun(h.now());
          const m = h.cluster.metrics;
          expect(m.invariantViolations).toBe(0);
          expect(mapProblems(h.cluster.currentMap(), h.cluster.nodeCount)).toEqual([]);
          expect(Math.abs(m.records - m.servedRecords - h.cluster.backlog() - m.droppedRecords)).toBeLessThan(1e-6 * Math.max(1, m.records));
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
  });
});

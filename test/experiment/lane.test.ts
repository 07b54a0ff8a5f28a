/**
 * One lane (lane.ts): its cluster on the run's scheduler, its policy started with what it may know,
 * its operations kept or spooled, and what it gives back at the end.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { VirtualScheduler } from '../../src/engine/virtual-scheduler.ts';
import { BucketHistory } from '../../src/cluster/bucket-history.ts';
import { createLane, finishLane, startLanePolicy, type LaneShared } from '../../src/experiment/lane.ts';
import { clusterFacts, makeWorkload } from '../../src/experiment/make-workload.ts';
import { WINDOW_MS } from '../../src/experiment/run-types.ts';
import type { SpoolSink } from '../../src/experiment/spool.ts';
import type { PolicyContext } from '../../src/policies/policy.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';

const TINY = path.resolve(import.meta.dirname, '../fixtures/tiny.yaml');

function shared(spool?: SpoolSink): LaneShared {
  const loaded = loadScenario(TINY, { sets: ['duration=10m', 'warmup=2m'] });
  const sc = loaded.scenario;
  const random = new RandomSource(sc.seed);
  return { sc, buckets: sc.keyspace.buckets, scheduler: new VirtualScheduler(), random, history: new BucketHistory(sc.keyspace.buckets, WINDOW_MS, 3_600_000), facts: clusterFacts(sc), workload: makeWorkload(loaded, random), spool };
}

describe('a lane', () => {
  it('starts its policy with the run’s facts, its own name, the run’s end and a context that reads the shared history', () => {
    const s = shared();
    const lane = createLane('mine', { kind: 'static' }, s);
    let ctx: PolicyContext | undefined;
    (lane.policy as { start(c: PolicyContext): void }).start = (c) => void (ctx = c);
    startLanePolicy(lane, s, 600_000);
    expect([ctx!.name, ctx!.endMs, ctx!.warmupMs, ctx!.buckets]).toEqual(['mine', 600_000, 120_000, s.buckets]);
    expect(ctx!.cluster).toEqual(s.facts);
    expect(ctx!.control).toBe(lane.cluster);
    expect(ctx!.planSink).toBeUndefined();
    // state bytes: the history's counts × recordBytes
    s.history.add({ timeMs: 0, durationMs: 1000, counts: new Float64Array(s.buckets).fill(2), total: 2 * s.buckets } as never);
    const bytes = ctx!.stateBytes(new Float64Array(s.buckets));
    expect(bytes[0]).toBe(2 * s.sc.workload.recordBytes);
  });

  it('keeps finished operations (not started ones), without their maps; spooled, writes them to its files instead', () => {
    const s = shared();
    const lane = createLane('a', { kind: 'static' }, s);
    const map = lane.cluster.currentMap();
    expect(lane.cluster.submit({ kind: 'move', partition: map.ids[0], node: 1 }, 't').accepted).toBe(true);
    s.scheduler.run(3_600_000);
    expect(lane.ops.map((e) => e.status)).toEqual(['done']);
    expect(lane.ops[0].map).toBeUndefined();
    expect(lane.opCount).toBe(1);

    const lines = new Map<string, string[]>();
    const sink: SpoolSink = { dir: '/mem', open: (l, n) => { const a: string[] = []; lines.set(`${l}/${n}`, a); return { line: (t) => void a.push(t), close() {} }; }, remove: (l, n) => void lines.delete(`${l}/${n}`) };
    const s2 = shared(sink);
    const spooled = createLane('b', { kind: 'static' }, s2);
    spooled.cluster.submit({ kind: 'move', partition: map.ids[0], node: 1 }, 't');
    s2.scheduler.run(3_600_000);
    expect(spooled.ops).toEqual([]);
    expect(lines.get('b/operations.csv')).toHaveLength(2); // header and the move
    const r = finishLane(spooled, 600_000, 120_000);
    expect(r.spooled).toBe(true);
    expect(r.opBins?.map((b) => b.n)).toEqual([1]);
    expect(lines.has('b/plans.jsonl')).toBe(false); // a static policy keeps no plan records
  });

  it('gives back its summary, series and final map at the end', () => {
    const s = shared();
    const lane = createLane('c', { kind: 'static' }, s);
    startLanePolicy(lane, s, 600_000);
    const r = finishLane(lane, 600_000, 120_000);
    expect([r.name, r.kind, r.spooled]).toEqual(['c', 'static', undefined]);
    expect(r.finalMap).toBe(lane.cluster.currentMap());
    expect(r.summary.kind).toBe('static');
    expect(r.latencyQuantile(0.5)).toBe(r.latency.quantile(0.5));
  });

  it('starts from cluster.partitions round-robin, a static policy with partitions from its own', () => {
    const s = shared();
    const plain = createLane('a', { kind: 'static' }, s).cluster.currentMap();
    const striped = createLane('b', { kind: 'static', partitions: 12 }, s).cluster.currentMap();
    expect(plain.boundaries.length - 1).toBe(s.sc.cluster.partitions);
    expect(striped.boundaries.length - 1).toBe(12);
    expect(striped.nodes).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect([striped.boundaries[0], striped.boundaries[12]]).toEqual([0, s.buckets]);
  });
});

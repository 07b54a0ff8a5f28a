/**
 * The single-thread run's parts (run-lanes.ts): the tick stream on the virtual scheduler, the
 * window closer, and a whole run's lanes against their own pieces (lane.ts: set-up, policy start,
 * end).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../src/engine/virtual-scheduler.ts';
import type { KeyBatch } from '../../src/model/batch.ts';
import { equalPartitionMap, type PartitionMap } from '../../src/model/partition-map.ts';
import type { Workload } from '../../src/workload/workload.ts';
import { runLanes, tickBatches, WindowCloser, type WindowLane } from '../../src/experiment/run-lanes.ts';
import { HEATMAP_GROUPS, WINDOW_MS, type LaneLayout } from '../../src/experiment/run-types.ts';
import { fromWire, toWire } from '../../src/experiment/lane-wire.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';

const TINY = path.resolve(import.meta.dirname, '../fixtures/tiny.yaml');

/** A workload whose batch at t counts t/1000 records in bucket 0 (of 4). */
function countingWorkload(asked: number[]): Workload {
  return {
    nextBatch(timeMs: number): KeyBatch {
      asked.push(timeMs);
      const counts = new Float64Array(4);
      counts[0] = timeMs / 1000;
      return { timeMs, durationMs: 1000, counts, total: counts[0] } as KeyBatch;
    },
    expectedRates: (_t: number, out: Float64Array) => out,
    badRows: 0,
  } as unknown as Workload;
}

describe('the tick stream', () => {
  it('emits one batch per tick before the end, at its tick time, then completes', () => {
    const s = new VirtualScheduler();
    const asked: number[] = [];
    const seen: [number, number][] = [];
    let completed = -1;
    tickBatches(s, countingWorkload(asked), 1_000, 4_500).subscribe({ next: (b) => seen.push([s.now(), b.timeMs]), complete: () => (completed = s.now()) });
    s.run(10_000);
    expect(seen).toEqual([[0, 0], [1_000, 1_000], [2_000, 2_000], [3_000, 3_000], [4_000, 4_000]]);
    expect(asked).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
    expect(completed).toBe(4_000);
  });

  it('takes the batches from a feed when given, releasing each after it was handed on', () => {
    const s = new VirtualScheduler();
    const asked: number[] = [];
    const log: string[] = [];
    const w = countingWorkload([]);
    const feed = { batch: (i: number, t: number) => (log.push(`batch ${i}@${t}`), w.nextBatch(t)), done: (i: number) => void log.push(`done ${i}`) };
    tickBatches(s, countingWorkload(asked), 1_000, 2_000, feed).subscribe((b) => log.push(`seen ${b.timeMs}`));
    s.run(10_000);
    expect(log).toEqual(['batch 0@0', 'seen 0', 'done 0', 'batch 1@1000', 'seen 1000', 'done 1']);
    expect(asked).toEqual([]); // the workload itself is not asked
  });
});

describe('the window closer', () => {
  /** A lane whose map changes version when told; records what it was asked. */
  function lane(versions: number[]): WindowLane & { closed: [number, number, boolean, number][]; layouts: LaneLayout[]; churned: number } {
    let k = 0;
    const map = (v: number): PartitionMap => ({ ...equalPartitionMap(8, 2, 2), version: v });
    const l = {
      closed: [] as [number, number, boolean, number][],
      layouts: [] as LaneLayout[],
      churned: 0,
      lastVersion: -1,
      cluster: {
        closeWindow: (start: number, span: number, _c: Float64Array, rec: boolean, index: number) => void l.closed.push([start, span, rec, index]),
        currentMap: () => map(versions[Math.min(k++, versions.length - 1)]),
      },
      churn: { add: () => void l.churned++ },
      layoutSeries: { push: (_i: number, layout: LaneLayout) => void l.layouts.push(layout) },
    };
    return l;
  }

  it('closes a window when a batch passes its end and the last one at the end, shorter when the run ends inside it', () => {
    const counts = new Float64Array(8).fill(6);
    const a = lane([0, 0, 1]);
    const w = new WindowCloser([a], { slot: () => counts }, 8, 2);
    w.reach(0);
    w.reach(WINDOW_MS - 1);
    expect(a.closed).toEqual([]);
    w.reach(WINDOW_MS);
    w.reach(2 * WINDOW_MS + 5);
    w.finish(2 * WINDOW_MS + 30_000);
    expect(a.closed).toEqual([
      [0, WINDOW_MS, true, 0],
      [WINDOW_MS, WINDOW_MS, false, 1],
      [2 * WINDOW_MS, 30_000, true, 2],
    ]);
    // layouts kept where the map version changed: the first window and the third
    expect(a.layouts.map((l) => l.timeMs)).toEqual([0, 2 * WINDOW_MS]);
    expect(a.layouts[0]).toEqual({ timeMs: 0, boundaries: [0, 0.5, 1], nodes: [0, 1] });
    expect(a.churned).toBe(2);
  });

  it('keeps the window load per key-space group in records/s', () => {
    const counts = Float64Array.from({ length: 128 }, (_, i) => i);
    const w = new WindowCloser([], { slot: () => counts }, 128, 1);
    w.finish(30_000);
    expect(w.heatmap).toHaveLength(1);
    const rates = w.heatmap[0].rates;
    expect(rates).toHaveLength(HEATMAP_GROUPS);
    expect(rates[0]).toBeCloseTo((0 + 1) / 30, 3); // buckets 0 and 1, over 30 s
    expect(rates[63]).toBeCloseTo((126 + 127) / 30, 3);
  });
});

describe('a run in this thread', () => {
  it('gives each policy its lane, in order, over the whole run, and its lanes cross threads intact', () => {
    const loaded = loadScenario(TINY, { sets: ['duration=20m', 'warmup=5m'] });
    const r = runLanes(loaded);
    expect(r.lanes.map((l) => l.name)).toEqual(['static', 'threshold']);
    expect([r.simulatedMs, r.measuredMs]).toEqual([20 * 60_000, 15 * 60_000]);
    expect(r.heatmap).toHaveLength(20);
    for (const l of r.lanes) {
      expect(l.rows).toHaveLength(20);
      expect(l.summary.records).toBeGreaterThan(0);
      const back = fromWire(structuredClone(toWire(l)));
      expect(back.latencyQuantile(0.99)).toBe(l.latencyQuantile(0.99));
      expect(back.summary).toEqual(l.summary);
    }
    // the static lane never changes its layout: one layout, the first window's
    expect(r.lanes[0].layouts).toHaveLength(1);
  }, 60_000);
});

/**
 * Calibration: the fit of the simulator's move model (fixed cost + bytes / bandwidth) to
 * measured durations, and a short calibration against a real 2-master cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate, fitLine } from '../../src/experiment/calibrate.ts';
import { skipReason, startTestCluster, type TestCluster } from '../cluster/redis/cluster-fixture.ts';

describe('fitLine', () => {
  it('recovers an exact line and weighs relative errors', () => {
    const xs = [10, 100, 1000, 10_000];
    expect(fitLine(xs, xs.map((x) => 30 + 0.5 * x))).toEqual({ a: expect.closeTo(30, 6), b: expect.closeTo(0.5, 9) });
    // One noisy large sample must not swamp the small ones (relative weighting).
    const f = fitLine([1, 2, 1000], [10, 11, 2000]);
    expect(Math.abs((f.a + f.b * 1 - 10) / 10)).toBeLessThan(0.1);
  });
  it('never gives a negative fixed cost or bandwidth term', () => {
    const f = fitLine([1, 2, 3], [30, 20, 10]);
    expect(f.a).toBeGreaterThanOrEqual(0);
    expect(f.b).toBe(0);
  });
});

describe.skipIf(!!skipReason)(`calibrate against a real cluster${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster(7550, 2);
  }, 60_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('measures moves of growing ranges and prints the scenario fields that reproduce them', async () => {
    const r = await calibrate({ seeds: cluster!.seeds, sizes: [1, 50], repeats: 1, keysPerSlot: 5, valueBytes: 100, writeRate: 200 });
    expect(r.samples).toHaveLength(4);
    expect(r.samples.map((s) => s.slots)).toEqual([1, 1, 50, 50]);
    for (const s of r.samples) expect(s.keys).toBeGreaterThanOrEqual(5 * s.slots);
    expect(r.sizes[1].bytes).toBeGreaterThan(r.sizes[0].bytes * 20);
    expect(r.calibration.moveBytesPerSec).toBeGreaterThan(0);
    expect(r.scenarioFields).toMatch(/^cluster: \{ moveBandwidth: [\d.]+(MB|KB|B)\/s, pauses: \{ move: \d+ms \} \}$/);
    expect(r.latency.idle.writes + r.latency.duringMoves.writes).toBeGreaterThan(0);
  }, 180_000);
});

/**
 * Calibration against a real 2-master cluster: filled and empty ranges are both measured, and
 * the fit (move-model.ts, tested there) reproduces each size's median.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate, fitSamples, scenarioFields } from '../../src/experiment/calibrate.ts';
import { skipReason, startTestCluster, type TestCluster } from '../cluster/redis/cluster-fixture.ts';

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
    expect(r.samples).toHaveLength(8);
    expect(r.samples.map((s) => [s.slots, s.filled])).toEqual([[1, true], [1, true], [1, false], [1, false], [50, true], [50, true], [50, false], [50, false]]);
    for (const s of r.samples.filter((x) => x.filled)) expect(s.keys).toBeGreaterThanOrEqual(5 * s.slots);
    const filled = r.sizes.filter((s) => s.filled);
    expect(filled.map((s) => s.slots)).toEqual([1, 50]);
    expect(filled[1].bytes).toBeGreaterThan(filled[0].bytes * 20);
    // Empty ranges hold (almost) nothing: the background writes land a few keys at most.
    for (const s of r.sizes.filter((x) => !x.filled)) expect(s.bytes).toBeLessThan(filled[1].bytes / 5);
    expect(r.calibration.moveBytesPerSec).toBeGreaterThan(0);
    expect(r.calibration.perSlotMs).toBeGreaterThanOrEqual(0);
    expect(r.scenarioFields).toMatch(/^cluster: \{ moveBandwidth: [\d.]+(MB|KB|GB|B)\/s, movePerBucket: [\d.]+ms, moveDataSetup: [\d.]+ms, pauses: \{ move: \d+ms \} \}$/);
    expect(r.latency.idle.writes + r.latency.duringMoves.writes).toBeGreaterThan(0);
  }, 180_000);
});

describe('fitSamples', () => {
  it('fits filled and empty moves with one model and reports each size against its median', () => {
    // 2 ms fixed, 0.5 ms per slot, 30 ms more with data, 1 MB/s: filled slots hold 1000 B each.
    const ms = (slots: number, bytes: number) => 2 + 0.5 * slots + (bytes > 0 ? 30 : 0) + bytes / 1000;
    const samples = [1, 10, 100].flatMap((n) =>
      [true, false].flatMap((filled) => (['out', 'back'] as const).map((direction) => ({ slots: n, filled, direction, keys: 0, bytes: filled ? n * 1000 : 0, wallMs: ms(n, filled ? n * 1000 : 0), cutoverWallMs: 1 }))),
    );
    const { calibration, fits } = fitSamples(samples, [1, 10, 100]);
    expect(calibration.moveFixedMs).toBeCloseTo(2, 3);
    expect(calibration.perSlotMs).toBeCloseTo(0.5, 5);
    expect(calibration.dataFixedMs).toBeCloseTo(30, 3);
    expect(calibration.moveBytesPerSec).toBeCloseTo(1_000_000, -2);
    expect(fits).toHaveLength(6);
    for (const f of fits) expect(Math.abs(f.relativeError)).toBeLessThan(1e-3);
    expect(scenarioFields(calibration, 256)).toBe('cluster: { moveBandwidth: 977KB/s, movePerBucket: 32ms, moveDataSetup: 30ms, pauses: { move: 2ms } }');
  });
  it('fits the medians of each size, so one slow move among three does not pull the terms', () => {
    const ms = (slots: number, bytes: number) => 5 + 0.3 * slots + (bytes > 0 ? 40 : 0) + bytes / 2000;
    const samples = [1, 10, 100, 1000].flatMap((n) =>
      [true, false].flatMap((filled) =>
        [0, 1, 2].map((k) => {
          const bytes = filled ? n * 20_000 : 0;
          // The first 1-slot move of each kind ran 5× slower (a busy moment of a shared machine).
          return { slots: n, filled, direction: 'out' as const, keys: 0, bytes, wallMs: ms(n, bytes) * (n === 1 && k === 0 ? 5 : 1), cutoverWallMs: 1 };
        }),
      ),
    );
    const { calibration, fits } = fitSamples(samples, [1, 10, 100, 1000]);
    expect(calibration.moveFixedMs).toBeCloseTo(5, 3);
    expect(calibration.dataFixedMs).toBeCloseTo(40, 3);
    for (const f of fits) expect(Math.abs(f.relativeError)).toBeLessThan(1e-3);
  });
});

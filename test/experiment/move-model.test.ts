/**
 * The move model: the non-negative relative least-squares fit recovers known costs and never
 * gives a negative term, and tells a move's cost with data from its fixed cost; the live twin's cluster fields scale wall costs by the compression and
 * bandwidth by compression, rate scale and the bytes Redis stores per record.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { equivalentCluster, fitMoveModel, fitNonNegative, modelMs } from '../../src/experiment/move-model.ts';

describe('fitNonNegative', () => {
  it('recovers exact non-negative coefficients', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 50, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 1e-4, max: 1e-2, noNaN: true }), (a, b, c) => {
        const xs = [1, 3, 10, 30, 100, 300, 1000].flatMap((n) => [[1, n, n * 100], [1, n, n * 5]]);
        const coef = fitNonNegative(xs, xs.map((x) => a + b * x[1] + c * x[2]));
        expect(coef[0]).toBeCloseTo(a, 4);
        expect(coef[1]).toBeCloseTo(b, 4);
        expect(coef[2]).toBeCloseTo(c, 6);
      }),
      { seed: 19, numRuns: 50 },
    );
  });
  it('never gives a negative term, and weighs relative errors', () => {
    const c = fitNonNegative([[1, 1], [1, 2], [1, 3]], [30, 20, 10]);
    expect(c.every((x) => x >= 0)).toBe(true);
    expect(c[1]).toBe(0);
    // One noisy large sample must not swamp the small ones.
    const f = fitNonNegative([[1, 1], [1, 2], [1, 1000]], [10, 11, 2000]);
    expect(Math.abs((f[0] + f[1] - 10) / 10)).toBeLessThan(0.1);
  });
});

describe('fitMoveModel and modelMs', () => {
  it('separates the per-slot cost from the per-byte one when slots and bytes vary apart', () => {
    const cal = { moveFixedMs: 5, perSlotMs: 0.25, moveBytesPerSec: 2_000_000, cutoverMs: 0 };
    const samples = [1, 10, 100, 1000].flatMap((n) => [0, 4000].map((per) => ({ slots: n, bytes: n * per, wallMs: modelMs(cal, n, n * per) })));
    const f = fitMoveModel(samples);
    expect(f.moveFixedMs).toBeCloseTo(5, 3);
    expect(f.perSlotMs).toBeCloseTo(0.25, 5);
    expect(f.moveBytesPerSec / 2_000_000).toBeCloseTo(1, 4);
  });
  it('tells the cost of a move with data from the fixed one when some moves carry no bytes', () => {
    const cal = { moveFixedMs: 20, perSlotMs: 0.3, dataFixedMs: 45, moveBytesPerSec: 1_500_000, cutoverMs: 0 };
    // As calibrate measures: filled ranges (bytes grow with slots) and empty ones.
    const samples = [1, 10, 100, 300, 1000].flatMap((n) => [0, 21_000].map((per) => ({ slots: n, bytes: n * per, wallMs: modelMs(cal, n, n * per) })));
    const f = fitMoveModel(samples);
    expect(f.moveFixedMs).toBeCloseTo(20, 3);
    expect(f.perSlotMs).toBeCloseTo(0.3, 5);
    expect(f.dataFixedMs).toBeCloseTo(45, 3);
    expect(f.moveBytesPerSec / 1_500_000).toBeCloseTo(1, 4);
    // Without any empty move the term cannot be told apart: it stays 0.
    expect(fitMoveModel(samples.filter((s) => s.bytes > 0)).dataFixedMs).toBe(0);
  });
  it('adds the data term only to a move that carries bytes', () => {
    const cal = { moveFixedMs: 10, perSlotMs: 1, dataFixedMs: 50, moveBytesPerSec: 1000, cutoverMs: 0 };
    expect(modelMs(cal, 5, 0)).toBe(15);
    expect(modelMs(cal, 5, 1000)).toBe(1065);
  });
  it('a calibration without perSlotMs (older files) has no per-slot cost', () => {
    expect(modelMs({ moveFixedMs: 10, moveBytesPerSec: 1000, cutoverMs: 0 }, 500, 1000)).toBe(1010);
  });
});

describe('equivalentCluster', () => {
  it('scales wall costs by the compression and bandwidth by compression, rate scale and stored bytes', () => {
    const e = equivalentCluster({ moveFixedMs: 10, perSlotMs: 0.5, dataFixedMs: 40, moveBytesPerSec: 3_000_000, cutoverMs: 20 }, { speed: 60, y: 0.01, durationMs: 3_600_000, slotsPerBucket: 64, recordBytes: 256, bytesPerWrite: 288 });
    expect(e.pauses.move).toBe(600);
    expect(e.movePerBucket).toBe(0.5 * 64 * 60);
    expect(e.moveDataSetup).toBe(40 * 60);
    // A sim state of R records is 0.01·R writes of 288 B in Redis, moved at 3 MB/s wall = 1/60 scenario.
    expect(e.moveBandwidth).toBeCloseTo(3_000_000 / (60 * 0.01 * (288 / 256)), 6);
    expect(e.retention).toBe(3_600_000);
  });
});

/**
 * The payback span measured on the stream (shape-hold.ts): the horizon until the shape has held
 * for longer, twice or four times the horizon where it has, the horizon again for a band that
 * moves on or a burst that appears.
 */
import { describe, expect, it } from 'vitest';
import { HELD_TV, SAMPLE_MS, ShapeHold, shapeHoldKeepMs } from '../../src/policies/shape-hold.ts';

const B = 256;
const H = 30 * 60_000;

/** Samples `rate(tMs)` every SAMPLE_MS from 0 to `untilMs`, returning the holder. */
function sampled(rate: (tMs: number, out: Float64Array) => void, untilMs: number): ShapeHold {
  let now = 0;
  const hold = new ShapeHold(B, shapeHoldKeepMs(H), (_span, out) => {
    rate(now, out);
    return out;
  });
  for (now = SAMPLE_MS; now <= untilMs; now += SAMPLE_MS) hold.sample(now);
  return hold;
}

/** A hot band of width 0.05 centred at `c` (wrapping) carrying `share` of the load, the rest uniform. */
function band(c: number, share: number, out: Float64Array): void {
  for (let b = 0; b < B; b++) {
    const x = (b + 0.5) / B;
    const d = Math.min(Math.abs(x - c), 1 - Math.abs(x - c));
    out[b] = (1 - share) / B + (d < 0.025 ? share / (0.05 * B) : 0);
  }
}

describe('ShapeHold', () => {
  it('gives the horizon until there are samples that far back, then four times it for a still shape', () => {
    const still = (_t: number, out: Float64Array) => band(0.3, 0.5, out);
    expect(sampled(still, H).span(H)).toBe(H);
    expect(sampled(still, 2 * H + SAMPLE_MS).span(H)).toBe(2 * H);
    expect(sampled(still, 6 * H).span(H)).toBe(4 * H);
  });

  it('keeps the horizon for a band that moves a key space a day, and steps down as a slow drift outgrows HELD_TV', () => {
    const day = 86_400_000;
    expect(sampled((t, out) => band(t / day, 0.5, out), 6 * H).span(H)).toBe(H);
    // A band carrying a fifth of the load moving 0.015 of the key space an hour (its width in 3 h 20):
    // ~6% of the traffic has moved after an hour, ~12% after two.
    const slow = sampled((t, out) => band(0.3 + (0.015 * t) / 3_600_000, 0.2, out), 6 * H);
    expect(slow.distance(2 * H)).toBeLessThanOrEqual(HELD_TV);
    expect(slow.distance(4 * H)).toBeGreaterThan(HELD_TV);
    expect(slow.span(H)).toBe(2 * H);
  });

  it('drops to the horizon when a burst appears, and ignores the level of the load', () => {
    const burstAt = 5 * H;
    const hold = sampled((t, out) => {
      band(0.6, 0.3, out);
      const level = 1 + t / 3_600_000; // the total grows; only the shape counts
      for (let b = 0; b < B; b++) out[b] *= level;
      if (t > burstAt) for (let b = 10; b < 14; b++) out[b] += 0.1 * level;
    }, burstAt);
    expect(hold.span(H)).toBe(4 * H);
    hold.sample(burstAt + SAMPLE_MS);
    expect(hold.span(H)).toBe(H);
  });

  it('takes no sample of a silent window and keeps only what it looks back to', () => {
    const hold = sampled((_t, out) => out.fill(0), 3 * H);
    expect(hold.distance(0)).toBeNaN();
    const still = sampled((_t, out) => band(0.3, 0.5, out), 40 * H);
    expect((still as unknown as { times: number[] }).times.length).toBeLessThanOrEqual(shapeHoldKeepMs(H) / SAMPLE_MS + 2);
  });
});

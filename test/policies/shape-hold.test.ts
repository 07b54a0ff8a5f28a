/**
 * The payback span measured on the stream (shape-hold.ts): the horizon until the shape has held
 * for longer, twice the horizon where it has held that long throughout, the horizon again for a
 * band that moves on or a burst that appears (or appeared within the span).
 */
import { describe, expect, it } from 'vitest';
import { HELD_TV, SAMPLE_MS, ShapeHold, shapeHoldKeepMs } from '../../src/policies/shape-hold.ts';

const B = 256;
const H = 30 * 60_000;

/** Samples `rate(tMs)` every SAMPLE_MS from 0 to `untilMs`; the clock then stays at the last sample (`at` moves it). */
function sampled(rate: (tMs: number, out: Float64Array) => void, untilMs: number, horizonMs = H): ShapeHold & { at(tMs: number): void } {
  let now = 0;
  const hold = new ShapeHold(B, shapeHoldKeepMs(horizonMs), (_span, out) => {
    rate(now, out);
    return out;
  });
  let t = SAMPLE_MS;
  for (; t <= untilMs; t += SAMPLE_MS) {
    now = t;
    hold.sample(now);
  }
  return Object.assign(hold, { at: (tMs: number) => void (now = tMs) });
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
  it('gives the horizon until there are samples twice that far back, then twice it for a still shape', () => {
    const still = (_t: number, out: Float64Array) => band(0.3, 0.5, out);
    expect(sampled(still, H).span(H)).toBe(H);
    expect(sampled(still, 2 * H - 2 * SAMPLE_MS).span(H)).toBe(H);
    expect(sampled(still, 2 * H + SAMPLE_MS).span(H)).toBe(2 * H);
    expect(sampled(still, 12 * H).span(H)).toBe(2 * H);
  });

  it('keeps the horizon for a band that moves a key space a day, and for a slow drift beyond HELD_TV over twice the horizon', () => {
    const day = 86_400_000;
    expect(sampled((t, out) => band(t / day, 0.5, out), 6 * H).span(H)).toBe(H);
    // A band carrying a fifth of the load moving 0.015 of the key space an hour (its width in 3 h 20):
    // ~6% of the traffic has moved after an hour, ~12% after two.
    const drift = (t: number, out: Float64Array) => band(0.3 + (0.015 * t) / 3_600_000, 0.2, out);
    const slow = sampled(drift, 6 * H);
    expect(slow.distance(2 * H)).toBeLessThanOrEqual(HELD_TV);
    expect(slow.span(H)).toBe(2 * H);
    // Looking an hour ahead, the span would be two hours, over which the drift has moved too much.
    const longer = sampled(drift, 10 * H, 2 * H);
    expect(longer.distance(4 * H)).toBeGreaterThan(HELD_TV);
    expect(longer.span(2 * H)).toBe(2 * H);
  });

  it('keeps the horizon while a burst that came and went is within the span: the shape must have held throughout', () => {
    const burst = (from: number, to: number) => (t: number, out: Float64Array) => {
      band(0.6, 0.3, out);
      if (t > from && t <= to) for (let b = 10; b < 14; b++) out[b] += 0.1;
    };
    // The burst between 3.5 H and 4 H: at 5 H it lies within the last 2 H, at 7 H no longer.
    expect(sampled(burst(3.5 * H, 4 * H), 5 * H).span(H)).toBe(H);
    expect(sampled(burst(3.5 * H, 4 * H), 7 * H).span(H)).toBe(2 * H);
  });

  it('drops to the horizon when a burst appears, before and after the next sample, and ignores the level of the load', () => {
    const burstAt = 5 * H;
    const hold = sampled((t, out) => {
      band(0.6, 0.3, out);
      const level = 1 + t / 3_600_000; // the total grows; only the shape counts
      for (let b = 0; b < B; b++) out[b] *= level;
      if (t > burstAt) for (let b = 10; b < 14; b++) out[b] += 0.1 * level;
    }, burstAt);
    expect(hold.span(H)).toBe(2 * H);
    hold.at(burstAt + 60_000); // a minute into the burst, before the next sample
    expect(hold.span(H)).toBe(H);
    hold.sample(burstAt + SAMPLE_MS);
    hold.at(burstAt + SAMPLE_MS);
    expect(hold.span(H)).toBe(H);
  });

  it('takes no sample of a silent window and keeps only what it looks back to', () => {
    const hold = sampled((_t, out) => out.fill(0), 3 * H);
    expect(hold.distance(0)).toBeNaN();
    const still = sampled((_t, out) => band(0.3, 0.5, out), 40 * H);
    expect((still as unknown as { times: number[] }).times.length).toBeLessThanOrEqual(shapeHoldKeepMs(H) / SAMPLE_MS + 2);
  });
});

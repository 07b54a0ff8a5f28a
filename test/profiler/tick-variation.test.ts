import { describe, expect, it } from 'vitest';
import { TickVariation } from '../../src/profiler/tick-variation.ts';

describe('TickVariation', () => {
  it('is 0 until a window had two ticks, then 1.2816 × the coefficient of variation', () => {
    const t = new TickVariation();
    t.add(100);
    t.closeWindow();
    expect(t.excess).toBe(0);
    t.add(50);
    t.add(150); // mean 100, population sd 50: cv 0.5
    t.closeWindow();
    expect(t.excess).toBeCloseTo(1.2816 * 0.5, 12);
    t.add(100);
    t.add(100); // cv 0: the smoothed cv moves 5 % toward it
    t.closeWindow();
    expect(t.excess).toBeCloseTo(1.2816 * 0.475, 12);
  });
});

/** The planning policies' circuit breaker (src/policies/breaker.ts), step by step. */
import { describe, expect, it } from 'vitest';
import { PlanBreaker } from '../../src/policies/breaker.ts';

const cfg = { failures: 2, cooldown: 1_000, maxCooldown: 3_000 };

describe('PlanBreaker', () => {
  it('opens after `failures` plans given up in a row, skips decisions while open, half-opens after the cooldown', () => {
    const b = new PlanBreaker(cfg, 0);
    b.planEnded('rolled-back', 'x', 10);
    expect(b.allows(20)).toBe(true);
    b.planEnded('completed', undefined, 30); // a completion resets the count
    b.planEnded('rolled-back', 'x', 40);
    expect(b.allows(50)).toBe(true);
    b.planEnded('rolled-back', 'boom', 60);
    expect(b.report.opened).toBe(1);
    expect(b.report.events[0]).toMatchObject({ timeMs: 60, state: 'open' });
    expect(b.report.events[0].reason).toContain('boom');
    expect(b.allows(500)).toBe(false);
    expect(b.allows(1_059)).toBe(false);
    expect(b.report.skippedDecisions).toBe(2);
    expect(b.allows(1_060)).toBe(true); // half-open: one decision through
    expect(b.report.openMs).toBe(1_000);
    expect(b.report.events.at(-1)!.state).toBe('half-open');
  });

  it('a failure while half-open reopens it for twice as long, at most maxCooldown; a completion closes it and resets the pause', () => {
    const b = new PlanBreaker(cfg, 0);
    b.planEnded('rolled-back', 'a', 0);
    b.planEnded('rolled-back', 'b', 0);
    expect(b.allows(1_000)).toBe(true);
    b.planEnded('rolled-back', 'c', 1_000); // half-open → open for 2,000
    expect(b.allows(2_999)).toBe(false);
    expect(b.allows(3_000)).toBe(true);
    b.planEnded('rolled-back', 'd', 3_000); // → 3,000 (capped, not 4,000)
    expect(b.allows(5_999)).toBe(false);
    expect(b.allows(6_000)).toBe(true);
    b.planEnded('completed', undefined, 6_500);
    expect(b.report.events.at(-1)).toMatchObject({ state: 'closed' });
    b.planEnded('rolled-back', 'e', 7_000);
    b.planEnded('rolled-back', 'f', 7_000);
    expect(b.allows(7_999)).toBe(false);
    expect(b.allows(8_000)).toBe(true); // the pause is back to the first cooldown
    expect(b.report.opened).toBe(4);
  });

  it('counts only measured open time, and a pause still open at the end', () => {
    const b = new PlanBreaker(cfg, 500); // measured time starts at 500
    b.planEnded('rolled-back', 'a', 0);
    b.planEnded('rolled-back', 'b', 0);
    expect(b.allows(1_000)).toBe(true);
    expect(b.report.openMs).toBe(500);
    b.planEnded('rolled-back', 'c', 1_200);
    expect(b.close(2_000).openMs).toBe(500 + 800);
  });
});

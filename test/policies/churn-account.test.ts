/** The churn budget's account: a share of the most state held in the last 24 hours, spent per rolling hour. */
import { describe, expect, it } from 'vitest';
import { ChurnAccount, STATE_MEMORY_MS } from '../../src/policies/churn-account.ts';

const H = 3_600_000;
const state = (total: number) => Float64Array.of(total / 2, total / 2);

describe('ChurnAccount', () => {
  it('measures a state share against the most state held in the last 24 h, not the state of the moment', () => {
    const a = new ChurnAccount({ stateSharePerHour: 0.1 });
    expect(a.left(0, state(1000))).toBeCloseTo(100);
    // a silent night: the state of the moment is nearly gone, the budget is not
    expect(a.left(6 * H, state(1))).toBeCloseTo(100);
    expect(a.left(12 * H, state(400))).toBeCloseTo(100);
    // a day after the peak it is forgotten: the most since then is 400
    expect(a.left(STATE_MEMORY_MS + 1, state(2))).toBeCloseTo(40);
    expect(a.left(STATE_MEMORY_MS + 12 * H + 1, state(3))).toBeCloseTo(0.3);
  });

  it('subtracts what plans proposed within the rolling hour, never going below 0', () => {
    const a = new ChurnAccount({ stateSharePerHour: 0.1, bytesPerHour: 80 });
    expect(a.left(0, state(1000))).toBeCloseTo(80); // the smaller of the two caps
    a.spend(0, 50);
    expect(a.left(10 * 60_000, state(1000))).toBeCloseTo(30);
    a.spend(20 * 60_000, 70);
    expect(a.left(30 * 60_000, state(1000))).toBe(0);
    // an hour after the first plan only the second counts
    expect(a.left(H + 1, state(1000))).toBeCloseTo(10);
    expect(a.left(2 * H, state(1000))).toBeCloseTo(80);
  });
});

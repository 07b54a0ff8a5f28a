/** The KDP's refit schedule: learning refits, the fixed cadence, and the error-tied one. */
import { describe, expect, it } from 'vitest';
import { RefitSchedule } from '../../src/profiler/refit-schedule.ts';

/** The window counts at which `s` refits over `windows` closed windows, with the error `err(closed)`. */
function run(s: RefitSchedule, windows: number, err: (closed: number) => number): number[] {
  const at: number[] = [];
  for (let c = 1; c <= windows; c++)
    if (s.due(c, () => err(c))) {
      s.fitted(c, err(c));
      at.push(c);
    }
  return at;
}

describe('RefitSchedule', () => {
  it('fixed: 16, 32, 64, … while learning, then every period whatever the error', () => {
    expect(run(new RefitSchedule(100, 10, 'fixed'), 420, () => 5)).toEqual([16, 32, 64, 100, 200, 300, 400]);
  });

  it('error: puts off due refits while the error holds, refits at the latest every 4 periods', () => {
    const s = new RefitSchedule(100, 10, 'error');
    expect(run(s, 1000, () => 1)).toEqual([16, 32, 64, 100, 500, 900]);
    expect(s.refitsSkipped).toBe(7); // 200, 300, 400, 600, 700, 800, 1000
  });

  it('error: refits when due once the error grew more than 10%, and early when it reached 1.5×', () => {
    // the error grows by 20% at 150: the due refit at 200 runs
    expect(run(new RefitSchedule(100, 10, 'error'), 260, (c) => (c >= 150 ? 1.2 : 1))).toEqual([16, 32, 64, 100, 200]);
    // the error doubles at 153: the next origin (160) at least a quarter period after the last refit
    expect(run(new RefitSchedule(100, 10, 'error'), 260, (c) => (c >= 153 ? 2 : 1))).toEqual([16, 32, 64, 100, 160]);
  });
});

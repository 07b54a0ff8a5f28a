import { describe, expect, it } from 'vitest';
import { GroupHistory } from '../../src/profiler/group-history.ts';
import { shapeCandidate, ShapeScores, type ShapeSettings } from '../../src/profiler/shape.ts';

const settings: ShapeSettings = { recentWindows: 2, seasonWindows: 4, leads: [1, 3] };

/** 4 buckets = 4 groups; `hot(w)` is the group carrying 9 of 12 records/s in window w. */
function history(windows: number, hot: (w: number) => number): GroupHistory {
  const h = new GroupHistory(4, 4, 64);
  for (let w = 0; w < windows; w++) {
    const c = [1, 1, 1, 1];
    c[hot(w)] = 9;
    h.append(c, 1);
  }
  return h;
}

describe('shape candidates', () => {
  it('recent = the mean of the last windows the origin saw; seasonal = one season back, ±1', () => {
    const h = history(10, (w) => w % 4);
    const out = new Float64Array(4);
    // window 10 forecast at lead 1: last seen window 8, recent = windows 7 and 8 (hot 3 and 0)
    expect(Array.from(shapeCandidate(h, 0, 4, 'recent', 10, 1, settings, out)!)).toEqual([5, 1, 1, 5]);
    // seasonal: windows 5..7 (hot 1, 2, 3)
    expect(Array.from(shapeCandidate(h, 0, 4, 'seasonal', 10, 1, settings, out)!).map((v) => +v.toFixed(9))).toEqual([1, 3.666666667, 3.666666667, 3.666666667]);
    // a lead reaching past one season has no seasonal candidate; no season at all neither
    expect(shapeCandidate(h, 0, 4, 'seasonal', 10, 3, settings, out)).toBeNull();
    expect(shapeCandidate(h, 0, 4, 'seasonal', 10, 1, { ...settings, seasonWindows: undefined }, out)).toBeNull();
    // history too short
    expect(shapeCandidate(h, 0, 4, 'recent', 2, 1, settings, out)).toBeNull();
  });

  it('choose recent until scored, then the candidate that backtests better', () => {
    const fresh = new ShapeScores(0, 4);
    expect(fresh.choose(0, settings.leads)).toBe('recent');
    // a hot spot that repeats every season (4 windows) but jumps every window: at the near lead
    // the season back (TV 0.44) beats the last two windows (0.67, neither holds the spot); at the
    // far lead (2) the recent mean holds it half the time (0.33) and wins
    const near = { ...settings, leads: [1, 2] as [number, number] };
    const seasonal = history(40, (w) => w % 4);
    const sc = new ShapeScores(0, 4);
    for (let w = 8; w < 40; w++) sc.score(seasonal, w, near);
    expect(sc.error[0]).toBeCloseTo(2 / 3, 9); // recent, near
    expect(sc.error[1]).toBeCloseTo(1 / 3, 9); // recent, far
    expect(sc.error[2]).toBeCloseTo(4 / 9, 9); // seasonal, near
    expect(sc.choose(0, near.leads)).toBe('seasonal');
    expect(sc.choose(1, near.leads)).toBe('recent');
    // a hot spot that stays put: both fit, recent (first on ties) is kept
    const still = history(40, () => 2);
    const st = new ShapeScores(0, 4);
    for (let w = 8; w < 40; w++) st.score(still, w, settings);
    expect(st.error[0]).toBe(0);
    expect(st.choose(5, settings.leads)).toBe('recent');
  });
});

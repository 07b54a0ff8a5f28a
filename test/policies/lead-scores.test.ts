import { describe, expect, it } from 'vitest';
import type { Forecast } from '../../src/model/forecast.ts';
import { LeadScores } from '../../src/policies/lead-scores.ts';

const A = Float64Array.of(3, 0);
const B = Float64Array.of(0, 2);
/** A forecast issued at `t` whose one window (starting at `t`) expects `load`. */
const forecast = (t: number, load: Float64Array) => ({ windows: [{ startMs: t, expectedLoad: load }] }) as unknown as Forecast;

describe('lead scores (forecast vs persistence per lead)', () => {
  it('measures shapes by total-variation distance, 0 when either is empty', () => {
    expect(LeadScores.tv(A, B)).toBe(1);
    expect(LeadScores.tv(Float64Array.of(1, 1), Float64Array.of(4, 4))).toBe(0);
    expect(LeadScores.tv(Float64Array.of(1, 3), Float64Array.of(1, 1))).toBe(0.25);
    expect(LeadScores.tv(Float64Array.of(0, 0), A)).toBe(0);
  });

  it('blends linearly until three decisions are scored, then leans on the guess that was right', () => {
    const W = 1000;
    // the load alternates A, B, A, …; one policy's forecast always names the next window right
    const good = new LeadScores();
    const alt = (i: number) => (i % 2 ? A : B);
    expect(good.blendWeight(2, 4)).toBe(0.5);
    for (let i = 1; i <= 3; i++) good.score(i * W, W, alt(i), forecast(i * W, alt(i + 1)));
    expect(good.blendWeight(2, 4)).toBe(0.5); // two scored so far
    good.score(4 * W, W, alt(4), forecast(4 * W, alt(5)));
    expect(good.blendWeight(0, 4)).toBe(0); // forecast perfect, persistence always wrong
    expect(good.blendWeight(2, 4)).toBe(0);
    // the load stays A; this forecast always says B: persistence wins
    const bad = new LeadScores();
    for (let i = 1; i <= 4; i++) bad.score(i * W, W, A, forecast(i * W, B));
    expect(bad.blendWeight(0, 4)).toBe(1);
  });
});

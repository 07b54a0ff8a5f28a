import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Forecast } from '../../src/model/forecast.ts';
import { LeadScores } from '../../src/policies/lead-scores.ts';
import { blendPicture } from '../../src/policies/picture-blend.ts';

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

  it('weighs shape and level apart: a still shape with a climbing total keeps the observed shape and the forecast total', () => {
    const W = 1000;
    // the load keeps A's shape and doubles its total every window; the forecast names the next
    // total right but puts it all on the wrong bucket
    const s = new LeadScores();
    const at = (i: number) => A.map((x) => x * 2 ** i);
    for (let i = 1; i <= 5; i++) s.score(i * W, W, at(i), forecast(i * W, B.map((x) => (x * 3 * 2 ** (i + 1)) / 2)));
    expect(s.blendWeight(0, 4)).toBe(1); // persistence had the shape right, the forecast never
    expect(s.levelWeight(0, 4)).toBe(0); // the forecast had the total right, persistence never
  });

  it('blends a picture window: shapes by one weight, totals by the other', () => {
    const obs = Float64Array.of(2, 2); // total 4, flat
    const fc = Float64Array.of(0, 6); // total 6, all on bucket 1
    expect(blendPicture(obs, fc, 0, 0)).toBe(fc);
    expect(Array.from(blendPicture(obs, fc, 1, 0))).toEqual([3, 3]); // observed shape, forecast total
    expect(Array.from(blendPicture(obs, fc, 0, 1))).toEqual([0, 4]); // forecast shape, observed total
    expect(Array.from(blendPicture(obs, fc, 0.5, 0.5))).toEqual([1.25, 3.75]);
    // an empty side: the plain mix
    expect(Array.from(blendPicture(Float64Array.of(0, 0), fc, 0.5, 0.5))).toEqual([0, 3]);
  });

  it('keeps a blended window non-negative, its total the blended total and its shape the blended shape', () => {
    const loads = fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 8, maxLength: 8 }).filter((v) => v.reduce((a, b) => a + b, 0) > 1e-3);
    const weight = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(loads, loads, weight, weight, (o, f, a, b) => {
        const obs = Float64Array.from(o);
        const fcst = Float64Array.from(f);
        const out = blendPicture(obs, fcst, a, b);
        const so = o.reduce((x, y) => x + y, 0);
        const sf = f.reduce((x, y) => x + y, 0);
        const level = b * so + (1 - b) * sf;
        const total = out.reduce((x, y) => x + y, 0);
        expect(out.every((x) => x >= 0)).toBe(true);
        expect(Math.abs(total - level)).toBeLessThanOrEqual(1e-9 * Math.max(1, level));
        if (level > 0) for (let i = 0; i < 8; i++) expect(out[i] / total).toBeCloseTo(a * (o[i] / so) + (1 - a) * (f[i] / sf), 9);
      }),
    );
  });
});

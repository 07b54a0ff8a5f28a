import { describe, expect, it } from 'vitest';
import { groupSharesOf, shareWithinSpans, spreadGroups, spreadOver, spreadShaped, spreadShapedPair } from '../../src/profiler/spread.ts';

describe('spreading load over buckets', () => {
  it('shares within spans follow the weights, uniform where a span has none', () => {
    const out = shareWithinSpans([1, 3, 0, 0, 2], [0, 2, 4, 5], new Float64Array(5));
    expect(Array.from(out)).toEqual([0.25, 0.75, 0.5, 0.5, 1]);
  });

  it('spreads a span share of an amount and whole group pictures', () => {
    const inSpan = shareWithinSpans([1, 3, 0, 0], [0, 2, 4], new Float64Array(4));
    const out = new Float64Array(4);
    spreadOver(out, 0, 2, inSpan, 0.5, 100);
    expect(Array.from(out)).toEqual([12.5, 37.5, 0, 0]);
    spreadGroups(out, [0, 2, 4], inSpan, [0.2, 0.8], 10);
    expect(Array.from(out)).toEqual([0.5, 1.5, 4, 4]);
    expect(Array.from(groupSharesOf(out, [0, 2, 4]))).toEqual([0.2, 0.8]);
    expect(Array.from(groupSharesOf(new Float64Array(4), [0, 2, 4]))).toEqual([0, 0]);
  });

  it('spreads a range over its groups by its shape, or over the range by weight when the shape is missing or empty', () => {
    // buckets 0..5, groups [0,2) [2,4) [4,6); the range covers groups 1..2 = buckets 2..5
    const groupStart = [0, 2, 4, 6];
    const inGroup = [0.5, 0.5, 0.25, 0.75, 1, 0];
    const inRange = [0, 0, 0.25, 0.25, 0.25, 0.25];
    const span = { g0: 1, g1: 3, range: { start: 2, end: 6 } };
    const out = new Float64Array(6).fill(-1);
    spreadShaped(out, 8, [1, 3], span, groupStart, inGroup, inRange);
    expect(Array.from(out)).toEqual([-1, -1, 0.5, 1.5, 6, 0]);
    for (const shaped of [null, [0, 0]]) {
      const flat = new Float64Array(6).fill(-1);
      spreadShaped(flat, 8, shaped, span, groupStart, inGroup, inRange);
      expect(Array.from(flat)).toEqual([-1, -1, 2, 2, 2, 2]);
    }
  });

  it('the pair spread writes exactly what two spreads write (expected and upper load in one pass)', () => {
    const groupStart = [0, 2, 4, 6];
    const inGroup = [0.5, 0.5, 0.3, 0.7, 1, 0];
    const inRange = [0, 0, 0.1, 0.2, 0.3, 0.4];
    const span = { g0: 1, g1: 3, range: { start: 2, end: 6 } };
    for (const shaped of [[0.7, 1.9], null, [0, 0]]) {
      const a = new Float64Array(6).fill(-1);
      const b = new Float64Array(6).fill(-1);
      spreadShaped(a, 8.3, shaped, span, groupStart, inGroup, inRange);
      spreadShaped(b, 11.7, shaped, span, groupStart, inGroup, inRange);
      const pa = new Float64Array(6).fill(-1);
      const pb = new Float64Array(6).fill(-1);
      spreadShapedPair(pa, 8.3, pb, 11.7, shaped, span, groupStart, inGroup, inRange);
      expect(pa).toEqual(a);
      expect(pb).toEqual(b);
    }
  });
});

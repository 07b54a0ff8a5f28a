/** Picture parts shared between plans and re-checks give the very context a fresh build gives. */
import { describe, expect, it } from 'vitest';
import { buildContext, pictureParts, planCosts, planInputProblems, planRepartition, seededRng } from '../../src/planner/index.ts';
import { BucketHistory } from '../../src/cluster/bucket-history.ts';
import { fixtures } from './fixtures.ts';

describe('pictureParts', () => {
  const input = fixtures.movingBand();

  it('a context built from given parts equals one built from scratch', () => {
    const fresh = buildContext(input);
    const shared = buildContext({ ...input, parts: pictureParts(input.windows, input.upper) });
    for (const key of ['prefix', 'upperPrefix', 'totals', 'upperTotals', 'meanLoad', 'meanPrefix', 'statePrefix', 'splitPenalty', 'mergePenalty'] as const) {
      expect(shared[key]).toEqual(fresh[key]);
    }
    expect(shared.windowCount).toBe(fresh.windowCount);
    expect(shared.meanTotal).toBe(fresh.meanTotal);
  });

  it('parts made from other arrays or another window limit are not used', () => {
    const other = input.windows.map((w) => w.map((x) => 2 * x));
    const stale = pictureParts(other, input.upper);
    expect(buildContext({ ...input, parts: stale }).totals).toEqual(buildContext(input).totals);
    const fewer = pictureParts(input.windows, input.upper, 1);
    expect(buildContext({ ...input, parts: fewer }).windowCount).toBe(buildContext(input).windowCount);
  });

  it('an input with parts reports the same problems as one without, every time it is checked', () => {
    const bad = input.windows.map((w) => w.slice());
    bad[1][7] = NaN;
    bad[2][3] = -1;
    const upper = input.upper?.map((w) => w.slice());
    const withParts = { ...input, windows: bad, upper, parts: pictureParts(bad, upper) };
    const expected = planInputProblems({ ...input, windows: bad, upper });
    expect(expected.map((p) => p.path)).toEqual(['windows[1][7]', 'windows[2][3]']);
    expect(planInputProblems(withParts)).toEqual(expected);
    expect(planInputProblems(withParts)).toEqual(expected);
  });

  it('plans and costs are the same with and without shared parts', () => {
    const parts = pictureParts(input.windows, input.upper);
    const a = planRepartition(input, { iterations: 800, rng: seededRng(3) });
    const b = planRepartition({ ...input, parts }, { iterations: 800, rng: seededRng(3) });
    expect(b.plan.after).toEqual(a.plan.after);
    expect(b.plan.savings).toBe(a.plan.savings);
    expect(planCosts([a.plan.after], { ...input, parts })).toEqual(planCosts([a.plan.after], input));
  });
});

describe('BucketHistory.bucketCounts', () => {
  it('equals rangeCount per bucket, bit for bit, asked at any instant (its completed-slot sums are kept)', () => {
    const B = 64;
    const h = new BucketHistory(B, 60_000, 10 * 60_000);
    const counts = new Float64Array(B);
    let asked = 0;
    for (let t = 0; t < 25 * 60; t++) {
      // Whole counts, as every workload draws them (large ones too).
      for (let b = 0; b < B; b++) counts[b] = ((t * 31 + b * 17) % 13) * (b % 5 === 0 ? 1_000_003 : 1);
      h.add({ timeMs: t * 1000, durationMs: 1000, counts, total: 0, bytes: 0 });
      // Several asks inside a slot, and across slot changes and spans.
      if (t % 37 !== 0 && t !== 25 * 60 - 1) continue;
      const now = (t + 1) * 1000;
      for (const span of [60_000, 5 * 60_000, 30 * 60_000]) {
        const out = h.bucketCounts(now, span, new Float64Array(B));
        for (let b = 0; b < B; b++) expect(out[b]).toBe(h.rangeCount(b, b + 1, now, span));
        asked++;
      }
    }
    expect(asked).toBeGreaterThan(100);
  });
});

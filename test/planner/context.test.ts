/** Picture parts shared between plans and re-checks give the very context a fresh build gives. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildContext, pictureParts, planCosts, planInputProblems, planRepartition, seededRng, windowPrefixes } from '../../src/planner/index.ts';
import { prefixSums } from '../../src/model/index.ts';
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

describe('pictureParts sums', () => {
  /** The sums written the plain way: windows averaged in groups, then prefix-summed; the mean of all windows. */
  function reference(ws: Float64Array[], max: number) {
    const B = ws[0].length;
    const groups: Float64Array[] = [];
    if (ws.length <= max) groups.push(...ws);
    else {
      for (let g = 0; g < max; g++) {
        const lo = Math.floor((g * ws.length) / max);
        const hi = Math.floor(((g + 1) * ws.length) / max);
        const acc = new Float64Array(B);
        for (let w = lo; w < hi; w++) for (let j = 0; j < B; j++) acc[j] += ws[w][j];
        for (let j = 0; j < B; j++) acc[j] /= hi - lo;
        groups.push(acc);
      }
    }
    const mean = new Float64Array(B);
    for (const w of ws) for (let j = 0; j < B; j++) mean[j] += w[j] / ws.length;
    return { prefix: groups.map((g) => prefixSums(g)), mean };
  }

  it('equal the plain computation bit for bit, with and without grouping, for loads and tails', () => {
    const r = seededRng(5);
    for (const [W, B, max] of [[30, 257, 12], [1, 64, 12], [12, 33, 12], [13, 50, 12], [30, 64, 7]]) {
      const ws = Array.from({ length: W }, () => Float64Array.from({ length: B }, () => r.next() * 1000 * (r.next() < 0.1 ? 50 : 1)));
      const up = ws.map((w) => w.map((x) => x * 1.3 + r.next()));
      const parts = pictureParts(ws, up, max);
      const want = reference(ws, max);
      const wantUp = reference(up, max);
      expect(parts.prefix.map((p) => Array.from(p))).toEqual(want.prefix.map((p) => Array.from(p)));
      expect(parts.upperPrefix!.map((p) => Array.from(p))).toEqual(wantUp.prefix.map((p) => Array.from(p)));
      expect(Array.from(parts.meanLoad)).toEqual(Array.from(want.mean));
      expect(Array.from(parts.meanPrefix)).toEqual(Array.from(prefixSums(want.mean)));
      expect(Array.from(parts.totals)).toEqual(want.prefix.map((p) => p[B]));
    }
  });

  it('windowPrefixes gives the prefix sums of every input window (the search ones when nothing was grouped)', () => {
    const input = fixtures.movingBand();
    const many = { ...input, windows: Array.from({ length: 20 }, (_, i) => input.windows[i % input.windows.length]), upper: undefined };
    const ctx = buildContext(many);
    const full = windowPrefixes(ctx);
    expect(full.windows.map((p) => Array.from(p))).toEqual(many.windows.map((w) => Array.from(prefixSums(w))));
    expect(full.upper).toBeUndefined();
    expect(windowPrefixes(ctx)).toBe(full);
    const few = buildContext(input);
    expect(windowPrefixes(few).windows).toBe(few.prefix);
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

  it('follows one span slot by slot as a fresh sum would, whatever the gaps between asks (the kept sum advanced)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 5, maxLength: 60 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (B, spanSlots, gaps, seed) => {
          const slotMs = 60_000;
          const kept = new BucketHistory(B, slotMs, spanSlots * slotMs);
          const counts = new Float64Array(B);
          let t = 0;
          let x = seed;
          for (const gap of gaps) {
            // `gap` ticks of 10 s (whole counts, some large), then one ask.
            for (let g = 0; g < gap; g++, t++) {
              for (let b = 0; b < B; b++) counts[b] = (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) % 7 === 0 ? x : x % 5;
              kept.add({ timeMs: t * 10_000, durationMs: 10_000, counts, total: 0, bytes: 0 });
            }
            const now = t * 10_000;
            const got = kept.bucketCounts(now, spanSlots * slotMs, new Float64Array(B));
            for (let b = 0; b < B; b++) if (got[b] !== kept.rangeCount(b, b + 1, now, spanSlots * slotMs)) return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});

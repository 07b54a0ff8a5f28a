/** The study's reduction: verdicts judged on intervals, Pareto fronts, entries. */
import { describe, expect, it } from 'vitest';
import { frontVerdict, paretoFront, studyEntry, verdicts } from '../../src/experiment/study.ts';
import { forestRows, studyHtml } from '../../src/report/study-report.ts';
import { ratioStats, seedStats } from '../../src/experiment/seeds.ts';
import type { Summary } from '../../src/experiment/summary.ts';

/** A summary whose seeds block has the given ratios (a: per-seed predictive values, b: baseline's). */
function summary(name: string, ratios: Record<string, Record<string, [number[], number[]]>>, policies: Record<string, { kind: string }> = {}): Summary {
  const r = Object.fromEntries(Object.entries(ratios).map(([k, m]) => [k, Object.fromEntries(Object.entries(m).map(([mm, [a, b]]) => [mm, ratioStats(a, b)]))]));
  return { scenario: name, seed: 1, policies, seeds: { seeds: [1, 2, 3], policies: { predictive: { sloViolationRate: seedStats([0.01, 0.02, 0.03]) } }, ratios: r } } as unknown as Summary;
}

describe('study verdicts', () => {
  it('periodic slow: a cut of ≥ 80% at no more bytes is met only when the intervals say so', () => {
    const good = summary('daily-peak-slow', {
      'predictive/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [[5, 5.2, 4.8], [10, 10, 10]] },
      'oracle/predictive': { p99LatencyMs: [[2, 2, 2], [2, 2, 2]], recordSecondsOverSlo: [[1, 1, 1], [2, 2.2, 1.8]] },
    });
    const v = verdicts(good, 'slow', 'periodic');
    expect(v.map((x) => x.met)).toEqual([true, true, true]);
    // the same means with a wide interval: not met
    const wide = summary('daily-peak-slow', {
      'predictive/reactive': { sloViolationRate: [[0.2, 3, 0.1], [10, 10, 10]], movedBytes: [[5, 5, 5], [10, 10, 10]] },
    });
    expect(verdicts(wide, 'slow', 'periodic')[0].met).toBe(false);
  });

  it('periodic slow: nothing moved at every seed is no more bytes (a ratio of 0 leaves the geometric mean undefined)', () => {
    const still = (slo: number[]) => summary('daily-peak-slow', { 'predictive/reactive': { sloViolationRate: [slo, [10, 10, 10]], movedBytes: [[0, 0, 0], [10, 12, 9]] } });
    expect(verdicts(still([1, 1.1, 0.9]), 'slow', 'periodic')[0].met).toBe(true);
    expect(verdicts(still([1.8, 2.2, 1.6]), 'slow', 'periodic')[0].met).toBe(false);
    // both moved nothing: no ratio, no verdict on bytes from the ratios alone
    const none = summary('daily-peak-slow', { 'predictive/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [[0, 0, 0], [0, 0, 0]] } });
    expect(verdicts(none, 'slow', 'periodic')[0].met).toBeNull();
    // with the per-seed bytes: no more at every seed (0 against 0) is no more bytes; more where the
    // other moved nothing is more
    const withBytes = (a: number[], b: number[]) => {
      const s = summary('daily-peak-slow', { 'predictive/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [a, b] } });
      const stats = (v: number[]) => ({ movedBytes: seedStats(v, true) });
      return { ...s, seeds: { ...s.seeds!, policies: { predictive: stats(a), reactive: stats(b) } } } as Summary;
    };
    expect(verdicts(withBytes([0, 0, 0], [0, 0, 0]), 'slow', 'periodic')[0].met).toBe(true);
    expect(verdicts(withBytes([0, 0, 0], [2 ** 31, 0, 2 ** 30]), 'slow', 'periodic')[0].detail).toContain('moved bytes per seed 0, 0, 0 GiB against 2, 0, 1 GiB');
    expect(verdicts(withBytes([0, 5, 0], [0, 0, 3]), 'slow', 'periodic')[0].met).toBe(false);
    expect(verdicts(withBytes([0, 2, 0], [0, 3, 0]), 'slow', 'periodic')[0].met).toBe(true);
  });

  it('periodic slow: says whether the hindsight lane (every arrival known ahead) reaches the same cut', () => {
    const s = summary('daily-peak-slow', {
      'predictive/reactive': { sloViolationRate: [[8, 8, 8], [10, 10, 10]], movedBytes: [[12, 12, 12], [10, 10, 10]] },
      'hindsight/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [[3, 3, 3], [10, 10, 10]] },
      'hindsight/predictive': { sloViolationRate: [[1, 1, 1], [8, 8, 8]] },
    });
    const v = verdicts(s, 'slow', 'periodic');
    const h = v.filter((x) => x.target.startsWith('hindsight/'));
    expect(h.map((x) => [x.target.split(' ')[0], x.met])).toEqual([['hindsight/reactive', true]]); // only against reactive baselines
    expect(v.find((x) => x.target.startsWith('predictive/reactive'))!.met).toBe(false);
    const far = summary('daily-peak-slow', { 'hindsight/reactive': { sloViolationRate: [[5, 5, 5], [10, 10, 10]], movedBytes: [[3, 3, 3], [10, 10, 10]] } });
    expect(verdicts(far, 'slow', 'periodic').find((x) => x.target.startsWith('hindsight/'))!.met).toBe(false);
    expect(verdicts(far, 'fast', 'periodic').some((x) => x.target.startsWith('hindsight/'))).toBe(false);
  });

  it("periodic slow: says whether a perfect forecast reaches the cut against each reactive lane (the forecast's ceiling)", () => {
    const kinds = { reactive: { kind: 'reactive' }, reactive_fair: { kind: 'reactive' }, predictive: { kind: 'predictive' }, oracle: { kind: 'oracle' }, hindsight: { kind: 'hindsight' } };
    const s = summary(
      'daily-peak-slow',
      {
        'oracle/predictive': { sloViolationRate: [[1, 1, 1], [2, 2, 2]] },
        'oracle/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [[3, 3, 3], [10, 10, 10]] },
        'oracle/reactive_fair': { sloViolationRate: [[4, 4.2, 3.8], [10, 10, 10]], movedBytes: [[3, 3, 3], [10, 10, 10]] },
        'hindsight/oracle': { sloViolationRate: [[1, 1, 1], [2, 2, 2]], movedBytes: [[3, 3, 3], [10, 10, 10]] },
      },
      kinds,
    );
    const ceiling = verdicts(s, 'slow', 'periodic').filter((x) => x.target.includes("forecast's ceiling"));
    expect(ceiling.map((x) => [x.target.split(' ')[0], x.met])).toEqual([
      ['oracle/reactive', true],
      ['oracle/reactive_fair', false],
    ]);
    expect(ceiling[1].detail).toMatch(/^violations 0\.4/);
    // only in the slow periodic regime, and only against reactive lanes (not over predictive or from hindsight)
    expect(verdicts(s, 'fast', 'periodic').some((x) => x.target.includes("forecast's ceiling"))).toBe(false);
    expect(verdicts(s, 'slow', 'bursts').some((x) => x.target.includes("forecast's ceiling"))).toBe(false);
  });

  it("the forest chart's pairs: predictive over each baseline, the oracle over predictive, then the oracle over each reactive lane", () => {
    const r = (m: number) => ({ sloViolationRate: ratioStats([m, m * 1.1, m * 0.9], [1, 1, 1]) });
    const e = {
      scenario: 'daily-peak-slow',
      ratios: { 'oracle/reactive_fair': r(0.4), 'hindsight/reactive': r(0.5), 'oracle/predictive': r(0.8), 'predictive/static': r(0.1), 'predictive/reactive_fair': r(0.6), 'oracle/reactive': r(0.2), 'predictive/reactive': r(0.3) },
    } as unknown as Parameters<typeof forestRows>[0][number];
    expect(forestRows([e]).map((x) => x.pair)).toEqual(['predictive/reactive', 'predictive/reactive_fair', 'predictive/static', 'oracle/predictive', 'oracle/reactive', 'oracle/reactive_fair']);
  });

  it('says whether predictive beats keeping a layout (each static lane), beyond the interval, in every regime', () => {
    const s = summary(
      'daily-peak-slow',
      {
        'predictive/reactive': { sloViolationRate: [[8, 8, 8], [10, 10, 10]], movedBytes: [[12, 12, 12], [10, 10, 10]] },
        'predictive/static': { sloViolationRate: [[8, 8.5, 7.5], [60, 60, 60]] },
        'predictive/static_striped': { sloViolationRate: [[8, 8.5, 7.5], [2, 2, 2]] },
      },
      { static: { kind: 'static' }, static_striped: { kind: 'static' }, reactive: { kind: 'reactive' }, predictive: { kind: 'predictive' } },
    );
    for (const regime of ['slow', 'fast'] as const) {
      const v = verdicts(s, regime, 'periodic');
      const keep = v.filter((x) => /^predictive\/static/.test(x.target)).map((x) => [x.target.split(':')[0], x.met]);
      expect(keep).toEqual([['predictive/static', true], ['predictive/static_striped', false]]);
    }
    // the static lanes are not reactive baselines of the ≥ 80% target
    expect(verdicts(s, 'slow', 'periodic').filter((x) => x.target.includes('≥ 80%')).map((x) => x.target.split(':')[0])).toEqual(['predictive/reactive']);
  });

  it('the oracle worse than predictive beyond the interval is flagged', () => {
    const bad = summary('tail-growth-fast', { 'oracle/predictive': { recordSecondsOverSlo: [[3, 3.1, 2.9], [1, 1, 1]] } });
    const v = verdicts(bad, 'fast', 'periodic');
    expect(v).toHaveLength(1);
    expect(v[0].met).toBe(false);
    const undef = summary('tail-growth-fast', { 'oracle/predictive': { recordSecondsOverSlo: [[0, 0, 0], [0, 0, 0]] } });
    expect(verdicts(undef, 'fast', 'periodic')[0].met).toBeNull();
  });

  it('bursts: predictive within 10% of reactive on violations and record-seconds', () => {
    const s = summary('bursts-fast', {
      'predictive/reactive': { sloViolationRate: [[1, 1.02, 0.99], [1, 1, 1]], recordSecondsOverSlo: [[1.5, 1.6, 1.4], [1, 1, 1]] },
    });
    const v = verdicts(s, 'fast', 'bursts');
    expect(v[0].met).toBe(false);
  });
});

describe('Pareto fronts', () => {
  it('marks the non-dominated points of each policy', () => {
    const pt = (policy: string, threshold: number, slo: number, bytes: number) => ({ policy, threshold, sloViolationRate: seedStats([slo]), movedBytes: seedStats([bytes]) });
    const f = paretoFront([pt('p', 0.02, 0.01, 100), pt('p', 0.05, 0.02, 50), pt('p', 0.1, 0.03, 60), pt('r', 0.1, 0.5, 1000)]);
    expect(f.map((x) => x.pareto)).toEqual([true, true, false, true]);
  });

  it("predictive's front dominates the baseline's only when every baseline point is beaten beyond the intervals at no more bytes", () => {
    const pt = (policy: string, slo: number[], bytes: number, churnBudget?: number) => ({ policy, threshold: 0.05, ...(churnBudget ? { churnBudget } : {}), sloViolationRate: seedStats(slo), movedBytes: seedStats([bytes, bytes, bytes]) });
    const base = [pt('reactive_fair', [0.3, 0.32, 0.34], 100), pt('reactive_fair', [0.4, 0.42, 0.44], 50, 0.03)];
    const met = frontVerdict([...base, pt('predictive', [0.1, 0.11, 0.12], 90), pt('predictive', [0.2, 0.21, 0.22], 40)])!;
    expect(met.met).toBe(true);
    expect(met.detail).toBe('2 of 2 reactive_fair points dominated');
    // the cheap baseline point has no predictive point at ≤ its bytes
    const cheap = frontVerdict([...base, pt('predictive', [0.1, 0.11, 0.12], 90), pt('predictive', [0.2, 0.21, 0.22], 60)])!;
    expect(cheap.met).toBe(false);
    expect(cheap.detail).toMatch(/1 of 2 .*not: budget 0.03\/h at threshold 0.05 \(42.0%, 0 GiB\)/);
    // fewer by the means but the intervals overlap: not shown
    const overlap = frontVerdict([base[0], pt('predictive', [0.2, 0.3, 0.4], 90)])!;
    expect(overlap.met).toBe(false);
    expect(frontVerdict(base)).toBeNull();
    // a slow periodic entry carries it; a fast one does not
    const s = summary('daily-peak-slow', {});
    expect(studyEntry('x.yaml', s, [...base, pt('predictive', [0.1, 0.11, 0.12], 10)]).verdicts.at(-1)!.met).toBe(true);
    expect(studyEntry('x.yaml', { ...s, scenario: 'daily-peak-fast' } as Summary, base).verdicts.some((v) => v.target.includes('front'))).toBe(false);
  });
});

describe('study entries and page', () => {
  it('carry regime, workload, seeds and verdicts, and the page names every scenario', () => {
    const s = summary('bursts-slow', {});
    const e = studyEntry('scenarios/study/bursts-slow.yaml', s, []);
    expect(e).toMatchObject({ regime: 'slow', workload: 'bursts', seeds: [1, 2, 3] });
    expect(e.policies.predictive.sloViolationRate!.mean).toBeCloseTo(0.02, 12);
    expect(e.decomposition).toBeUndefined(); // no oracle in this one
    const withOracle = {
      ...s,
      seeds: {
        ...s.seeds!,
        policies: { predictive: { recordSecondsOverSlo: seedStats([5, 7, 9]) }, oracle: { recordSecondsOverSlo: seedStats([2, 3, 4]) }, hindsight: { recordSecondsOverSlo: seedStats([1, 2, 2]) } },
        bounds: { recordSecondsOverSlo: seedStats([1, 1, 1]), sloViolationRate: seedStats([0, 0, 0]), meanExcessLatencyMs: seedStats([0, 0, 0]) },
      },
    } as Summary;
    const d = studyEntry('x.yaml', withOracle, []).decomposition!;
    expect(d.forecastError.values).toEqual([3, 4, 5]);
    expect(d.controlGap!.values).toEqual([1, 2, 3]);
    expect(d.hindsightGap!.values).toEqual([4, 5, 7]);
    expect(studyHtml([studyEntry('x.yaml', withOracle, [])], 'npm run study')).toContain('predictive − hindsight');
    const html = studyHtml([e], 'npm run study');
    expect(html).toContain('bursts-slow');
    expect(html).toContain('npm run study');
  });

  it('the page counts targets only: the references (hindsight, the forecast\'s ceiling) are shown apart, not counted', () => {
    const kinds = { reactive: { kind: 'reactive' }, predictive: { kind: 'predictive' }, oracle: { kind: 'oracle' } };
    const s = summary(
      'daily-peak-slow',
      {
        'predictive/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [[5, 5.2, 4.8], [10, 10, 10]] },
        'oracle/predictive': { p99LatencyMs: [[2, 2, 2], [2, 2, 2]], recordSecondsOverSlo: [[1, 1, 1], [2, 2.2, 1.8]] },
        'oracle/reactive': { sloViolationRate: [[5, 5, 5], [10, 10, 10]], movedBytes: [[3, 3, 3], [10, 10, 10]] },
        'hindsight/reactive': { sloViolationRate: [[1, 1.1, 0.9], [10, 10, 10]], movedBytes: [[3, 3, 3], [10, 10, 10]] },
      },
      kinds,
    );
    const e = studyEntry('x.yaml', s, []);
    expect(e.verdicts.map((v) => [v.met, v.reference ?? false])).toEqual([
      [true, false],
      [true, true],
      [false, true],
      [true, false],
      [true, false],
    ]);
    const html = studyHtml([e], 'npm run study');
    expect(html).toContain('<b>3 of 3 targets met</b>');
    expect(html).toContain('<td>3 of 3</td>');
    expect(html).toContain('<h3>References (not targets)</h3>');
  });
});

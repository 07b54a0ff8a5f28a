import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { KeyDistributionProfiler, type ModelName } from '../../src/profiler/index.ts';

const MIN = 60_000;
const B = 64;
const DAYISH = 60 * MIN; // a one-hour "season" keeps the test small

/** Feeds `minutes` of 10-second ticks: a hot band that moves, plus background; new keys at the top after `newAt`. */
function drive(kdp: KeyDistributionProfiler, minutes: number, newAt = Infinity): void {
  const r = new RandomSource(5).fork('wl');
  const counts = new Float64Array(B); // reused like the workload's buffer
  for (let t = 0; t < minutes * MIN; t += 10_000) {
    counts.fill(0);
    const rate = 100 * (1 + 0.5 * Math.sin((2 * Math.PI * t) / DAYISH));
    const hot = Math.floor(((t / DAYISH) % 1) * 48);
    for (let b = 0; b < 48; b++) counts[b] = Math.round((b === hot ? 20 : 1) * rate * 0.02 * (0.9 + 0.2 * r.next()));
    if (t >= newAt) for (let b = 56; b < 60; b++) counts[b] = 200;
    let total = 0;
    for (const c of counts) total += c;
    kdp.observe({ timeMs: t, durationMs: 10_000, counts, total, bytes: total });
  }
}

const make = (models: readonly ModelName[] = ['auto']) =>
  new KeyDistributionProfiler({ buckets: B, windowMs: MIN, models: [...models], seasonsMs: [DAYISH], historyMs: 6 * DAYISH, rng: new RandomSource(1).fork('kdp'), ranges: 4, microGroups: 16, refitEveryWindows: 60, fitWindows: 240, evalHorizonWindows: 10 });

describe('KeyDistributionProfiler', () => {
  it('forecasts shares that sum to 1, loads consistent with the total rate, ordered quantiles', () => {
    const kdp = make();
    drive(kdp, 5 * 60);
    const f = kdp.forecast(5 * 60 * MIN, 10);
    expect(f.windows).toHaveLength(10);
    expect(f.windows[0].startMs).toBe(5 * 60 * MIN);
    for (const w of f.windows) {
      const s = w.ranges.reduce((a, r) => a + r.probability, 0);
      expect(s).toBeCloseTo(1, 9);
      const load = w.expectedLoad.reduce((a, v) => a + v, 0);
      expect(load).toBeCloseTo(w.totalRate.mean, 6);
      expect(w.totalRate.p10).toBeLessThanOrEqual(w.totalRate.p50);
      expect(w.totalRate.p90).toBeGreaterThanOrEqual(w.totalRate.p50);
      for (let b = 0; b < B; b++) expect(w.upperLoad![b]).toBeGreaterThanOrEqual(w.expectedLoad[b] - 1e-9);
      // ranges tile the key space
      expect(w.ranges[0].range.start).toBe(0);
      expect(w.ranges[w.ranges.length - 1].range.end).toBe(B);
      for (const r of w.ranges) expect(r.model).toBeTruthy();
    }
    // total rate near the truth: per 10-s tick 47 background buckets and one hot one (×20)
    const truth = (100 * (1 + 0.5 * Math.sin((2 * Math.PI * (5 * 60 * MIN + 30_000)) / DAYISH)) * 0.02 * (47 + 20)) / 10;
    expect(Math.abs(f.windows[0].totalRate.mean - truth) / truth).toBeLessThan(0.2);
    const acc = kdp.accuracy();
    expect(acc.windows).toBe(0);
    // one choice per range, then the total; fitted by now, so each is one of the candidates
    const choices = kdp.modelChoices();
    expect(choices.map((c) => c.range)).toEqual([...kdp.ranges, 'total']);
    for (const c of choices) expect(['seasonal-naive', 'ets', 'mstl', 'arima', 'ensemble']).toContain(c.model);
    expect(Object.keys(choices.at(-1)!.scores).length).toBeGreaterThan(0);
  });

  it('tracks the accuracy of issued forecasts and re-cuts ranges toward equal load', () => {
    const kdp = make();
    const r = new RandomSource(2).fork('x');
    const counts = new Float64Array(B);
    for (let t = 0; t < 4 * 60 * MIN; t += 10_000) {
      counts.fill(1);
      counts[3] = 200 + 10 * r.next(); // all load near the start
      kdp.observe({ timeMs: t, durationMs: 10_000, counts, total: 263, bytes: 0 });
      if (t % (5 * MIN) === 0) kdp.forecast(t, 5);
    }
    const acc = kdp.accuracy();
    expect(acc.windows).toBeGreaterThan(100);
    expect(acc.smape).toBeLessThan(10);
    expect(acc.coverage80).toBeGreaterThan(0.3);
    const widths = kdp.ranges.map((x) => x.end - x.start);
    expect(widths[0]).toBeLessThan(B / 4); // the hot start got a narrow range
  });

  it('flags new keys appearing at the top of the key space', () => {
    const kdp = make(['seasonal-naive']);
    drive(kdp, 3 * 60, 2 * 60 * MIN);
    const flags = kdp.anomalies().filter((a) => a.kind === 'new-keys');
    expect(flags.length).toBeGreaterThan(0);
    expect(flags[0].range!.start).toBeGreaterThanOrEqual(56);
    expect(flags[0].timeMs).toBe(2 * 60 * MIN);
  });

  it('is byte-deterministic for the same seed and input', () => {
    const a = make();
    const b = make();
    drive(a, 3 * 60);
    drive(b, 3 * 60);
    const ser = (k: KeyDistributionProfiler) => JSON.stringify(k.forecast(3 * 60 * MIN, 5), (_k, v) => (v instanceof Float64Array ? Array.from(v) : v));
    expect(ser(a)).toBe(ser(b));
  });

  it('forecasts a band that travels along the key space by moving it (the drift picture)', () => {
    // one bucket per group; a 4-h season, so the drift baseline needs 4 hourly blocks
    const kdp = new KeyDistributionProfiler({ buckets: B, windowMs: MIN, models: ['seasonal-naive'], seasonsMs: [4 * DAYISH], rng: new RandomSource(1).fork('kdp'), ranges: 4, microGroups: B });
    const bandAt = (t: number) => Math.floor(t / (30 * MIN)) % B; // 2 buckets per hour
    const counts = new Float64Array(B);
    let f = kdp.forecast(0, 1);
    for (let t = 0; t < 9 * DAYISH; t += MIN) {
      counts.fill(10);
      for (let b = bandAt(t); b < bandAt(t) + 4; b++) counts[b % B] = 400;
      kdp.observe({ timeMs: t, durationMs: MIN, counts, total: 10 * 60 + 390 * 4, bytes: 0 });
      if (t % (5 * MIN) === 0) f = kdp.forecast(t, 30);
    }
    const drift = f.windows.filter((w) => w.ranges.every((r) => r.model === 'drift'));
    expect(drift.length).toBeGreaterThan(0);
    const w = drift.at(-1)!;
    const hottest = (load: Float64Array) => load.indexOf(Math.max(...load));
    // the band's picture at that window is ahead of where it was at issue time
    expect(hottest(w.expectedLoad)).toBeGreaterThan(bandAt(f.issuedAtMs) + 1);
    // range probabilities are the drift picture's group shares, summing to 1
    expect(w.ranges.reduce((a, r) => a + r.probability, 0)).toBeCloseTo(1, 9);
  });

  it('never uses the drift picture for a band that stays put', () => {
    const kdp = new KeyDistributionProfiler({ buckets: B, windowMs: MIN, models: ['seasonal-naive'], seasonsMs: [4 * DAYISH], rng: new RandomSource(1).fork('kdp'), ranges: 4, microGroups: B });
    const counts = new Float64Array(B);
    for (let t = 0; t < 9 * DAYISH; t += MIN) {
      counts.fill(10);
      for (let b = 20; b < 24; b++) counts[b] = 400;
      kdp.observe({ timeMs: t, durationMs: MIN, counts, total: 10 * 60 + 390 * 4, bytes: 0 });
      if (t % (5 * MIN) === 0) for (const w of kdp.forecast(t, 30).windows) for (const r of w.ranges) expect(r.model).not.toBe('drift');
    }
  });

  it('spreads a range by the seasonal shape when the hot spot repeats each season but hops each window', () => {
    const season = 20 * MIN;
    const hotAt = (w: number) => (7 * w) % 20; // buckets 0..19, each once per season of 20 windows
    const kdp = new KeyDistributionProfiler({ buckets: B, windowMs: MIN, models: ['seasonal-naive'], seasonsMs: [season], rng: new RandomSource(1).fork('kdp'), ranges: 1, microGroups: B, evalHorizonWindows: 6 });
    const counts = new Float64Array(B);
    const end = 12 * season;
    for (let t = 0; t < end; t += MIN) {
      counts.fill(1);
      counts[hotAt(t / MIN)] = 300;
      kdp.observe({ timeMs: t, durationMs: MIN, counts, total: 63 + 300, bytes: 0 });
    }
    const f = kdp.forecast(end, 3);
    for (let k = 0; k < 3; k++) {
      const w = f.windows[k];
      const hot = hotAt(end / MIN + k);
      // a third of the season-back spread sits on the true hot bucket; a recent shape would put ~1 record/s there
      expect(w.expectedLoad[hot] / w.totalRate.mean).toBeGreaterThan(0.2);
    }
  });

  it('rejects batches of the wrong width', () => {
    const kdp = make();
    expect(() => kdp.observe({ timeMs: 0, durationMs: 1, counts: new Float64Array(3), total: 0, bytes: 0 })).toThrow(/buckets/);
  });
});

describe('the refit schedule', () => {
  /** `minutes` of 10-second ticks of a steady hourly cycle over 48 buckets; the level × `jump` from `jumpAt`. */
  function steady(kdp: KeyDistributionProfiler, minutes: number, jumpAt = Infinity, jump = 1): void {
    const r = new RandomSource(9).fork('wl');
    const counts = new Float64Array(B);
    for (let t = 0; t < minutes * MIN; t += 10_000) {
      const rate = 100 * (1 + 0.5 * Math.sin((2 * Math.PI * t) / DAYISH)) * (t >= jumpAt ? jump : 1);
      let total = 0;
      for (let b = 0; b < 48; b++) total += counts[b] = Math.round((b % 7 === 0 ? 5 : 1) * rate * 0.05 * (0.9 + 0.2 * r.next()));
      kdp.observe({ timeMs: t, durationMs: 10_000, counts, total, bytes: total });
      if ((t + 10_000) % (5 * MIN) === 0 && t >= 3 * DAYISH) kdp.forecast(t + 10_000, 10);
    }
  }
  const withSchedule = (refitSchedule: 'error' | 'fixed') =>
    new KeyDistributionProfiler({ buckets: B, windowMs: MIN, models: ['seasonal-naive', 'ets'], seasonsMs: [DAYISH], historyMs: 6 * DAYISH, rng: new RandomSource(1).fork('kdp'), ranges: 4, microGroups: 16, refitEveryWindows: 60, fitWindows: 240, evalHorizonWindows: 10, refitSchedule });

  it('on a steady stream puts off refits the error does not call for, at no worse accuracy', () => {
    const err = withSchedule('error');
    const fixed = withSchedule('fixed');
    steady(err, 16 * 60);
    steady(fixed, 16 * 60);
    // fixed: 16, 32, 60, then every 60 windows to 960
    expect(fixed.schedule.refits).toBe(3 + 15);
    expect(fixed.schedule.refitsSkipped).toBe(0);
    expect(err.schedule.refitsSkipped).toBeGreaterThan(0);
    expect(err.schedule.refits + err.schedule.refitsSkipped).toBeGreaterThanOrEqual(fixed.schedule.refits);
    expect(err.schedule.refits).toBeLessThan(fixed.schedule.refits);
    // at most 4 periods between refits
    expect(err.schedule.refits).toBeGreaterThanOrEqual(3 + Math.floor(15 / 4));
    expect(err.accuracy().smape).toBeLessThanOrEqual(fixed.accuracy().smape * 1.02);
  });

  it('refits between due refits when the error runs away (the level doubles)', () => {
    const kdp = withSchedule('error');
    steady(kdp, 8 * 60 + 5);
    const before = kdp.schedule.refits;
    // the jump at 8 h 5 m; the next due refit is at 9 h (540 windows): an early one comes first
    const k2 = withSchedule('error');
    steady(k2, 8 * 60 + 50, (8 * 60 + 5) * MIN, 2);
    expect(k2.schedule.refits).toBeGreaterThan(before);
  });
});

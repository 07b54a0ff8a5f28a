/** Multi-seed runs: statistics, paired ratios, expectations over seeds, and worker-count independence. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ratioPairs, ratioStats, seededExpectations, seedsBlock, seedStats } from '../../src/experiment/seeds.ts';
import type { LoadedScenario } from '../../src/scenario/load.ts';
import { parseExpectation } from '../../src/scenario/expect.ts';
import { runScenarioFileSeeds } from '../../src/api.ts';
import { withoutSeedSets } from '../../src/scenario/yaml-doc.ts';
import type { PolicySummary, Summary } from '../../src/experiment/summary.ts';

describe('seed statistics', () => {
  it('mean and 95% t-interval', () => {
    const s = seedStats([1, 2, 3, 4, 5]);
    expect(s.mean).toBe(3);
    // sd = √2.5, t(4) = 2.776
    expect(s.hi - s.mean).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
    expect(s.mean - s.lo).toBeCloseTo(s.hi - s.mean, 12);
    expect(seedStats([7])).toEqual({ mean: 7, lo: 7, hi: 7, values: [7] });
  });

  it("a non-negative metric's interval stops at 0; the upper end and the mean are unchanged", () => {
    const skewed = [0.0001, 0.0002, 0.0095]; // one bad seed: the t-interval reaches below 0
    const plain = seedStats(skewed);
    expect(plain.lo).toBeLessThan(0);
    const cut = seedStats(skewed, true);
    expect(cut.lo).toBe(0);
    expect(cut.hi).toBe(plain.hi);
    expect(cut.mean).toBe(plain.mean);
  });

  it('paired ratios: geometric mean, interval on the log scale, undefined seeds left out', () => {
    const r = ratioStats([2, 8, 0, 1], [1, 2, 0, 0]);
    expect(r.excluded).toBe(2);
    expect(r.mean).toBeCloseTo(Math.sqrt(2 * 4), 12);
    expect(r.lo).toBeLessThan(r.mean);
    expect(r.hi).toBeGreaterThan(r.mean);
    expect(r.lo * r.hi).toBeCloseTo(r.mean * r.mean, 9); // symmetric in log
    expect(r.values.slice(0, 2)).toEqual([2, 4]);
    expect(Number.isNaN(r.values[2])).toBe(true);
  });

  it('pairs predictive over reactive and static, and oracle over predictive, by kind', () => {
    const pol = (kind: string) => ({ kind }) as PolicySummary;
    expect(ratioPairs({ s: pol('static'), r: pol('reactive'), f: pol('reactive'), p: pol('predictive'), o: pol('oracle'), m: pol('mean-oracle') })).toEqual([
      ['p', 'r'],
      ['p', 'f'],
      ['p', 's'],
      ['o', 'p'],
      ['o', 'r'],
      ['o', 'f'],
    ]);
    // The headline's pair always has its ratios (its intervals come from them), whatever the kinds.
    expect(ratioPairs({ s: pol('static'), t: pol('reactive-threshold'), p: pol('predictive') })).toEqual([['p', 's'], ['p', 't']]);
    expect(ratioPairs({ s: pol('static'), t: pol('reactive-threshold') })).toEqual([['t', 's']]);
  });

  it('the block carries every seed in order', () => {
    const sum = (seed: number, a: number, b: number) =>
      ({ seed, policies: { r: { kind: 'reactive', sloViolationRate: a }, p: { kind: 'predictive', sloViolationRate: b } } }) as unknown as Summary;
    const blk = seedsBlock([sum(1, 0.1, 0.05), sum(2, 0.2, 0.05)]);
    expect(blk.seeds).toEqual([1, 2]);
    expect(blk.policies.r.sloViolationRate.values).toEqual([0.1, 0.2]);
    expect(blk.ratios['p/r'].sloViolationRate.values).toEqual([0.5, 0.25]);
  });

  it("the lower bounds' intervals stop at 0 (a bound on violations is never negative)", () => {
    const sum = (seed: number, bound: number) =>
      ({ seed, policies: {}, bounds: { recordSecondsOverSlo: bound * 1e9, sloViolationRate: bound, meanExcessLatencyMs: bound * 1e3 } }) as unknown as Summary;
    const blk = seedsBlock([sum(1, 0), sum(2, 0), sum(3, 1e-5)]);
    for (const m of ['recordSecondsOverSlo', 'sloViolationRate', 'meanExcessLatencyMs']) {
      expect(blk.bounds![m].lo).toBe(0);
      expect(blk.bounds![m].hi).toBeGreaterThan(blk.bounds![m].mean);
    }
  });
});

describe('expectation forms over seeds', () => {
  it('plain and all(seed): at every seed; mean(…) on the means', () => {
    expect(parseExpectation('a.sloViolationRate <= b.sloViolationRate').over).toBe('all');
    expect(parseExpectation('all(seed): a.sloViolationRate <= b.sloViolationRate').over).toBe('all');
    expect(parseExpectation('mean: a.sloViolationRate <= b.sloViolationRate').over).toBe('mean');
    const m = parseExpectation('mean(a.sloViolationRate) <= 0.5 * mean(b.sloViolationRate)');
    expect(m.over).toBe('mean');
    expect(m.left).toMatchObject({ policy: 'a', path: ['sloViolationRate'], mean: true });
  });
  it('rejects mixing mean(…) and plain metrics, and unknown forms', () => {
    expect(() => parseExpectation('mean(a.sloViolationRate) <= b.sloViolationRate')).toThrow(/every metric/);
    expect(() => parseExpectation('median: a.x <= b.x')).toThrow(/'mean', 'all\(seed\)' or 'interval'/);
    expect(() => parseExpectation('mean(a.x <= b.x')).toThrow();
  });

  it("interval: one metric against one other, failing only beyond the paired ratio's interval", () => {
    expect(parseExpectation('interval: a.x <= b.x').over).toBe('interval');
    expect(() => parseExpectation('interval: a.x <= 2 * b.x')).toThrow(/one metric with one other/);
    expect(() => parseExpectation('interval: mean(a.x) <= mean(b.x)')).toThrow(/one metric with one other/);
    expect(() => parseExpectation('interval: a.x == b.x')).toThrow(/< <= > or >=/);
    const outcome = (expr: string, a: number[], b: number[]) => {
      const sums = a.map((x, i) => ({ seed: i + 1, policies: { a: { kind: 'oracle', recordSecondsOverSlo: x }, b: { kind: 'predictive', recordSecondsOverSlo: b[i] } } }) as unknown as Summary);
      const loaded = { file: 'x.yaml', expectations: [parseExpectation(expr)] } as unknown as LoadedScenario;
      return seededExpectations(loaded, sums, seedsBlock(sums))[0];
    };
    // larger on the means, but not beyond the interval: holds
    const wide = outcome('interval: a.recordSecondsOverSlo <= b.recordSecondsOverSlo', [12, 5, 30], [10, 9, 11]);
    expect(wide.left).toBeGreaterThan(wide.right!);
    expect(wide.pass).toBe(true);
    expect(wide.ratio!.lo).toBeLessThan(1);
    // larger at every seed by about a half: beyond the interval, fails
    const worse = outcome('interval: a.recordSecondsOverSlo <= b.recordSecondsOverSlo', [15, 14, 16.5], [10, 9.5, 11]);
    expect(worse.pass).toBe(false);
    expect(worse.ratio!.lo).toBeGreaterThan(1);
    // the other direction
    expect(outcome('interval: b.recordSecondsOverSlo >= a.recordSecondsOverSlo', [15, 14, 16.5], [10, 9.5, 11]).pass).toBe(false);
    expect(outcome('interval: a.recordSecondsOverSlo >= b.recordSecondsOverSlo', [15, 14, 16.5], [10, 9.5, 11]).pass).toBe(true);
    // zeros everywhere: no ratio, the means decide
    const zero = outcome('interval: a.recordSecondsOverSlo <= b.recordSecondsOverSlo', [0, 0, 0], [0, 0, 0]);
    expect([zero.pass, zero.ratio]).toEqual([true, undefined]);
  });
});

describe('keycast run --seeds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-seeds-'));
  const file = path.join(dir, 'sd.yaml');
  fs.writeFileSync(
    file,
    `name: sd
seed: 5
seeds: 3
duration: 40m
warmup: 10m
tick: 2s
keyspace: { kind: user-id, keys: 5000, buckets: 64 }
workload:
  rate: 3000
  recordBytes: 256
  shape: { noise: { cv: 0.1 } }
  keys:
    - { share: 0.6, zipf: { s: 1.0, shuffle: true } }
    - { share: 0.4, band: { center: 0.4, width: 0.1, speed: 3 } }
cluster: { nodes: 3, nodeCapacity: 1300, partitions: 6, maxPartitions: 32 }
policies:
  static: { kind: static }
  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 500 }
expect:
  - static.records > 0
  - mean(reactive.recordSecondsOverSlo) <= mean(static.recordSecondsOverSlo)
`,
  );
  it('runs every seed; the result is the same for any worker count', async () => {
    const one = await runScenarioFileSeeds(file, { out: null, seedWorkers: 1, workers: 1 });
    const two = await runScenarioFileSeeds(file, { out: null, seedWorkers: 2, workers: 1 });
    const strip = (s: Summary) => JSON.stringify(s, (k, v) => (k === 'wallMs' ? undefined : v));
    expect(strip(two.summary)).toBe(strip(one.summary));
    const s = one.summary;
    expect(s.seed).toBe(5);
    expect(s.seeds!.seeds).toEqual([5, 6, 7]);
    expect(s.seeds!.policies.static.records.values[0]).toBe(s.policies.static.records); // the first seed's fields
    expect(new Set(s.seeds!.policies.static.records.values).size).toBe(3); // different seeds, different arrivals
    expect(s.expectations[0].seeds!.map((x) => x.seed)).toEqual([5, 6, 7]);
    expect(s.expectations[1].left).toBeCloseTo(s.seeds!.policies.reactive.recordSecondsOverSlo.mean, 6);
    expect(s.seeds!.bounds).toBeDefined();
    // --seeds overrides the scenario's
    const single = await runScenarioFileSeeds(file, { out: null, seeds: 1, workers: 1 });
    expect(single.summary.seeds).toBeUndefined();
    expect(single.summary.policies.static.records).toBe(s.policies.static.records);
  }, 300_000);

  it('a seed set with --set seed=… starts the seeds, as --seed does (the other seeds do not clash with it)', async () => {
    const viaSet = await runScenarioFileSeeds(file, { out: null, seeds: 2, seedWorkers: 1, workers: 1, policies: ['static'], sets: ['seed=9'] });
    const viaFlag = await runScenarioFileSeeds(file, { out: null, seeds: 2, seedWorkers: 1, workers: 1, policies: ['static'], seed: 9 });
    expect(viaSet.summary.seeds!.seeds).toEqual([9, 10]);
    expect(viaSet.summary.seeds!.policies.static.records.values).toEqual(viaFlag.summary.seeds!.policies.static.records.values);
    expect(withoutSeedSets(['seed=9', 'cluster.nodes=4', 'seeds=3'])).toEqual(['cluster.nodes=4', 'seeds=3']);
  }, 120_000);

  it('the other seeds of a bundled scenario named by its name load it from the package, not from the working folder', async () => {
    expect(fs.existsSync('flights-routes')).toBe(false);
    const r = await runScenarioFileSeeds('flights-routes', { out: null, seeds: 2, seedWorkers: 1, workers: 1, policies: ['static'], sets: ['duration=4m', 'warmup=1m'] });
    expect(r.summary.seeds!.seeds).toEqual([7, 8]);
  }, 120_000);
});

/**
 * The study's runner: the sweep's lanes are copies of the swept policies, and a copy at a setting
 * decides exactly as the policy would with that setting in a run of its own; a whole (tiny) study
 * scenario reduces to an entry with its front.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScenarioFileSeeds } from '../src/api.ts';
import { runStudy, runStudyScenario, sweepVariants, variantSets } from '../src/study.ts';
import { runStudyTask } from '../src/experiment/study-task.ts';
import type { Summary } from '../src/experiment/summary.ts';
import { loadScenario } from '../src/io/load-scenario.ts';
import { folderSpool } from '../src/io/spool-files.ts';
import { studyArgs } from '../bench/study.ts';
import { InputError } from '../src/model/errors.ts';
import { tinyStudyScenario as studyScenario } from './fixtures/study-scenario.ts';


describe('study sweep lanes', () => {
  it('one copy per swept policy and setting, named by it', () => {
    const v = sweepVariants(['static', 'predictive', 'reactive_fair'], [0.02, 0.2], [0.1]);
    expect(v.map((x) => x.lane)).toEqual([
      'reactive_fair_threshold_0_02',
      'reactive_fair_threshold_0_2',
      'reactive_fair_budget_0_1',
      'predictive_threshold_0_02',
      'predictive_threshold_0_2',
      'predictive_budget_0_1',
    ]);
    expect(sweepVariants(['static'], [0.1], [0.1])).toEqual([]);
  });

  it('copies the policy as written, with the setting and the run’s own sets on it retargeted', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-'));
    const f = studyScenario(d);
    const v = sweepVariants(['predictive'], [0.1], [0.05]);
    const sets = variantSets(f, v, ['policies.predictive.iterations=99', 'policies.predictive.threshold=0.3', 'duration=2h']);
    expect(sets[0]).toBe('policies.predictive_threshold_0_1={"kind":"predictive","every":"5m","window":"5m","horizon":"15m","iterations":200,"minHistory":"20m","threshold":0.1}');
    expect(sets[1]).toBe('policies.predictive_threshold_0_1.iterations=99'); // threshold=0.3 is the copy's own setting's
    expect(sets[2]).toMatch(/^policies\.predictive_budget_0_05=\{.*"churnBudget":\{"stateSharePerHour":0\.05\}\}$/);
    expect(sets.slice(3)).toEqual(['policies.predictive_budget_0_05.iterations=99', 'policies.predictive_budget_0_05.threshold=0.3']);
  });

  it('a copy decides exactly as the policy with that setting in a run of its own', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-'));
    const f = studyScenario(d);
    const v = sweepVariants(['predictive', 'reactive_fair'], [0.2], [0.02]);
    const all = await runScenarioFileSeeds(f, { sets: variantSets(f, v), policies: v.map((x) => x.lane), out: null });
    const alone = await runScenarioFileSeeds(f, { sets: ['policies.predictive.threshold=0.2'], policies: ['predictive'], out: null });
    const budget = await runScenarioFileSeeds(f, { sets: ['policies.reactive_fair.churnBudget={stateSharePerHour: 0.02}'], policies: ['reactive_fair'], out: null });
    const pick = (p: { sloViolationRate: number; movedBytes: number; records: number; p99LatencyMs: number }) => [p.sloViolationRate, p.movedBytes, p.records, p.p99LatencyMs];
    expect(pick(all.summary.policies.predictive_threshold_0_2)).toEqual(pick(alone.summary.policies.predictive));
    expect(pick(all.summary.policies.reactive_fair_budget_0_02)).toEqual(pick(budget.summary.policies.reactive_fair));
    // the settings really differ from the policy's own (else the test could not fail)
    const own = await runScenarioFileSeeds(f, { policies: ['predictive', 'reactive_fair'], out: null });
    expect(pick(own.summary.policies.reactive_fair)).not.toEqual(pick(budget.summary.policies.reactive_fair));
  }, 120_000);

  it('a study scenario reduces to an entry with its front: thresholds and budgets, means and intervals over the seeds; the policy’s own setting is not run twice', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-'));
    const f = studyScenario(d);
    const log: string[] = [];
    const e = await runStudyScenario(f, { dir: d, out: path.join(d, 'out'), seeds: 2, thresholds: [0.05, 0.2], budgets: [0.05], workers: 2, log: (l) => log.push(l) }, 'tiny-slow.yaml');
    expect(e).toMatchObject({ scenario: 'tiny-slow', regime: 'slow', workload: 'periodic', seeds: [5, 6] });
    expect(e.front.map((p) => [p.policy, p.threshold, p.churnBudget])).toEqual([
      ['reactive_fair', 0.05, undefined],
      ['reactive_fair', 0.2, undefined],
      ['reactive_fair', 0.05, 0.05],
      ['predictive', 0.05, undefined],
      ['predictive', 0.2, undefined],
      ['predictive', 0.05, 0.05],
    ]);
    for (const p of e.front) expect(p.sloViolationRate.values).toHaveLength(2);
    // 0.05 is the policies' own threshold: those points are the main run's lanes, not run again
    expect(log).toContain("study: tiny-slow: sweep, 4 lanes (2 the same as the main run's)");
    for (const p of e.front.filter((x) => x.threshold === 0.05 && x.churnBudget === undefined)) {
      expect(p.sloViolationRate).toEqual(e.policies[p.policy].sloViolationRate);
      expect(p.movedBytes).toEqual(e.policies[p.policy].movedBytes);
    }
    expect(e.front[1].movedBytes).not.toEqual(e.front[0].movedBytes);
    expect(e.verdicts.some((v) => v.target.startsWith("predictive's aggressiveness front dominates reactive_fair's"))).toBe(true);
    expect(fs.existsSync(path.join(d, 'out/runs/tiny-slow/summary.json'))).toBe(true);
  }, 180_000);
});

describe('the study queue', () => {
  // every figure of a policy but its wall time (the one field that is not deterministic)
  const figures = (s: Summary | undefined) => JSON.stringify(Object.fromEntries(Object.entries(s!.policies).map(([n, p]) => [n, { ...p, wallMs: 0 }])));

  it('a seed’s main and sweep lanes in one run give each half the summary of its own run', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-'));
    const f = studyScenario(d);
    const v = sweepVariants(['predictive', 'reactive_fair'], [0.2], [0.02]);
    const sweep = { sets: variantSets(f, v), policies: v.map((x) => x.lane) };
    const base = { file: f, seed: 9, version: 't' };
    const both = runStudyTask({ ...base, main: [], sweep }, loadScenario, folderSpool);
    const main = runStudyTask({ ...base, main: [] }, loadScenario, folderSpool);
    const alone = runStudyTask({ ...base, sweep }, loadScenario, folderSpool);
    expect(Object.keys(both.main!.policies)).toEqual(['static', 'reactive_fair', 'predictive']);
    expect(Object.keys(both.sweep!.policies)).toEqual(v.map((x) => x.lane));
    expect(figures(both.main)).toBe(figures(main.main));
    expect(figures(both.sweep)).toBe(figures(alone.sweep));
    expect({ ...both.main!, policies: {} }).toEqual({ ...main.main!, policies: {} });
    expect(both.main!.scenarioHash).not.toBe(both.sweep!.scenarioHash); // each half is summarised as its own scenario
    // the halves differ (else the test could not fail)
    expect(figures({ policies: { x: both.main!.policies.predictive } } as unknown as Summary)).not.toBe(figures({ policies: { x: both.sweep!.policies.predictive_threshold_0_2 } } as unknown as Summary));
  }, 120_000);

  it('the same entries and reports for any number of threads; every scenario’s report written', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-'));
    const files = [studyScenario(d, 'tiny-slow'), studyScenario(d, 'tiny-fast')];
    const o = { dir: d, seeds: 2, thresholds: [0.2], budgets: [] };
    const one = await runStudy(files, { ...o, out: path.join(d, 'one'), workers: 1 });
    const two = await runStudy(files, { ...o, out: path.join(d, 'two'), workers: 2 });
    expect(one.map((e) => e.scenario)).toEqual(['tiny-slow', 'tiny-fast']);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    for (const out of ['one', 'two']) {
      for (const name of ['tiny-slow', 'tiny-fast']) {
        const s = JSON.parse(fs.readFileSync(path.join(d, out, 'runs', name, 'summary.json'), 'utf8')) as Summary;
        expect(s.seeds!.seeds).toEqual([5, 6]);
        expect(Object.keys(s.policies)).toEqual(['static', 'reactive_fair', 'predictive']);
        expect(fs.readFileSync(path.join(d, out, 'runs', name, 'predictive', 'timeseries.csv'), 'utf8').split('\n').length).toBeGreaterThan(10);
      }
    }
    const csv = (out: string) => fs.readFileSync(path.join(d, out, 'runs', 'tiny-fast', 'predictive', 'timeseries.csv'), 'utf8');
    expect(csv('two')).toBe(csv('one'));
  }, 180_000);

  it('a bad scenario among good ones: exit-2 input, nothing written', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-'));
    const good = studyScenario(d, 'tiny-slow');
    const bad = path.join(d, 'bad-slow.yaml');
    fs.writeFileSync(bad, fs.readFileSync(good, 'utf8').replace('name: tiny-slow', 'name: bad-slow').replace('duration: 80m', 'duration: often'));
    await expect(runStudy([good, bad], { dir: d, out: path.join(d, 'out'), seeds: 2, thresholds: [0.2], budgets: [] })).rejects.toBeInstanceOf(InputError);
    expect(fs.existsSync(path.join(d, 'out'))).toBe(false);
  }, 60_000);
});

describe('npm run study flags', () => {
  it('every bad flag at once, one line each, naming the flag', () => {
    const err = (() => {
      try {
        studyArgs(['--seeds', '0', '--thresholds', '0.1,x', '--only', 'nope', '--bogus']);
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.problems.map((p) => p.path)).toEqual(['--seeds', '--thresholds', '--bogus', '--only']);
    expect(studyArgs(['--only', 'bursts-slow', '--budgets', 'none']).budgets).toEqual([]);
    expect(() => studyArgs(['--only', 'nope'])).toThrow(/--only: no scenario nope/);
    for (const v of ['64', 'x', '-1', '1.5']) expect(() => studyArgs(['--worker-heap', v]), v).toThrow(/--worker-heap: .* heap size in MB/);
    expect(studyArgs(['--worker-heap', '0']).workerHeapMb).toBe(0);
    expect(studyArgs(['--worker-heap', '2048']).workerHeapMb).toBe(2048);
  });
});

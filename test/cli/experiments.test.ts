import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { meanCi, parseShard, planSweep, tQuantile975 } from '../../src/experiment/sweep.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { compareSummaries } from '../../src/experiment/compare.ts';
import type { Summary } from '../../src/experiment/summary.ts';
import { kcInProcess } from '../fixtures/in-process.ts';

const ROOT = path.join(__dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
// Progress bars off, as in CI.
process.env.CI = '1';
/** Runs the CLI in this process from the repository's root. */
const kc = (args: string[]) => kcInProcess(args, ROOT);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kc-exp-'));
const SHORT = ['--set', 'duration=20m', '--set', 'warmup=5m'];

/** A scenario with a sweep grid, short enough for tests. */
function sweepScenario(dir: string): string {
  const f = path.join(dir, 'sw.yaml');
  fs.writeFileSync(f, fs.readFileSync(TINY, 'utf8').replace('name: tiny', 'name: sw') + 'sweep:\n  seeds: 2\n  grid: { cluster.nodes: [3, 4], policies.threshold.highWater: [0.7, 0.9] }\n');
  return f;
}

describe('sweep planning', () => {
  it('orders runs grid-major then seed, and shards by run index', async () => {
    const d = tmp();
    const loaded = loadScenario(sweepScenario(d));
    const all = planSweep(loaded);
    expect(all.total).toBe(8);
    expect(all.runs.map((r) => [r.point.join('/'), r.seed])).toEqual([
      ['3/0.7', 5], ['3/0.7', 6], ['3/0.9', 5], ['3/0.9', 6], ['4/0.7', 5], ['4/0.7', 6], ['4/0.9', 5], ['4/0.9', 6],
    ]);
    const s2 = planSweep(loaded, { shard: { index: 2, count: 3 } });
    expect(s2.runs.map((r) => r.index)).toEqual([1, 4, 7]);
    expect(s2.sweepId).toBe(all.sweepId);
    expect(planSweep(loaded, { seeds: 3 }).sweepId).not.toBe(all.sweepId);
    expect(() => parseShard('0/2')).toThrow();
    expect(() => parseShard('3/2')).toThrow();
    expect(parseShard('2/2')).toEqual({ index: 2, count: 2 });
  });

  it('computes t-based 95% confidence intervals', async () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706);
    expect(tQuantile975(1000)).toBeCloseTo(1.96);
    const { mean, ci95, n } = meanCi([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(n).toBe(4);
    expect(ci95).toBeCloseTo((3.182 * Math.sqrt(5 / 3)) / 2, 3);
  });
});

describe('keycast sweep, merge, check, compare, report, capacity', () => {
  it('merged shards equal the unsharded sweep, byte for byte except wallMs; worker threads equal in-process runs', async () => {
    const d = tmp();
    const f = sweepScenario(d);
    const full = (await kc(['sweep', f, ...SHORT, '--workers', '2', '--out', path.join(d, 'all')]));
    expect(full.err).toBe('');
    expect(full.code).toBe(0);
    for (const i of [1, 2, 3]) expect((await kc(['sweep', f, ...SHORT, '--workers', '1', '--shard', `${i}/3`, '--out', path.join(d, `s${i}`)])).code).toBe(0);
    expect((await kc(['merge', path.join(d, 's1'), path.join(d, 's2'), path.join(d, 's3'), '--out', path.join(d, 'm')])).code).toBe(0);
    const noWall = (p: string) => fs.readFileSync(p, 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -1).join(','));
    expect(noWall(path.join(d, 'm/results.csv'))).toEqual(noWall(path.join(d, 'all/results.csv')));
    expect(fs.readFileSync(path.join(d, 'm/aggregate.csv'), 'utf8')).toBe(fs.readFileSync(path.join(d, 'all/aggregate.csv'), 'utf8'));
    expect(fs.readFileSync(path.join(d, 'all/index.html'), 'utf8')).toContain('Pareto');
    const agg = fs.readFileSync(path.join(d, 'all/aggregate.csv'), 'utf8').split('\n');
    expect(agg[0]).toMatch(/^cluster\.nodes,policies\.threshold\.highWater,policy,runs,records\.mean,records\.ci95/);
    expect(agg.length - 2).toBe(4 * 2); // 4 grid points × 2 policies
    // Missing or foreign shards are bad input.
    const missing = (await kc(['merge', path.join(d, 's1'), path.join(d, 's2'), '--out', path.join(d, 'm2')]));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/runs missing/);
    expect((await kc(['sweep', f, ...SHORT, '--shard', '1/2', '--seeds', '1', '--out', path.join(d, 'other')])).code).toBe(0);
    const foreign = (await kc(['merge', path.join(d, 's1'), path.join(d, 'other'), '--out', path.join(d, 'm3')]));
    expect(foreign.code).toBe(2);
    expect(foreign.err).toMatch(/shard of another sweep/);
    expect(fs.existsSync(path.join(d, 'm3'))).toBe(false);
  });

  it('merge refuses shards run with different --policies, naming the shard and the policies (exit 2, nothing written)', async () => {
    const d = tmp();
    const f = sweepScenario(d);
    const sweep = async (...args: string[]) => expect((await kc(['sweep', f, ...SHORT, '--workers', '1', ...args])).code).toBe(0);
    await sweep('--shard', '1/2', '--policies', 'static', '--out', path.join(d, 'a'));
    await sweep('--shard', '2/2', '--out', path.join(d, 'b'));
    const r = await kc(['merge', path.join(d, 'a'), path.join(d, 'b'), '--out', path.join(d, 'm')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${path.join(d, 'b', 'sweep.json')}: shard of another sweep than ${path.join(d, 'a')}: policies static, threshold here, static there (another --policies: give every shard the same)\n`);
    expect(fs.existsSync(path.join(d, 'm'))).toBe(false);
    // sweep.json says which policies ran (and the kinds of those only); the id covers them.
    const manifest = JSON.parse(fs.readFileSync(path.join(d, 'a/sweep.json'), 'utf8')) as { policies: string[]; kinds: Record<string, string> };
    expect(manifest.policies).toEqual(['static']);
    expect(manifest.kinds).toEqual({ static: 'static' });
    const all = planSweep(loadScenario(f)).sweepId;
    expect(planSweep(loadScenario(f, { policies: ['static'] })).sweepId).not.toBe(all);
    expect(planSweep(loadScenario(f, { policies: ['static', 'threshold'] })).sweepId).toBe(all);
  });

  it('merge refuses a shard whose results.csv lost a row, naming the file and the row (exit 2, nothing written)', async () => {
    const d = tmp();
    const f = sweepScenario(d);
    const sweep = async (...args: string[]) => expect((await kc(['sweep', f, ...SHORT, '--workers', '1', ...args])).code).toBe(0);
    await sweep('--shard', '1/2', '--out', path.join(d, 'a'));
    await sweep('--shard', '2/2', '--out', path.join(d, 'b'));
    const results = path.join(d, 'a', 'results.csv');
    const lines = fs.readFileSync(results, 'utf8').split('\n');
    const [run, , , , policy] = lines[2].split(',');
    fs.writeFileSync(results, lines.filter((_, i) => i !== 2).join('\n')); // as `sed -i 3d`
    const r = await kc(['merge', path.join(d, 'a'), path.join(d, 'b'), '--out', path.join(d, 'm')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${results}: 1 row(s) that sweep.json declares are missing (4 runs × policies static, threshold): run ${run} ${policy}\n`);
    expect(fs.existsSync(path.join(d, 'm'))).toBe(false);
  });

  it('check runs a folder, writes JUnit and exits 1 when an expectation breaks, 2 on bad input', async () => {
    const d = tmp();
    const dir = path.join(d, 'sc');
    fs.mkdirSync(dir);
    const good = fs.readFileSync(TINY, 'utf8').replace('duration: 1h', 'duration: 20m').replace('warmup: 10m', 'warmup: 5m');
    fs.writeFileSync(path.join(dir, 'a.yaml'), good.replace('name: tiny', 'name: a'));
    let r = (await kc(['check', dir, '--junit', path.join(d, 'j.xml')]));
    expect(r.code).toBe(0);
    const xml = fs.readFileSync(path.join(d, 'j.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="a"[^>]* tests="3" failures="0"/);
    expect(xml).toContain('<testcase classname="a" name="static.records &gt; 0"');
    fs.writeFileSync(path.join(dir, 'b.yaml'), good.replace('name: tiny', 'name: b').replace('static.records > 0', 'static.records < 0'));
    r = (await kc(['check', dir, '--junit', path.join(d, 'j.xml')]));
    expect(r.code).toBe(1);
    expect(fs.readFileSync(path.join(d, 'j.xml'), 'utf8')).toMatch(/<failure message="static\.records &lt; 0: left \d+, right 0"/);
    expect(r.out).toMatch(/FAIL +b: 1\/2 expectations/);
    fs.writeFileSync(path.join(dir, 'c.yaml'), 'name: c\nduration: soon\n');
    r = (await kc(['check', dir, '--junit', path.join(d, 'j.xml')]));
    expect(r.code).toBe(2);
    expect(fs.readFileSync(path.join(d, 'j.xml'), 'utf8')).toMatch(/<error message="bad input" type="InputError">.*c\.yaml:2:11 duration: not a duration/);
  });

  it('check --seeds N checks every expectation at every seed and names the seeds where one fails', async () => {
    const d = tmp();
    const good = fs.readFileSync(TINY, 'utf8').replace('duration: 1h', 'duration: 20m').replace('warmup: 10m', 'warmup: 5m');
    const f = path.join(d, 'a.yaml');
    fs.writeFileSync(f, good);
    // Per-seed record counts, then a bound between them: it holds at some seeds only.
    const run = (await kc(['run', f, '--seeds', '3', '--json']));
    expect(run.code).toBe(0);
    const seeds = (JSON.parse(run.out) as Summary).seeds!;
    const values = seeds.policies.static.records.values;
    const mid = [...values].sort((a, b) => a - b)[1];
    const failing = seeds.seeds.filter((_, i) => !(values[i] < mid + 0.5));
    expect(failing.length).toBe(1);
    fs.writeFileSync(f, good.replace('static.records > 0', `static.records < ${mid + 0.5}`));
    const r = (await kc(['check', f, '--seeds', '3', '--junit', path.join(d, 'j.xml')]));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`(held at 2 of 3 seeds; failed at seed ${failing[0]})`);
    expect(fs.readFileSync(path.join(d, 'j.xml'), 'utf8')).toContain(`held at 2 of 3 seeds; failed at seed ${failing[0]}`);
    // Written over the means it is evaluated once, on the per-seed means.
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    fs.writeFileSync(f, good.replace('static.records > 0', `mean(static.records) < ${mean + 1}`));
    expect((await kc(['check', f, '--seeds', '3'])).code).toBe(0);
    expect((await kc(['check', f, '--seeds', 'two'])).code).toBe(2);
  }, 120_000);

  it('compare flags regressions beyond the tolerance; report re-renders a run from its data', async () => {
    const d = tmp();
    expect((await kc(['run', TINY, ...SHORT, '--out', path.join(d, 'a')])).code).toBe(0);
    expect((await kc(['run', TINY, ...SHORT, '--out', path.join(d, 'b')])).code).toBe(0);
    const same = (await kc(['compare', path.join(d, 'a'), path.join(d, 'b')]));
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/0 regression\(s\) beyond 5\.0% tolerance/);
    const s = JSON.parse(fs.readFileSync(path.join(d, 'a/summary.json'), 'utf8')) as Summary;
    const worse: Summary = JSON.parse(JSON.stringify(s));
    worse.policies.threshold.p99LatencyMs = s.policies.threshold.p99LatencyMs * 1.2 + 5;
    fs.mkdirSync(path.join(d, 'w'));
    fs.writeFileSync(path.join(d, 'w/summary.json'), JSON.stringify(worse));
    const reg = (await kc(['compare', path.join(d, 'a'), path.join(d, 'w'), '--tolerance', '10%']));
    expect(reg.code).toBe(1);
    expect(reg.out).toMatch(/threshold\s+p99LatencyMs.*REGRESSION/);
    expect(compareSummaries(s, worse, 0.5).find((r) => r.metric === 'p99LatencyMs' && r.policy === 'threshold')!.status).toBe('ok');
    expect((await kc(['compare', path.join(d, 'a'), path.join(d, 'nowhere')])).code).toBe(2);
    expect((await kc(['compare', path.join(d, 'a'), path.join(d, 'b'), '--tolerance', 'lots'])).code).toBe(2);
    const html = path.join(d, 'a/index.html');
    const before = fs.readFileSync(html, 'utf8');
    fs.rmSync(html);
    expect((await kc(['report', path.join(d, 'a')])).code).toBe(0);
    expect(fs.readFileSync(html, 'utf8')).toBe(before);
    expect((await kc(['report', path.join(d, 'nowhere')])).code).toBe(2);
  });

  it('capacity finds the fewest nodes within the SLO per policy', async () => {
    const d = tmp();
    const r = (await kc(['capacity', TINY, '--nodes', '2..12', ...SHORT, '--json', '--out', path.join(d, 'cap')]));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    for (const [policy, n] of Object.entries(res.answer as Record<string, number | null>)) {
      const points = res.points as { nodes: number; policies: Record<string, { latencyMs: number; meets: boolean }> }[];
      if (n === null) continue;
      const at = points.find((p) => p.nodes === n)!;
      expect(at.policies[policy].latencyMs, policy).toBeLessThanOrEqual(100);
      for (const p of points.filter((p) => p.nodes < n)) expect(p.policies[policy].meets, `${policy}@${p.nodes}`).toBe(false);
    }
    expect(res.answer.static).not.toBeNull();
    expect(res.answer.threshold).toBeLessThan(res.answer.static);
    expect(fs.existsSync(path.join(d, 'cap/index.html'))).toBe(true);
    expect((await kc(['capacity', TINY, '--nodes', '5..2'])).code).toBe(2);
  });
});

/**
 * The pages in a real headless browser (Debian's chromium via playwright-core), judged by what
 * they draw: for the run, sweep and capacity pages every chart renders data marks (read from the
 * Vega views' scenegraphs), no axis or legend label reads `undefined`/`NaN`, the console stays
 * clean and nothing is fetched from the network. Each test saves a screenshot as an artefact
 * (test-artifacts/browser/). Skipped, saying so, where /usr/bin/chromium is missing (CI installs
 * it in .ci/run).
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { haveChromium, CHROMIUM, inspectPage, pageProblems } from './browser-page.ts';
import { cliEnv } from '../fixtures/cli.ts';

if (!haveChromium) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);
const ROOT = path.join(__dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
const kc = (args: string[]) => spawnSync(path.join(ROOT, 'bin/keycast'), args, { cwd: ROOT, encoding: 'utf8', env: cliEnv() });

/** tiny.yaml with a reactive and a predictive policy (forecast charts) and a sweep grid over dotted fields. */
function scenario(dir: string): string {
  const f = path.join(dir, 'br.yaml');
  const text = fs
    .readFileSync(TINY, 'utf8')
    .replace('name: tiny', 'name: br')
    .replace(/expect:[\s\S]*$/, '')
    .replace(
      /policies:\n/,
      'policies:\n  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 300 }\n  predictive: { kind: predictive, every: 5m, window: 5m, horizon: 15m, iterations: 300, minHistory: 20m }\n',
    );
  fs.writeFileSync(f, text + 'sweep:\n  seeds: 2\n  grid: { policies.threshold.highWater: [0.7, 0.9], policies.predictive.horizon: [10m, 15m] }\n');
  return f;
}

describe.skipIf(!haveChromium)('pages in a headless browser', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-br-'));
  const f = scenario(d);

  it('run page: headline first, every chart draws, readable labels, no console errors, offline', async () => {
    const run = kc(['run', f, '--set', 'duration=90m', '--set', 'warmup=20m', '--out', path.join(d, 'run')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const r = await inspectPage(path.join(d, 'run/index.html'), 'run');
    expect(pageProblems(r)).toEqual([]);
    const ids = r.charts.map((c) => c.id);
    for (const id of ['latency', 'cdf', 'slo', 'fc-rate-predictive', 'fc-share-predictive', 'nodes', 'ops', 'moved']) expect(ids).toContain(id);
    // the headline is the first thing after the title, and says how many seeds
    expect(r.bodyText.split('\n').slice(0, 6).join(' ')).toMatch(/predictive vs reactive: .*records over the SLO/);
    expect(r.bodyText).toMatch(/one seed \(5\), no interval/);
    // latency ticks people read, the SLO rule labelled, bytes in binary units
    const lat = r.charts.find((c) => c.id === 'latency')!;
    expect(lat.texts.some((t) => / ms$| s$| min$/.test(t))).toBe(true);
    expect(lat.markTexts).toContain('SLO 100 ms');
    expect(lat.markTexts).toContain('warm-up');
    expect(r.bodyText).toMatch(/GiB|MiB|KiB/);
    expect(fs.statSync(r.screenshot).size).toBeGreaterThan(10_000);
  }, 180_000);

  it('sweep page: dotted grid fields draw, intervals stay in the metric domain, table and Pareto front', async () => {
    const sw = kc(['sweep', f, '--set', 'duration=20m', '--set', 'warmup=5m', '--workers', '2', '--out', path.join(d, 'sweep')]);
    expect(sw.status).toBe(0);
    const r = await inspectPage(path.join(d, 'sweep/index.html'), 'sweep');
    expect(pageProblems(r)).toEqual([]);
    expect(r.charts.length).toBeGreaterThanOrEqual(7);
    expect(r.bodyText).toMatch(/Pareto front/);
    expect(r.charts.find((c) => c.id === 'pareto')!.markTexts.length).toBeGreaterThan(0);
    expect(r.charts.find((c) => c.id === 'pareto')!.texts).toContain('policy');
    // no interval below zero on a non-negative metric
    const html = fs.readFileSync(path.join(d, 'sweep/index.html'), 'utf8');
    const specs = JSON.parse(/const specs = (\{.*\});\n/.exec(html)![1]) as Record<string, { data?: { values?: Record<string, unknown>[] } }>;
    for (const [id, s] of Object.entries(specs)) for (const v of s.data?.values ?? []) for (const [k, x] of Object.entries(v)) if (/_lo$/.test(k)) expect(x as number, `${id}.${k}`).toBeGreaterThanOrEqual(0);
  }, 240_000);

  it('capacity page: every chart draws, SLO labelled, chosen node counts marked', async () => {
    const c = kc(['capacity', TINY, '--nodes', '2..4', '--set', 'duration=20m', '--set', 'warmup=5m', '--out', path.join(d, 'cap')]);
    expect(c.status).toBe(0);
    const r = await inspectPage(path.join(d, 'cap/index.html'), 'capacity');
    expect(pageProblems(r)).toEqual([]);
    const chart = r.charts.find((x) => x.id === 'capacity')!;
    expect(chart.texts).toContain('100 ms');
    expect(chart.markTexts).toContain('SLO 100 ms');
    expect(chart.markTexts.some((t) => /^threshold: \d nodes$/.test(t))).toBe(true);
  }, 180_000);
});

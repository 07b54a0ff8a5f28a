/**
 * The study page in a real headless browser, from `npm run study` on two tiny study scenarios
 * (two seeds, one threshold and one churn budget swept): the forest chart, each scenario's
 * policies chart and front draw data marks with readable labels, the verdict table leads, and
 * the command refuses to write into a folder that is not a keycast output.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { haveChromium, inspectPage, pageProblems } from './browser-page.ts';
import { tinyStudyScenario } from '../fixtures/study-scenario.ts';

const ROOT = path.join(__dirname, '../..');
const study = (args: string[]) => spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'bench/study.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run study', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-study-page-'));
  tinyStudyScenario(d, 'tiny-slow');
  tinyStudyScenario(d, 'tiny-fast');
  const args = ['--dir', d, '--seeds', '2', '--thresholds', '0.2', '--budgets', '0.05', '--workers', '2'];

  it('refuses a folder that is not a keycast output, writing nothing', () => {
    const mine = path.join(d, 'mine');
    fs.mkdirSync(mine);
    fs.writeFileSync(path.join(mine, 'notes.txt'), 'keep me');
    const r = study([...args, '--out', mine]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/refusing to replace it/);
    expect(fs.readdirSync(mine)).toEqual(['notes.txt']);
  });

  it.skipIf(!haveChromium)('writes results.json and a page whose charts draw: ratios at a glance, per scenario policies and front', async () => {
    const out = path.join(d, 'study');
    const r = study([...args, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as { command: string; entries: { scenario: string; front: unknown[] }[] };
    expect(res.entries.map((e) => [e.scenario, e.front.length])).toEqual([['tiny-fast', 4], ['tiny-slow', 4]]);
    expect(res.command).toMatch(/^npm run study -- --dir /);
    const page = await inspectPage(path.join(out, 'index.html'), 'study');
    expect(pageProblems(page)).toEqual([]);
    expect(page.charts.map((c) => c.id).sort()).toEqual(['forest', 'front-0', 'front-1', 'policies-0', 'policies-1']);
    expect(page.bodyText.split('\n').slice(0, 4).join(' ')).toMatch(/\d+ of \d+ targets met/);
    const front = page.charts.find((c) => c.id === 'front-1')!;
    expect(front.texts).toContain('moved (GiB, mean over seeds)');
    expect(front.markTexts).toEqual(expect.arrayContaining(['static', 'reactive_fair', 'predictive']));
    expect(page.charts.find((c) => c.id === 'forest')!.markTexts).toContain('no difference');
  }, 240_000);
});

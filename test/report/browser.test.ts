/**
 * The report renders in a real headless browser (Debian's chromium via playwright-core): every
 * chart draws an SVG and the page logs no console errors, offline (no network requests at all).
 * Skipped, saying so, where /usr/bin/chromium is missing (CI installs it in .ci/run).
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
const have = fs.existsSync(CHROMIUM);
if (!have) console.warn(`browser test skipped: ${CHROMIUM} not found (apt-get install chromium)`);
const ROOT = path.join(__dirname, '../..');

describe.skipIf(!have)('report in a headless browser', () => {
  it('renders every chart of a run report with no console errors and no network', async () => {
    const { chromium } = await import('playwright-core');
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-br-'));
    const run = spawnSync(path.join(ROOT, 'bin/keycast'), ['run', path.join(ROOT, 'test/fixtures/tiny.yaml'), '--set', 'duration=30m', '--out', path.join(d, 'r')], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    expect(run.status).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto('file://' + path.join(d, 'r/index.html'));
      const charts = await page.locator('div.chart').count();
      expect(charts).toBeGreaterThanOrEqual(7);
      await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('div.chart svg.marks').length === n, charts, { timeout: 30_000 });
      const failed = await page.locator('div.chart', { hasText: 'chart failed' }).count();
      expect(failed).toBe(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.screenshot({ path: path.join(d, 'report.png'), fullPage: true });
      expect(fs.statSync(path.join(d, 'report.png')).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});

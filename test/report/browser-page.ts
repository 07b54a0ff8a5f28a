/**
 * Opens a keycast page in headless Chromium (Debian's /usr/bin/chromium via playwright-core) and
 * reports what it drew: per chart, the items of its data marks (from the Vega view's
 * scenegraph), the text of its axes and legends, plus console errors and any network request.
 * Saves a full-page screenshot as an artefact for review (test-artifacts/browser/, or
 * $KEYCAST_ARTIFACTS). The tests judge a page by this, not by its HTML.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);
export const ARTIFACTS = process.env.KEYCAST_ARTIFACTS ?? path.join(__dirname, '../../test-artifacts/browser');

/** What one chart drew. */
export interface DrawnChart {
  readonly id: string;
  /** Items at a finite position of every data mark (role `mark`, not axes/legends/titles), summed. */
  readonly items: number;
  /** Items of the first data mark (the chart's main layer). */
  readonly firstMarkItems: number;
  /** Axis labels, axis titles and legend labels as drawn. */
  readonly texts: readonly string[];
  /** Text drawn by the chart's own text marks (labels such as the SLO's). */
  readonly markTexts: readonly string[];
  /** Chart failed to embed (its error text). */
  readonly failed?: string;
}

export interface PageReport {
  readonly charts: readonly DrawnChart[];
  readonly errors: readonly string[];
  readonly requests: readonly string[];
  readonly screenshot: string;
  readonly bodyText: string;
}

/**
 * Reads every chart's drawing in the page (a string, so that no bundler helper leaks into it).
 * A data mark is a non-group mark of role `mark` outside axes, legends and titles; an item counts
 * when it sits at a finite position (a NaN from a missing field does not).
 */
const READ_CHARTS = `(() => {
  const out = [];
  for (const el of Array.from(document.querySelectorAll('div.chart'))) {
    const view = window.kcViews[el.id];
    if (!view) { out.push({ id: el.id, items: 0, firstMarkItems: 0, texts: [], markTexts: [], failed: el.textContent || 'not drawn' }); continue; }
    let items = 0, first = -1;
    const texts = [], markTexts = [];
    const isGuide = (r) => ['axis', 'legend', 'title'].some((g) => r.startsWith(g)) || r.includes('-title') || r.includes('-label');
    const walk = (n, inGuide) => {
      const guide = inGuide || isGuide(n.role || '');
      if (n.marktype && n.marktype !== 'group' && n.role === 'mark' && !guide) {
        const k = (n.items || []).filter((it) => Number.isFinite(it.x ?? 0) && Number.isFinite(it.y ?? 0)).length;
        items += k;
        if (first < 0) first = k;
      }
      if (n.marktype === 'text') for (const it of n.items || []) if (it.text !== undefined && it.text !== null) (guide ? texts : markTexts).push(Array.isArray(it.text) ? it.text.join(' ') : String(it.text));
      for (const c of n.items || []) walk(c, guide);
    };
    walk(view.scenegraph().root, false);
    out.push({ id: el.id, items, firstMarkItems: Math.max(0, first), texts, markTexts });
  }
  return out;
})()`;

/** Loads `file`, waits for every chart, reads the views, screenshots the page as `name`.png. */
export async function inspectPage(file: string, name: string): Promise<PageReport> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto('file://' + path.resolve(file));
    await page.waitForFunction('window.kcReady !== undefined', undefined, { timeout: 30_000 });
    await page.evaluate('window.kcReady');
    const charts = (await page.evaluate(READ_CHARTS)) as DrawnChart[];
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    const bodyText = (await page.evaluate('document.body.innerText')) as string;
    return { charts, errors, requests, screenshot, bodyText };
  } finally {
    await browser.close();
  }
}

/** Problems of a page as a list of lines (empty when every chart drew its data and nothing went wrong). */
export function pageProblems(r: PageReport): string[] {
  const out: string[] = [];
  if (r.charts.length === 0) out.push('no charts');
  for (const c of r.charts) {
    if (c.failed) out.push(`${c.id}: failed (${c.failed})`);
    if (c.items === 0) out.push(`${c.id}: no marks drawn`);
    else if (c.firstMarkItems === 0) out.push(`${c.id}: its main layer drew nothing`);
    const bad = [...c.texts, ...c.markTexts].filter((t) => /undefined|NaN|null|Infinity/.test(t));
    if (bad.length) out.push(`${c.id}: labels ${JSON.stringify(bad.slice(0, 5))}`);
    if (c.texts.length === 0) out.push(`${c.id}: no axis or legend text`);
  }
  for (const e of r.errors) out.push(`console ${e}`);
  for (const q of r.requests) out.push(`network request ${q}`);
  return out;
}

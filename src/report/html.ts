/**
 * `index.html`: a self-contained page (works offline: Vega, Vega-Lite and vega-embed are inlined
 * from node_modules, no CDN) with the summary table, expectations and the charts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Summary } from '../experiment/summary.ts';
import type { VlSpec } from './charts.ts';
import { METRIC_COLUMNS, opsBreakdown, winners } from './tables.ts';

const require = createRequire(import.meta.url);
let assetsCache: string | null = null;

/** The three UMD bundles, inlined once per process. */
export function vegaAssets(): string {
  if (assetsCache) return assetsCache;
  const read = (pkg: string, file: string) => readFileSync(path.join(packageRoot(pkg), file), 'utf8').replace(/<\/script/gi, '<\\/script');
  assetsCache = [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ]
    .map(([pkg, file]) => `<script>${read(pkg, file)}</script>`)
    .join('\n');
  return assetsCache;
}

/** Folder of an installed package (its `exports` hide package.json, so walk up from its entry). */
function packageRoot(pkg: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== pkg) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${pkg} package`);
    dir = up;
  }
  return dir;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One section of the page: a heading, an explanation and a chart. */
export interface ChartSection {
  readonly id: string;
  readonly title: string;
  readonly note: string;
  readonly spec: VlSpec;
}

export function summaryTableHtml(s: Summary): string {
  const names = Object.keys(s.policies);
  const head = `<tr><th>metric</th>${names.map((n) => `<th>${esc(n)}<br><small>${esc(s.policies[n].kind)}</small></th>`).join('')}</tr>`;
  const rows = METRIC_COLUMNS.map((col) => {
    const win = new Set(winners(s, col));
    const cells = names.map((n) => {
      const p = s.policies[n];
      const v = col.key === 'operations' ? `${col.format(col.get(p))} <small>(${opsBreakdown(p)})</small>` : col.format(col.get(p));
      return `<td class="${win.has(n) ? 'win' : ''}">${v}</td>`;
    });
    return `<tr><th>${esc(col.label)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="summary">${head}${rows.join('')}</table>`;
}

/** Renders the whole page of a run. */
export function renderHtml(s: Summary, description: string, sections: readonly ChartSection[]): string {
  const exps = s.expectations.length
    ? `<h2>Expectations</h2><table class="exp"><tr><th></th><th>expectation</th><th>left</th><th>right</th></tr>${s.expectations
        .map((e) => `<tr class="${e.pass ? 'pass' : 'fail'}"><td>${e.pass ? '✔' : '✘'}</td><td><code>${esc(e.expr)}</code></td><td>${e.left ?? ''}</td><td>${e.right ?? ''}</td></tr>`)
        .join('')}</table>`
    : '';
  const inv = s.invariantViolations
    ? `<div class="alarm">${s.invariantViolations} invariant violation(s): a keycast bug. ${Object.entries(s.policies)
        .flatMap(([n, p]) => (p.invariantMessages ?? []).map((m) => `<br>${esc(n)}: ${esc(m)}`))
        .join('')}</div>`
    : '';
  const meta = `${esc(description)}<br>seed ${s.seed} · simulated ${(s.simulatedMs / 3_600_000).toFixed(2)} h, measured ${(s.measuredMs / 3_600_000).toFixed(2)} h after warm-up · SLO p${s.sloPercentile} ≤ ${s.sloLatencyMs} ms · scenario hash ${esc(s.scenarioHash)} · keycast ${esc(s.keycastVersion)}`;
  const body = `${inv}
<h2>Summary</h2>
${summaryTableHtml(s)}
<p class="note">Green: best value of the row. Latency, SLO, imbalance, utilisation, moved bytes, operations and disruption count after warm-up; record counts cover the whole run. Ops are split/merge/move/create.</p>
${exps}`;
  return renderPage(`keycast: ${s.scenario}`, meta, body, sections);
}

/** A self-contained page: title, a meta line, HTML body, then the chart sections. */
export function renderPage(title: string, metaHtml: string, bodyHtml: string, sections: readonly ChartSection[]): string {
  const charts = sections
    .map((c) => `<section><h2>${esc(c.title)}</h2><p class="note">${esc(c.note)}</p><div class="chart" id="${c.id}"></div></section>`)
    .join('\n');
  const specs = JSON.stringify(Object.fromEntries(sections.map((c) => [c.id, c.spec]))).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:980px;color:#222;padding:0 12px}
h1{margin-bottom:4px} .meta{color:#666} table{border-collapse:collapse;margin:12px 0}
td,th{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:right} th:first-child{text-align:left}
td.win{font-weight:700;background:#eaf7ea} tr.fail td{background:#fdecea} tr.pass td{background:#eef8ee}
.note{color:#555;max-width:820px} .alarm{background:#fdecea;border:1px solid #e57373;padding:8px 12px;margin:12px 0}
section{margin:28px 0} code{background:#f4f4f4;padding:1px 4px}
</style></head><body>
<h1>${esc(title)}</h1>
<div class="meta">${metaHtml}</div>
${bodyHtml}
${charts}
${vegaAssets()}
<script>
const specs = ${specs};
for (const [id, spec] of Object.entries(specs)) {
  vegaEmbed('#' + id, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: 'svg' })
    .catch((e) => { document.getElementById(id).textContent = 'chart failed: ' + e.message; console.error(e); });
}
</script>
</body></html>
`;
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return esc(s);
}

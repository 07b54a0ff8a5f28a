/**
 * `index.html`: a self-contained page (works offline: Vega, Vega-Lite and vega-embed are inlined
 * from node_modules, no CDN): the headline first, then invariants, the summary table,
 * expectations, the run's parameters, the charts and links to the data files. The page keeps
 * its Vega views in `window.kcViews` (and `window.kcReady` settles when all are drawn) so that
 * browser tests can read what was drawn.
 */
import type { Summary } from '../experiment/summary.ts';
import type { VlSpec } from './charts.ts';
import { seedNote, shownColumns, shownSide, summaryCell, winners } from './tables.ts';
import { policyScale } from './colors.ts';
import { fmtMs } from './format.ts';
import { formatBytes } from '../model/units.ts';
import { comparisonOf, headlineText } from './headline.ts';
import { oracleWarnings } from './oracle-check.ts';
import { vegaAssets } from './page-assets.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One section of the page: a heading, an explanation and a chart. */
export interface ChartSection {
  readonly id: string;
  readonly title: string;
  readonly note: string;
  readonly spec: VlSpec;
  /** The page body already holds this chart's `<div class="chart" id=…>` (drawn in place, not listed after the body). */
  readonly placed?: boolean;
}

export function summaryTableHtml(s: Summary): string {
  const names = Object.keys(s.policies);
  const scale = policyScale(names.map((n) => ({ name: n, kind: s.policies[n].kind })));
  const swatch = (n: string) => `<span class="sw" style="background:${scale.range[scale.domain.indexOf(n)]}"></span>`;
  const head = `<tr><th>metric</th>${names.map((n) => `<th>${swatch(n)}${esc(n)}<br><small>${esc(s.policies[n].kind)}</small></th>`).join('')}</tr>`;
  const rows = shownColumns(s).map((col) => {
    const win = new Set(winners(s, col));
    const cells = names.map((n) => {
      const c = summaryCell(s, col, n);
      return `<td class="${win.has(n) ? 'win' : ''}">${esc(c.text)}${c.interval ? `<br><small class="ci">${esc(c.interval)}</small>` : ''}</td>`;
    });
    return `<tr><th>${esc(col.label)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="summary">${head}${rows.join('')}</table>`;
}

/** What the table's figures are over: one seed, or means with 95% intervals over several. */
function seedsTableNote(s: Summary): string {
  const st = (s as Summary & { seeds?: { seeds: readonly number[] } }).seeds;
  return st && st.seeds.length > 1 ? `Means over ${st.seeds.length} seeds (${esc(st.seeds.join(', '))}), in small print the 95% interval of the mean; rows without one are seed ${s.seed}'s. ` : `One seed (${s.seed}): no intervals. `;
}

/** The headline box: who won and how surely, over the seeds that ran. */
export function headlineHtml(s: Summary): string {
  const c = comparisonOf(s);
  if (!c) return '';
  const t = headlineText(c);
  const oracle = oracleWarnings(s).map((w) => `<div class="warn oracle">⚠ ${esc(w)}</div>`).join('');
  return `<div class="headline"><div class="lead"><b>${esc(t.lead)}:</b> ${t.parts.map(esc).join(' · ')}</div><div class="seeds">${esc(t.seedsNote)} · after warm-up, ${esc(fmtMs(s.measuredMs))} measured · SLO p${s.sloPercentile} ≤ ${esc(fmtMs(s.sloLatencyMs))}</div>${oracle}</div>`;
}

/** The run's parameters: the resolved scenario flattened to `path: value` lines. */
function paramsHtml(scenario: unknown): string {
  if (!scenario || typeof scenario !== 'object') return '';
  const lines: [string, string][] = [];
  const walk = (v: unknown, p: string) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
    else if (p !== 'description' && v !== undefined) lines.push([p, typeof v === 'string' ? v : JSON.stringify(v)]);
  };
  walk(scenario, '');
  return `<details><summary>Run parameters (${lines.length}, durations in ms, from scenario.json)</summary><table class="params">${lines.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v.length > 160 ? v.slice(0, 160) + '… (see scenario.json)' : v)}</td></tr>`).join('')}</table></details>`;
}

/** Links to the report's data files (relative paths), with sizes. */
function filesHtml(files: readonly { path: string; bytes: number }[]): string {
  if (!files.length) return '';
  return `<h2>Data files</h2><p class="note">Every chart is drawn from these (some thinned to stay readable; each chart says so). Sizes in binary units.</p><ul class="files">${files.map((f) => `<li><a href="${esc(f.path)}">${esc(f.path)}</a> <small>${esc(formatBytes(f.bytes))}</small></li>`).join('')}</ul>`;
}

/** Renders the whole page of a run. */
export function renderHtml(s: Summary, description: string, sections: readonly ChartSection[], files: readonly { path: string; bytes: number }[] = [], scenario?: unknown): string {
  const exps = s.expectations.length
    ? `<h2>Expectations (${s.expectations.filter((e) => e.pass).length} of ${s.expectations.length} hold)</h2><table class="exp"><tr><th></th><th>expectation</th><th>left</th><th>right</th></tr>${s.expectations
        .map((e) => `<tr class="${e.pass ? 'pass' : 'fail'}"><td>${e.pass ? '✔' : '✘'}</td><td><code>${esc(e.expr)}</code>${seedNote(e) ? `<br><small>${esc(seedNote(e))}</small>` : ''}</td><td>${shownSide(e.left)}</td><td>${shownSide(e.right)}</td></tr>`)
        .join('')}</table>`
    : '';
  const inv = s.invariantViolations
    ? `<div class="alarm">${s.invariantViolations} invariant violation(s): a keycast bug. ${Object.entries(s.policies)
        .flatMap(([n, p]) => (p.invariantMessages ?? []).map((m) => `<br>${esc(n)}: ${esc(m)}`))
        .join('')}</div>`
    : `<p class="ok">Invariants held: the partition map covered the key space exactly once throughout and records were conserved, for every policy.</p>`;
  const bad = Object.values(s.policies).find((p) => p.badRows !== undefined)?.badRows;
  const badNote = bad !== undefined ? `<p class="${bad > 0 ? 'warn' : 'ok'}">${bad > 0 ? `${bad.toLocaleString('en-US')} malformed trace row(s) were skipped (--skip-bad-rows).` : 'No trace rows were skipped.'}</p>` : '';
  const meta = `${esc(description)}<br>seed ${s.seed} · simulated ${esc(fmtMs(s.simulatedMs))}, measured ${esc(fmtMs(s.measuredMs))} after warm-up · SLO p${s.sloPercentile} ≤ ${esc(fmtMs(s.sloLatencyMs))} · scenario hash ${esc(s.scenarioHash)} · keycast ${esc(s.keycastVersion)}`;
  const body = `${headlineHtml(s)}
${inv}${badNote}
<h2>Summary</h2>
${summaryTableHtml(s)}
<p class="note">${seedsTableNote(s)}Green: best value of the row. Latency, SLO, imbalance, utilisation, moved bytes, operations and disruption count after warm-up; record counts cover the whole run. Ops are split/merge/move/create; plans completed/rolled back/superseded/aborted. Bytes in binary units (1 GiB = 2^30 bytes).</p>
${exps}
${paramsHtml(scenario)}`;
  return renderPage(`keycast: ${s.scenario}`, meta, body, sections, filesHtml(files));
}

/** The pages' style sheet. */
const PAGE_STYLE = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:980px;color:#222;padding:0 12px}
h1{margin-bottom:4px} .meta{color:#666} table{border-collapse:collapse;margin:12px 0}
td,th{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:right} th:first-child{text-align:left}
td.win{font-weight:700;background:#eaf7ea} tr.fail td{background:#fdecea} tr.pass td{background:#eef8ee}
.note{color:#555;max-width:820px} .alarm{background:#fdecea;border:1px solid #e57373;padding:8px 12px;margin:12px 0}
section{margin:28px 0} code{background:#f4f4f4;padding:1px 4px}
.headline{border-left:5px solid #59a14f;background:#f3f9f1;padding:10px 14px;margin:14px 0;font-size:16px} .headline .seeds{color:#555;font-size:13px;margin-top:4px} .headline .oracle{font-size:13px;margin-top:6px}
.ok{color:#2e7d32} .warn{background:#fff8e1;border:1px solid #f0c36d;padding:6px 10px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
small.ci{color:#777;font-size:11px;white-space:nowrap} table.exp td:nth-child(2),table.exp th:nth-child(2){text-align:left}
table.params td,table.params th{text-align:left;font-size:12px;padding:2px 8px} ul.files{columns:2;font-size:13px}
table.sortable th{cursor:pointer} table.sweep{font-size:12.5px} table.sweep td{white-space:nowrap;padding:3px 6px} table.sweep td small{color:#777;margin-left:4px} table.sweep td:nth-child(-n+3){text-align:left} table.sortable th:hover{background:#f0f0f0}
`;

/**
 * The pages' script after `specs` and `datasets`: attaches shared datasets, draws every chart
 * (its view kept in `window.kcViews`, `window.kcReady` settling when all are drawn) and makes
 * `table.sortable` tables sortable by a click on a header.
 */
const PAGE_SCRIPT = `for (const spec of Object.values(specs)) if (spec.usermeta && spec.usermeta.datasets) spec.datasets = Object.fromEntries(spec.usermeta.datasets.map((n) => [n, datasets[n]]));
window.kcViews = {};
window.kcReady = Promise.all(Object.entries(specs).map(([id, spec]) =>
  vegaEmbed('#' + id, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: 'svg' })
    .then((r) => { window.kcViews[id] = r.view; })
    .catch((e) => { document.getElementById(id).textContent = 'chart failed: ' + e.message; console.error(e); })));
// Sortable tables: click a header to sort by that column (numbers by value, text alphabetically).
for (const t of document.querySelectorAll('table.sortable')) {
  t.querySelectorAll('th').forEach((th, i) => th.addEventListener('click', () => {
    const rows = [...t.tBodies[0].rows].filter((r) => r.cells[0].tagName === 'TD');
    const key = (r) => { const c = r.cells[i]; const v = c.dataset.v ?? c.textContent; const n = Number(v); return Number.isNaN(n) || v === '' ? v : n; };
    const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    rows.sort((a, b) => { const x = key(a), y = key(b); return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir; });
    for (const r of rows) t.tBodies[0].appendChild(r);
  }));
}
`;

/** A self-contained page: title, a meta line, HTML body, then the chart sections. */
export function renderPage(title: string, metaHtml: string, bodyHtml: string, sections: readonly ChartSection[], footHtml = ''): string {
  const charts = sections
    .filter((c) => !c.placed)
    .map((c) => `<section><h2>${esc(c.title)}</h2><p class="note">${esc(c.note)}</p><div class="chart" id="${c.id}"></div></section>`)
    .join('\n');
  // Datasets several charts share (`usermeta.datasets`) are written once and attached at load.
  const datasets: Record<string, unknown> = {};
  const specOf = (spec: VlSpec) => {
    const names = (spec.usermeta as { datasets?: string[] } | undefined)?.datasets;
    if (!names) return spec;
    const own = (spec.datasets ?? {}) as Record<string, unknown>;
    for (const n of names) datasets[n] ??= own[n];
    const rest = { ...spec };
    delete rest.datasets;
    return rest;
  };
  const specs = JSON.stringify(Object.fromEntries(sections.map((c) => [c.id, specOf(c.spec)]))).replace(/</g, '\\u003c');
  const shared = JSON.stringify(datasets).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
${PAGE_STYLE}</style></head><body>
<h1>${esc(title)}</h1>
<div class="meta">${metaHtml}</div>
${bodyHtml}
${charts}
${footHtml}
${vegaAssets()}
<script>
const specs = ${specs};
const datasets = ${shared};
${PAGE_SCRIPT}</script>
</body></html>
`;
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return esc(s);
}

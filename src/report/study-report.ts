/**
 * The study page (`study/index.html`, from `npm run study`): the answer first — how many of the
 * issue's targets each scenario meets, and a forest chart of the paired per-seed ratios
 * (predictive against each baseline, with 95% intervals, on a log axis) — then per scenario the
 * table with intervals, the verdicts, the record-seconds decomposition, a chart of SLO-violating
 * records per policy with intervals, and the aggressiveness front (violating records against
 * moved bytes as threshold and churn budget vary, the main run's lanes beside it).
 * Self-contained (renderPage: Vega inlined, no network), so it opens from a file anywhere.
 */
import type { FrontPoint, STUDY_METRICS, StudyEntry, Verdict } from '../experiment/study.ts';
import type { RatioStats, SeedStats } from '../experiment/seeds.ts';
import { kindOfName, policyColor } from './colors.ts';
import { escapeHtml as esc, renderPage, type ChartSection } from './html.ts';
import { formatBytes } from '../model/units.ts';
import { shownInterval } from './tables.ts';
import { GIB, fmtMs, fmtPct } from './format.ts';
import { SCHEMA } from './chart-parts.ts';
import type { VlSpec } from './charts.ts';


/**
 * The ratio pairs the forest chart shows, in this order: predictive over each baseline, the oracle
 * over predictive, then the oracle over each reactive lane (the cut a perfect forecast gives).
 */
function forestPairs(entries: readonly StudyEntry[]): string[] {
  const all = [...new Set(entries.flatMap((e) => Object.keys(e.ratios)))];
  const rank = (k: string) =>
    k.startsWith('predictive/reactive') ? 0 : k.startsWith('predictive/static') ? 1 : k.startsWith('predictive/') ? 2 : k === 'oracle/predictive' ? 3 : k.startsWith('oracle/reactive') ? 4 : 5;
  return all.filter((k) => rank(k) < 5).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The verdicts that are targets (the references are shown apart, not counted). */
const targetsOf = (vs: readonly Verdict[]): Verdict[] => vs.filter((v) => !v.reference);

/** The table's columns, in order (the study's metrics). */
const LABELS: Record<(typeof STUDY_METRICS)[number], string> = {
  sloViolationRate: 'records over the SLO',
  recordSecondsOverSlo: 'record-seconds over the SLO',
  p99LatencyMs: 'p99 latency',
  movedBytes: 'moved',
  reconfigurationsPerDay: 'reconfigurations / day',
  keyChurn: 'key churn',
  thrashing: 'thrashing',
};

const METRICS = Object.keys(LABELS) as (typeof STUDY_METRICS)[number][];

function fmtMetric(m: (typeof STUDY_METRICS)[number], v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (m === 'sloViolationRate' || m === 'keyChurn' || m === 'thrashing') return fmtPct(v);
  if (m === 'p99LatencyMs') return fmtMs(v);
  if (m === 'movedBytes') return formatBytes(v);
  return v >= 1e6 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}


const cell = (m: (typeof STUDY_METRICS)[number], s: SeedStats | undefined) => {
  if (!s) return '';
  const [lo, hi] = shownInterval(m, s);
  return `${esc(fmtMetric(m, s.mean))}${s.values.length > 1 ? `<br><small class="ci">[${esc(fmtMetric(m, lo))}, ${esc(fmtMetric(m, hi))}]</small>` : ''}`;
};

/** A verdict's mark: a coloured tick or cross (plain characters every font has), and its word in `long`. */
const mark = (met: boolean | null, long = false) =>
  met === true ? `<b class="ok">✓${long ? ' met' : ''}</b>` : met === false ? `<b class="no">✗${long ? ' not met' : ''}</b>` : `<b class="na">?${long ? ' undefined' : ''}</b>`;
const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-');

/** Rows of the forest chart: one per scenario and ratio pair with a finite interval. */
export function forestRows(entries: readonly StudyEntry[]): { scenario: string; pair: string; mean: number; lo: number; hi: number; text: string }[] {
  const out = [];
  const pairs = forestPairs(entries);
  for (const e of entries) {
    for (const pair of pairs) {
      const r: RatioStats | undefined = e.ratios[pair]?.sloViolationRate;
      if (!r || ![r.mean, r.lo, r.hi].every((x) => Number.isFinite(x) && x > 0)) continue;
      out.push({ scenario: e.scenario, pair, mean: r.mean, lo: r.lo, hi: r.hi, text: `${r.mean.toPrecision(3)}× [${r.lo.toPrecision(3)}, ${r.hi.toPrecision(3)}]` });
    }
  }
  return out;
}

/** The forest chart: paired ratios of SLO-violating records, log axis, 1 = no difference. */
export function forestChart(entries: readonly StudyEntry[]): VlSpec {
  const rows = forestRows(entries);
  const pairs = forestPairs(entries);
  const lo = Math.min(0.2, ...rows.map((r) => r.lo));
  const hi = Math.max(1, ...rows.map((r) => r.hi));
  const ticks = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) ticks.push(10 ** p);
  const x = { field: 'mean', type: 'quantitative', title: 'ratio of SLO-violating records, paired per seed (log scale; left of 1: the first policy has fewer)', scale: { type: 'log', domain: [ticks[0], ticks[ticks.length - 1]] }, axis: { values: [...ticks, 0.2].sort((a, b) => a - b), format: '~g' } };
  const y = { field: 'scenario', type: 'nominal', title: null, sort: entries.map((e) => e.scenario) };
  const yOffset = { field: 'pair', type: 'nominal', sort: pairs };
  const palette = ['#4e79a7', '#2c4f78', '#76b7b2', '#7f7f7f', '#b0b0b0', '#59a14f', '#b07aa1'];
  const color = { field: 'pair', type: 'nominal', title: 'ratio', sort: pairs, scale: { domain: pairs, range: pairs.map((_, i) => palette[i % palette.length]) } };
  return {
    $schema: SCHEMA,
    width: 640,
    height: 12 * Math.max(1, pairs.length) * Math.max(1, new Set(rows.map((r) => r.scenario)).size),
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, yOffset, color } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y, yOffset, color, tooltip: [{ field: 'scenario' }, { field: 'pair', title: 'ratio' }, { field: 'text', title: 'geometric mean [95% interval]' }] } },
      { data: { values: [{ one: 1, label: 'no difference' }, { one: 0.2, label: '80% cut' }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { field: 'one', type: 'quantitative' } } },
      { data: { values: [{ one: 1, label: 'no difference' }, { one: 0.2, label: '80% cut' }] }, mark: { type: 'text', dy: -8, dx: 3, align: 'left', fontSize: 10, color: '#555' }, encoding: { x: { field: 'one', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
    ],
  };
}

/** One scenario's chart: SLO-violating records per policy, mean and 95% interval. */
export function policiesChart(e: StudyEntry): VlSpec {
  const names = Object.keys(e.policies).filter((n) => e.policies[n].sloViolationRate);
  const values = names.map((n) => {
    const s = e.policies[n].sloViolationRate!;
    const [lo, hi] = shownInterval('sloViolationRate', s);
    return { policy: n, mean: s.mean, lo, hi, text: `${fmtPct(s.mean)} [${fmtPct(lo)}, ${fmtPct(hi)}]` };
  });
  const color = { ...policyColor(names.map((n) => ({ name: n, kind: kindOfName(n) }))), legend: null };
  const x = { field: 'mean', type: 'quantitative', title: 'records over the SLO (mean over seeds, 95% interval)', axis: { format: '.1~%' }, scale: { zero: true } };
  const y = { field: 'policy', type: 'nominal', title: null, sort: names };
  return {
    $schema: SCHEMA,
    width: 560,
    height: { step: 22 },
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color } },
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y, color, tooltip: [{ field: 'policy' }, { field: 'text', title: 'mean [95% interval]' }] } },
      { mark: { type: 'text', align: 'left', dx: 8, fontSize: 10, color: '#444' }, encoding: { x: { field: 'hi', type: 'quantitative' }, y, text: { field: 'text' } } },
    ],
  };
}

const settingText = (p: FrontPoint) => (p.churnBudget !== undefined ? `budget ${fmtPct(p.churnBudget)}/h` : `threshold ${p.threshold}`);

/** One scenario's front: violating records against moved bytes, the sweep's points and the main lanes. */
export function frontChart(e: StudyEntry): VlSpec {
  const pts = e.front.map((p) => {
    const [lo, hi] = shownInterval('sloViolationRate', p.sloViolationRate);
    const knob = p.churnBudget !== undefined ? 'churn budget' : 'threshold';
    const text = `${fmtPct(p.sloViolationRate.mean)} [${fmtPct(lo)}, ${fmtPct(hi)}], ${formatBytes(p.movedBytes.mean)}`;
    return { policy: p.policy, setting: settingText(p), knob, gib: p.movedBytes.mean / GIB, slo: p.sloViolationRate.mean, lo, hi, pareto: p.pareto ? 'on its front' : 'dominated', text };
  });
  const lanes = Object.entries(e.policies)
    .filter(([, m]) => m.sloViolationRate && m.movedBytes)
    .map(([n, m]) => {
      const [lo, hi] = shownInterval('sloViolationRate', m.sloViolationRate!);
      return { policy: n, setting: 'as in the scenario', gib: m.movedBytes!.mean / GIB, slo: m.sloViolationRate!.mean, lo, hi, label: n };
    });
  const names = [...new Set([...lanes.map((l) => l.policy), ...pts.map((p) => p.policy)])];
  const color = policyColor(names.map((n) => ({ name: n, kind: kindOfName(n) })));
  const x = { field: 'gib', type: 'quantitative', title: 'moved (GiB, mean over seeds)', scale: { zero: true } };
  const y = { field: 'slo', type: 'quantitative', title: 'records over the SLO', axis: { format: '.1~%' }, scale: { zero: true } };
  const tip = [{ field: 'policy' }, { field: 'setting' }, { field: 'text', title: 'over the SLO [95%], moved' }];
  return {
    $schema: SCHEMA,
    width: 560,
    height: 300,
    layer: [
      { data: { values: lanes }, mark: { type: 'rule', opacity: 0.35 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { data: { values: lanes }, mark: { type: 'point', shape: 'diamond', size: 90, strokeWidth: 2 }, encoding: { x, y, color, tooltip: [{ field: 'policy' }, { field: 'setting' }] } },
      { data: { values: lanes }, mark: { type: 'text', align: 'left', dx: 8, dy: -6, fontSize: 10, color: '#333' }, encoding: { x, y, text: { field: 'label' } } },
      { data: { values: pts }, mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
      { data: { values: pts }, mark: { type: 'line', strokeWidth: 1, opacity: 0.5 }, encoding: { x, y, color, detail: { field: 'knob' }, strokeDash: { field: 'knob', type: 'nominal', title: 'swept' }, order: { field: 'gib', type: 'quantitative' } } },
      { data: { values: pts }, mark: { type: 'point', size: 60, filled: true }, encoding: { x, y, color, shape: { field: 'pareto', type: 'nominal', title: null, scale: { domain: ['on its front', 'dominated'], range: ['circle', 'cross'] } }, tooltip: tip } },
    ],
  };
}

/** The at-a-glance table: per scenario, each target's verdict. */
function glanceHtml(entries: readonly StudyEntry[]): string {
  const rows = entries
    .map((e) => {
      const span = (x: Verdict) => `<span title="${esc(`${x.target}: ${x.detail}`)}">${mark(x.met)}</span>`;
      const targets = targetsOf(e.verdicts);
      const refs = e.verdicts.filter((x) => x.reference);
      const met = targets.filter((x) => x.met === true).length;
      const v = targets.map(span).join(' ') + (refs.length ? ` <small class="ref">references: ${refs.map(span).join(' ')}</small>` : '');
      return `<tr><td><a href="#${slug(e.scenario)}">${esc(e.scenario)}</a></td><td>${e.workload}, ${e.regime}</td><td>${met} of ${targets.length}</td><td style="text-align:left">${v}</td></tr>`;
    })
    .join('');
  return `<table><tr><th>scenario</th><th>workload, regime</th><th>targets met</th><th style="text-align:left">each target, then the references (hover for which)</th></tr>${rows}</table>`;
}

/** One scenario's section: table, verdicts, decomposition, and where its two charts go. */
function scenarioHtml(e: StudyEntry, ids: { policies: string; front: string }): string {
  const rows = Object.entries(e.policies)
    .map(([n, m]) => `<tr><td>${esc(n)}</td>${METRICS.map((k) => `<td>${cell(k, m[k])}</td>`).join('')}</tr>`)
    .join('');
  const li = (x: Verdict) => `<li>${mark(x.met, true)}: ${esc(x.target)}: ${esc(x.detail)}</li>`;
  const refs = e.verdicts.filter((x) => x.reference);
  const v = targetsOf(e.verdicts).map(li).join('') + (refs.length ? `</ul><h3>References (not targets)</h3><ul>${refs.map(li).join('')}` : '');
  const d = e.decomposition;
  const num = (s: SeedStats) => `${esc(s.mean.toPrecision(4))} <small class="ci">[${esc(s.lo.toPrecision(4))}, ${esc(s.hi.toPrecision(4))}]</small>`;
  const dec = d
    ? `<p class="note">Record-seconds over the SLO, decomposed per seed: forecast error (predictive − oracle) ${num(d.forecastError)}${d.controlGap ? `; control gap (oracle − lower bound) ${num(d.controlGap)}` : ''}${d.hindsightGap ? `; predictive − hindsight (every arrival known ahead, phases planned whole) ${num(d.hindsightGap)}` : ''}.</p>`
    : '';
  const front = e.front.length
    ? `<h3>Aggressiveness front</h3><p class="note">Circles: the swept policies at each threshold (solid line) and churn budget (dashed), crosses where another point of the same policy is better on both axes; bars: 95% intervals. Diamonds: every lane of the main run, as the scenario sets it. Down and to the left is better.</p><div class="chart" id="${ids.front}"></div>`
    : '<p class="note">No aggressiveness sweep in this run.</p>';
  return `<section id="${slug(e.scenario)}"><h2>${esc(e.scenario)}</h2><p class="note">${e.workload}, ${e.regime}-move regime; seeds ${esc(e.seeds.join(', '))}; means with 95% intervals; <code>${esc(e.file)}</code>.</p>
<table><tr><th>policy</th>${METRICS.map((m) => `<th>${esc(LABELS[m])}</th>`).join('')}</tr>${rows}</table>
<h3>Targets</h3><ul>${v}</ul>${dec}<div class="chart" id="${ids.policies}"></div>${front}</section>`;
}

/** The study page. */
export function studyHtml(entries: readonly StudyEntry[], command: string): string {
  const sections: ChartSection[] = [];
  const add = (id: string, spec: VlSpec) => sections.push({ id, title: id, note: '', spec, placed: true });
  const parts = entries.map((e, i) => {
    const ids = { policies: `policies-${i}`, front: `front-${i}` };
    add(ids.policies, policiesChart(e));
    if (e.front.length) add(ids.front, frontChart(e));
    return scenarioHtml(e, ids);
  });
  const met = entries.reduce((a, e) => a + targetsOf(e.verdicts).filter((v) => v.met === true).length, 0);
  const all = entries.reduce((a, e) => a + targetsOf(e.verdicts).length, 0);
  const seeds = [...new Set(entries.flatMap((e) => e.seeds))];
  const head = `<div class="headline"><div class="lead"><b>${met} of ${all} targets met</b> over ${entries.length} scenario(s), seeds ${esc(seeds.join(', '))}: a target is met only when its 95% interval says so.</div><div class="seeds">Reproduce: <code>${esc(command)}</code></div></div>`;
  let forest = '';
  if (forestRows(entries).length) {
    add('forest', forestChart(entries));
    forest = `<h2>Paired ratios at a glance</h2><p class="note">Per scenario, SLO-violating records of one policy over another's, paired per seed (geometric mean, 95% interval). Left of the dashed line at 1 the first policy has fewer; the slow periodic target asks predictive/reactive to reach left of 0.2; oracle/reactive shows how far a perfect forecast gets this PRE.</p><div class="chart" id="forest"></div>`;
  }
  const style = '<style>b.ok{color:#2e7d32}b.no{color:#c62828}b.na{color:#777}small.ref{color:#555;margin-left:.6em}</style>';
  const body = `${style}${head}${glanceHtml(entries)}${forest}${parts.join('\n')}`;
  return renderPage('keycast study: predictive against reactive', `${entries.length} scenario(s) · seeds ${esc(seeds.join(', '))}`, body, sections);
}

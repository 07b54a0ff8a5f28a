/** `summary.md`: a compact Markdown report that fits a CI job summary. */
import type { Summary } from '../experiment/summary.ts';
import { METRIC_COLUMNS, opsBreakdown, winners } from './tables.ts';

const fmtMs = (ms: number) => {
  const h = ms / 3_600_000;
  return h >= 1 ? `${+h.toFixed(2)} h` : `${+(ms / 60_000).toFixed(1)} min`;
};

export function renderMarkdown(s: Summary, description = ''): string {
  const lines: string[] = [];
  lines.push(`# keycast: ${s.scenario}`, '');
  if (description) lines.push(description.trim(), '');
  lines.push(`Seed ${s.seed} · simulated ${fmtMs(s.simulatedMs)} (measured ${fmtMs(s.measuredMs)} after warm-up) · SLO p${s.sloPercentile} ≤ ${s.sloLatencyMs} ms · scenario hash \`${s.scenarioHash}\` · keycast ${s.keycastVersion}`, '');
  const names = Object.keys(s.policies);
  lines.push(`| metric | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---:').join(' | ')} |`);
  for (const col of METRIC_COLUMNS) {
    const win = new Set(winners(s, col));
    const cells = names.map((n) => {
      const p = s.policies[n];
      const v = col.key === 'operations' ? `${col.format(col.get(p))} (${opsBreakdown(p)})` : col.format(col.get(p));
      return win.has(n) ? `**${v}**` : v;
    });
    lines.push(`| ${col.label} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Bold: best value of the row. Ops are split/merge/move/create.', '');
  if (s.expectations.length) {
    lines.push('## Expectations', '', '| | expectation | left | right |', '| --- | --- | ---: | ---: |');
    for (const e of s.expectations) lines.push(`| ${e.pass ? '✅' : '❌'} | \`${e.expr}\` | ${e.left ?? ''} | ${e.right ?? ''} |`);
    lines.push('');
  }
  if (s.skippedExpectations?.length) {
    lines.push('Skipped (a policy they need was not run, `--policies`): ' + s.skippedExpectations.map((e) => `\`${e.expr}\` (${e.notRun.join(', ')})`).join(', '), '');
  }
  if (s.invariantViolations > 0) {
    lines.push('## ⚠️ Invariant violations', '', `${s.invariantViolations} invariant violation(s): this is a keycast bug; please report it with this scenario and seed.`, '');
    for (const [n, p] of Object.entries(s.policies)) for (const m of p.invariantMessages ?? []) lines.push(`- ${n}: ${m}`);
    lines.push('');
  }
  return lines.join('\n');
}

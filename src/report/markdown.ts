/** `summary.md`: a compact Markdown report that fits a CI job summary, headline first. */
import type { Summary } from '../experiment/summary.ts';
import { fmtMs } from './format.ts';
import { comparisonOf, headlineText } from './headline.ts';
import { oracleWarnings } from './oracle-check.ts';
import { seedNote, shownColumns, shownSide, summaryCell, tableSeedsNote, winners } from './tables.ts';

export function renderMarkdown(s: Summary, description = ''): string {
  const lines: string[] = [];
  lines.push(`# keycast: ${s.scenario}`, '');
  const c = comparisonOf(s);
  if (c) {
    const t = headlineText(c);
    lines.push(`**${t.lead}:** ${t.parts.join(' · ')}  `, `_${t.seedsNote}_`, '');
    for (const w of oracleWarnings(s)) lines.push(`⚠️ ${w}`, '');
  }
  if (description) lines.push(description.trim(), '');
  lines.push(`Seed ${s.seed} · simulated ${fmtMs(s.simulatedMs)} (measured ${fmtMs(s.measuredMs)} after warm-up) · SLO p${s.sloPercentile} ≤ ${fmtMs(s.sloLatencyMs)} · scenario hash \`${s.scenarioHash}\` · keycast ${s.keycastVersion}`, '');
  const names = Object.keys(s.policies);
  lines.push(`| metric | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---:').join(' | ')} |`);
  for (const col of shownColumns(s)) {
    const win = new Set(winners(s, col));
    const cells = names.map((n) => {
      const c = summaryCell(s, col, n);
      const v = c.interval ? `${c.text} [${c.interval}]` : c.text;
      return win.has(n) ? `**${v}**` : v;
    });
    lines.push(`| ${col.label} | ${cells.join(' | ')} |`);
  }
  lines.push('', `Figures: ${tableSeedsNote(s)}. ` + 'Bold: best value of the row. Ops are split/merge/move/create; plans completed/rolled back/superseded/aborted. Bytes in binary units (1 GiB = 2^30 bytes). "held striped": measured time a policy held a striped layout instead of chasing (`strategy: auto`).', '');
  lines.push(...strategyLines(s));
  if (s.expectations.length) {
    lines.push('## Expectations', '', '| | expectation | left | right |', '| --- | --- | ---: | ---: |');
    for (const e of s.expectations) lines.push(`| ${e.pass ? '✅' : '❌'} | \`${e.expr}\`${seedNote(e) ? ` (${seedNote(e)})` : ''} | ${shownSide(e.left)} | ${shownSide(e.right)} |`);
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

/** The spread strategy's switches, per policy, with the scores behind each (none when no policy switched). */
function strategyLines(s: Summary): string[] {
  const ps = Object.entries(s.policies).filter(([, p]) => p.strategy && p.strategy.events.length > 0);
  if (ps.length === 0) return [];
  const out = ['## Strategy switches (seed ' + s.seed + ')', ''];
  const what = (to: string) => (to === 'restripe' ? 'stripes re-placed' : to === 'refine' ? 'stripes split in place' : `to ${to}`);
  for (const [n, p] of ps) for (const e of p.strategy!.events) out.push(`- ${n}, at ${(e.timeMs / 3_600_000).toFixed(1)} h: ${what(e.to)} — ${e.reason}`);
  return [...out, ''];
}

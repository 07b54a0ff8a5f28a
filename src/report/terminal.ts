/**
 * The end-of-run summary on a terminal, in the conventions of k6's end-of-test summary: a title
 * line, the headline (who won, how surely), then an aligned table with dotted leaders (best value
 * of a row marked ✓), the expectations and the invariants, and where the report is. Plain text:
 * the Markdown version stays in `summary.md`.
 */
import type { Summary } from '../experiment/summary.ts';
import { fmtMs } from './format.ts';
import { comparisonOf, headlineText } from './headline.ts';
import { oracleWarnings } from './oracle-check.ts';
import { seedNote, shownColumns, shownSide, summaryCell, tableSeedsNote, winners } from './tables.ts';

/** Display width of a string (one column per code point; enough for the symbols used here). */
const width = (s: string) => [...s].length;
const padEnd = (s: string, n: number, c = ' ') => s + c.repeat(Math.max(0, n - width(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - width(s))) + s;

export function terminalSummary(s: Summary, reportPath?: string, threads?: number): string {
  const out: string[] = [];
  out.push('', `  keycast run ${s.scenario} · seed ${s.seed} · ${fmtMs(s.simulatedMs)} simulated, ${fmtMs(s.measuredMs)} measured after warm-up · SLO p${s.sloPercentile} ≤ ${fmtMs(s.sloLatencyMs)}`, '');
  const c = comparisonOf(s);
  if (c) {
    const t = headlineText(c);
    out.push(`  █ ${t.lead}: ${t.parts.join(' · ')}`, `    ${t.seedsNote}`);
    for (const w of oracleWarnings(s)) out.push(`  ⚠ ${w}`);
    out.push('');
  }
  const names = Object.keys(s.policies);
  // breakdowns stay in summary.md and the page: a terminal row holds one figure per policy
  const cols = shownColumns(s).filter((col) => col.key !== 'plansDone');
  const cells = cols.map((col) => {
    const win = new Set(winners(s, col));
    return names.map((n) => {
      const c = summaryCell(s, col, n);
      const text = c.interval ? `${c.text} [${c.interval}]` : col.key === 'operations' ? col.format(col.get(s.policies[n])) : c.text;
      return `${win.has(n) ? '✓ ' : ''}${text}`;
    });
  });
  const labelW = Math.max(...cols.map((col) => width(col.label))) + 3;
  const colW = names.map((n, i) => Math.max(width(n), ...cells.map((r) => width(r[i]))));
  out.push(`  ${padEnd('', labelW)}  ${names.map((n, i) => padStart(n, colW[i])).join('  ')}`);
  cols.forEach((col, r) => out.push(`  ${padEnd(col.label + ' ', labelW, '.')}: ${cells[r].map((v, i) => padStart(v, colW[i])).join('  ')}`));
  out.push('', `  ${tableSeedsNote(s)}`, '  ✓ best of the row · bytes in binary units (GiB = 2^30 B) · breakdowns of ops and plans in summary.md', '');
  if (s.expectations.length) {
    const pass = s.expectations.filter((e) => e.pass).length;
    out.push(`  expectations: ${pass} of ${s.expectations.length} hold`);
    for (const e of s.expectations) {
      const note = seedNote(e);
      out.push(`    ${e.pass ? '✓' : '✗'} ${e.expr}${e.pass ? (note ? `   (${note})` : '') : `   (left ${shownSide(e.left)}, right ${shownSide(e.right)}${note ? `; ${note}` : ''})`}`);
    }
    out.push('');
  }
  if (s.invariantViolations > 0) {
    out.push(`  ✗ ${s.invariantViolations} invariant violation(s): a keycast bug; please report it with this scenario and seed`);
    for (const [n, p] of Object.entries(s.policies)) for (const m of p.invariantMessages ?? []) out.push(`    ${n}: ${m}`);
  } else out.push('  ✓ invariants held (key space covered exactly once, records conserved)');
  const bad = Object.values(s.policies).find((p) => p.badRows !== undefined)?.badRows;
  if (bad) out.push(`  ! ${bad.toLocaleString('en-US')} malformed trace row(s) skipped`);
  if (reportPath) out.push('', `  report: ${reportPath}${threads && threads > 1 ? ` (the lanes ran in ${threads} threads)` : ''}`);
  return out.join('\n') + '\n';
}

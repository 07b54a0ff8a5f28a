/**
 * The capacity page, table and CSV: latency at the SLO percentile against node count, per policy,
 * on a log latency axis with the SLO as a labelled rule and each policy's chosen node count
 * marked. With several seeds the line is the worst seed (the SLO must hold at every seed: the
 * planner's margin) and each seed's value is drawn faintly beside it.
 */
import type { CapacityResult } from '../experiment/capacity.ts';
import { kindOfName, policyColor, SLO_RED } from './colors.ts';
import { MS_LABEL_EXPR, MS_TICKS, fmtMs, msTicks } from './format.ts';
import { escapeHtml, renderPage } from './html.ts';

export function capacityCsv(r: CapacityResult): string {
  const out = ['nodes,partitions,policy,latencyMs,sloViolationRate,movedBytes,meetsSlo'];
  for (const p of r.points) for (const [name, v] of Object.entries(p.policies)) out.push([p.nodes, p.partitions, name, v.latencyMs, v.sloViolationRate, v.movedBytes, v.meets ? 1 : 0].join(','));
  return out.join('\n') + '\n';
}

const seedsNote = (r: CapacityResult) => (r.seeds && r.seeds.length > 1 ? `worst of ${r.seeds.length} seeds (${r.seeds.join(', ')}); the SLO must hold at every seed` : 'one seed, no margin: run with --seeds N for one');

/** The result as an aligned table for a terminal. */
export function capacityTable(r: CapacityResult): string {
  const names = Object.keys(r.points[0]?.policies ?? {});
  const head = ['nodes', ...names];
  const body = r.points.map((p) => [String(p.nodes), ...names.map((n) => `${fmtMs(p.policies[n].latencyMs)}${p.policies[n].meets ? ' ✔' : '  '}`)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cs: string[]) => cs.map((c, i) => c.padStart(widths[i])).join('  ');
  const lines = [`p${r.percentile} latency by node count; SLO ${fmtMs(r.sloLatencyMs)} (✔ within); ${seedsNote(r)}`, line(head), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)];
  lines.push('', 'fewest nodes within the SLO:');
  const w = Math.max(...names.map((n) => n.length));
  for (const n of names) lines.push(`  ${n.padEnd(w)}  ${r.answer[n] ?? `none up to ${r.points.at(-1)?.nodes}`}`);
  return lines.join('\n') + '\n';
}

export function capacityHtml(r: CapacityResult): string {
  const names = Object.keys(r.points[0]?.policies ?? {});
  const kinds = names.map((name) => ({ name, kind: r.kinds?.[name] ?? kindOfName(name) }));
  const values = r.points.flatMap((p) => Object.entries(p.policies).map(([policy, v]) => ({ nodes: p.nodes, policy, latencyMs: Math.max(1e-3, v.latencyMs), shown: fmtMs(v.latencyMs), meets: v.meets ? 'yes' : 'no' })));
  const seedValues = r.points.flatMap((p) => Object.entries(p.policies).flatMap(([policy, v]) => (v.perSeed ?? []).map((s) => ({ nodes: p.nodes, policy, latencyMs: Math.max(1e-3, s.latencyMs), seed: s.seed }))));
  const chosen = names.filter((n) => r.answer[n] !== null).map((n) => {
    const nodes = r.answer[n]!;
    const v = r.points.find((p) => p.nodes === nodes)!.policies[n];
    return { policy: n, nodes, latencyMs: Math.max(1e-3, v.latencyMs), label: `${n}: ${nodes} nodes` };
  });
  const all = values.map((v) => v.latencyMs).concat(seedValues.map((v) => v.latencyMs), [r.sloLatencyMs]);
  const lo = [...MS_TICKS].reverse().find((t) => t <= Math.min(...all)) ?? Math.min(...all);
  const hi = MS_TICKS.find((t) => t >= Math.max(...all)) ?? Math.max(...all);
  const nodes = r.points.map((p) => p.nodes);
  const x = { field: 'nodes', type: 'quantitative', title: 'nodes', scale: { domain: [Math.min(...nodes) - 0.3, Math.max(...nodes) + 0.3], nice: false }, axis: { values: nodes, format: 'd' } };
  const y = { field: 'latencyMs', type: 'quantitative', title: `p${r.percentile} latency (log scale)`, scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { values: msTicks(lo, hi), labelExpr: MS_LABEL_EXPR } };
  const color = policyColor(kinds);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `p${r.percentile} latency against node count`, subtitle: `${seedsNote(r)}; ringed: the fewest nodes within the SLO per policy` },
    width: 620,
    height: 320,
    layer: [
      { data: { values }, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y, color, tooltip: [{ field: 'policy' }, { field: 'nodes' }, { field: 'shown', title: `p${r.percentile}` }, { field: 'meets', title: 'within the SLO' }] } },
      ...(seedValues.length ? [{ data: { values: seedValues }, mark: { type: 'point', opacity: 0.45, size: 25 }, encoding: { x, y, color, tooltip: [{ field: 'policy' }, { field: 'nodes' }, { field: 'seed' }, { field: 'latencyMs', format: ',.4~g' }] } }] : []),
      { data: { values: [{ y: r.sloLatencyMs }] }, mark: { type: 'rule', color: SLO_RED, strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      { data: { values: [{ y: r.sloLatencyMs, label: `SLO ${fmtMs(r.sloLatencyMs)}` }] }, mark: { type: 'text', color: SLO_RED, align: 'right', baseline: 'bottom', dy: -3, fontWeight: 'bold' }, encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: 616 }, text: { field: 'label' } } },
      ...(chosen.length
        ? [
            { data: { values: chosen }, mark: { type: 'point', size: 320, strokeWidth: 2.5, filled: false }, encoding: { x, y, color } },
            { data: { values: chosen }, mark: { type: 'text', align: 'left', dx: 12, dy: 12, fontWeight: 'bold' }, encoding: { x, y, color, text: { field: 'label' } } },
          ]
        : []),
    ],
  };
  const answers = names.map((p) => `<tr><th>${escapeHtml(p)}</th><td>${r.answer[p] ?? `none up to ${r.points.at(-1)?.nodes}`}</td></tr>`).join('');
  return renderPage(
    `keycast capacity: ${r.scenario}`,
    `p${r.percentile} latency within ${escapeHtml(fmtMs(r.sloLatencyMs))}; initial partitions scale with nodes; ${escapeHtml(seedsNote(r))}`,
    `<h2>Fewest nodes within the SLO</h2><table><tr><th>policy</th><th>nodes</th></tr>${answers}</table><p class="note">Data: <a href="capacity.csv">capacity.csv</a>, <a href="capacity.json">capacity.json</a>.</p>`,
    [{ id: 'capacity', title: 'Latency against nodes', note: 'The red rule is the SLO; a ring marks each policy’s answer. The scan stops once every policy meets the SLO.', spec }],
  );
}

/** The capacity page and CSV: latency at the SLO percentile against node count, per policy. */
import type { CapacityResult } from '../experiment/capacity.ts';
import { escapeHtml, renderPage } from './html.ts';

export function capacityCsv(r: CapacityResult): string {
  const out = ['nodes,partitions,policy,latencyMs,sloViolationRate,movedBytes,meetsSlo'];
  for (const p of r.points) for (const [name, v] of Object.entries(p.policies)) out.push([p.nodes, p.partitions, name, v.latencyMs, v.sloViolationRate, v.movedBytes, v.meets ? 1 : 0].join(','));
  return out.join('\n') + '\n';
}

export function capacityTable(r: CapacityResult): string {
  const lines = [`p${r.percentile} latency (ms) by nodes; SLO ${r.sloLatencyMs} ms`];
  const names = Object.keys(r.points[0]?.policies ?? {});
  lines.push(['nodes', ...names].map((c) => c.padStart(12)).join(''));
  for (const p of r.points) lines.push([String(p.nodes), ...names.map((n) => `${p.policies[n].latencyMs.toFixed(1)}${p.policies[n].meets ? ' ✔' : '  '}`)].map((c) => c.padStart(12)).join(''));
  lines.push('', 'fewest nodes within the SLO:');
  for (const n of names) lines.push(`  ${n}: ${r.answer[n] ?? `none up to ${r.points.at(-1)?.nodes}`}`);
  return lines.join('\n') + '\n';
}

export function capacityHtml(r: CapacityResult): string {
  const values = r.points.flatMap((p) => Object.entries(p.policies).map(([policy, v]) => ({ nodes: p.nodes, policy, latencyMs: v.latencyMs, meets: v.meets })));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 620,
    height: 300,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'nodes', type: 'quantitative', title: 'nodes', axis: { tickMinStep: 1 } },
          y: { field: 'latencyMs', type: 'quantitative', title: `p${r.percentile} latency (ms)`, scale: { type: 'symlog' } },
          color: { field: 'policy', type: 'nominal' },
          tooltip: [{ field: 'policy' }, { field: 'nodes' }, { field: 'latencyMs', format: '.2f' }, { field: 'meets' }],
        },
      },
      { data: { values: [{ slo: r.sloLatencyMs }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] }, encoding: { y: { field: 'slo', type: 'quantitative' } } },
    ],
  };
  const answers = Object.entries(r.answer)
    .map(([p, n]) => `<tr><th>${escapeHtml(p)}</th><td>${n ?? `none up to ${r.points.at(-1)?.nodes}`}</td></tr>`)
    .join('');
  return renderPage(
    `keycast capacity: ${r.scenario}`,
    `p${r.percentile} latency within ${r.sloLatencyMs} ms; initial partitions scale with nodes`,
    `<h2>Fewest nodes within the SLO</h2><table><tr><th>policy</th><th>nodes</th></tr>${answers}</table>`,
    [{ id: 'capacity', title: 'Latency against nodes', note: 'The red rule is the SLO. The scan stops once every policy meets it.', spec }],
  );
}

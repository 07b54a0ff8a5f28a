/**
 * The `keycast plan` output: a `PlanResult` as the contract's JSON document or as a readable
 * table. Pure functions of the result.
 */
import type { Impact, PlanAction } from '../model/index.ts';
import { formatBytes } from '../model/units.ts';
import type { PlanResult } from './types.ts';

/** The contract's `Impact` fields (and the extra estimates). */
function impactJson(i: Impact): Record<string, number> {
  return {
    maxPartitionLoad: i.maxPartitionLoad,
    maxNodeLoad: i.maxNodeLoad,
    movedBytes: i.movedBytes,
    imbalance: i.imbalance,
    overloadedWindows: i.overloadedWindows ?? 0,
    disruptionMs: i.disruptionMs ?? 0,
    durationMs: i.durationMs ?? 0,
    cost: i.cost ?? 0,
  };
}

function actionJson(a: PlanAction, deps: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: a.kind, partition: a.partition };
  if (a.kind === 'split' || a.kind === 'create') out.at = a.at;
  if (a.kind === 'move' || a.kind === 'create') out.node = a.node;
  if (a.kind === 'merge') out.with = a.with;
  if (a.kind === 'split' || a.kind === 'create') out.newId = a.newId;
  out.dependsOn = [...deps];
  return out;
}

/**
 * The `keycast plan --json` document. When nothing is proposed, `partitions` is the current map,
 * `actions` is empty and `predicted` equals `current`; the best plan found is under `candidate`
 * and `savings` is its saving (why it was not proposed).
 */
export function planResultJson(r: PlanResult): Record<string, unknown> {
  const plan = r.plan;
  const mapJson = (m: typeof plan.after) => ({ boundaries: [...m.boundaries], nodes: [...m.nodes], ids: [...m.ids] });
  const actions = plan.actions.map((a, i) => actionJson(a, plan.dependsOn[i]));
  const out: Record<string, unknown> = {
    proposed: r.proposed,
    reason: r.reason,
    partitions: mapJson(r.proposed ? plan.after : plan.before),
    actions: r.proposed ? actions : [],
    predicted: impactJson(r.proposed ? r.predicted : r.current),
    current: impactJson(r.current),
    savings: r.savings,
    terms: r.terms,
    optimizer: r.stats,
  };
  if (!r.proposed && plan.actions.length > 0) {
    out.candidate = { partitions: mapJson(plan.after), actions, predicted: impactJson(r.predicted) };
  }
  return out;
}

const fmt = (x: number) => (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : Number(x.toFixed(3)).toString());

/** One line per action: `3. create p2 at 120 → p9 on node 1  (after 1, 2)`. */
export function describeAction(a: PlanAction): string {
  switch (a.kind) {
    case 'split':
      return `split ${a.partition} at ${a.at} → ${a.newId}`;
    case 'create':
      return `create ${a.partition} at ${a.at} → ${a.newId} on node ${a.node}`;
    case 'merge':
      return `merge ${a.partition} + ${a.with}`;
    case 'move':
      return `move ${a.partition} → node ${a.node}`;
  }
}

/** The readable `keycast plan` output. */
export function formatPlanTable(r: PlanResult): string {
  const plan = r.plan;
  const cur = r.current;
  const pred = r.predicted;
  const lines: string[] = [];
  lines.push(`${r.proposed ? 'PROPOSED' : 'not proposed'}: ${r.reason}`);
  lines.push(`optimizer ${r.stats.optimizer}, ${r.stats.iterations} iterations (${r.stats.ended})`);
  lines.push('');
  const rows: [string, string, string][] = [
    ['', 'current', r.proposed ? 'predicted' : 'best plan'],
    ['partitions', String(plan.before.ids.length), String(plan.after.ids.length)],
    ['max partition load (rec/s)', fmt(cur.maxPartitionLoad), fmt(pred.maxPartitionLoad)],
    ['max node load (rec/s)', fmt(cur.maxNodeLoad), fmt(pred.maxNodeLoad)],
    ['imbalance (max/mean)', fmt(cur.imbalance), fmt(pred.imbalance)],
    ['overloaded windows', String(cur.overloadedWindows ?? 0), String(pred.overloadedWindows ?? 0)],
    ['moved', '-', formatBytes(pred.movedBytes)],
    ['pauses (ms)', '-', fmt(pred.disruptionMs ?? 0)],
    ['est. duration (s)', '-', fmt((pred.durationMs ?? 0) / 1000)],
    ['cost', fmt(cur.cost ?? 0), fmt(pred.cost ?? 0)],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  for (const [a, b, c] of rows) lines.push(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  lines.push('');
  lines.push(`savings ${(100 * r.savings).toFixed(2)}%`);
  if (plan.actions.length > 0) {
    lines.push('');
    lines.push(`${r.proposed ? 'actions' : 'actions of the best plan (not proposed)'} (${plan.actions.length}):`);
    plan.actions.forEach((a, i) => {
      const deps = plan.dependsOn[i].length > 0 ? `  (after ${plan.dependsOn[i].map((d) => d + 1).join(', ')})` : '';
      lines.push(`  ${String(i + 1).padStart(3)}. ${describeAction(a)}${deps}`);
    });
  }
  return lines.join('\n') + '\n';
}

/**
 * The files of a live run's report folder (`keycast live`): `summary.json`, `summary.md`,
 * `operations.csv`, `plans.jsonl`, `moves.csv`, `timeseries.csv` (one row per wall second),
 * `layouts.json` and, with a calibration, `sim-vs-real-moves.csv`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LiveResult } from '../experiment/live.ts';
import type { LiveSummary, MoveComparison } from '../experiment/live-report.ts';
import { operationsCsv, rowsCsv } from './csv.ts';

/** `summary.md`: the figures as a table, sim and real side by side when there is a twin. */
export function liveMarkdown(s: LiveSummary): string {
  const out = [
    `# ${s.scenario}: live run of \`${s.policy}\` on ${s.masters} Redis masters`,
    '',
    `${s.scaling.note}. Wall ${Math.round(s.wallMs / 1000)} s${s.stoppedEarly ? ' (stopped early)' : ''}.`,
    '',
    '| figure | measured |' + (s.simulated ? ' simulated |' : ''),
    '| --- | --- |' + (s.simulated ? ' --- |' : ''),
  ];
  const fmt = (v: string | number | undefined) => (typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : (v ?? ''));
  const row = (name: string, real: string | number, sim?: string | number) => out.push(`| ${name} | ${fmt(real)} |` + (s.simulated ? ` ${fmt(sim)} |` : ''));
  row('writes acknowledged / issued', `${s.writes.acknowledged} / ${s.writes.issued}`);
  row('writes failed / skipped', `${s.writes.failed} / ${s.writes.skipped}`);
  row('acknowledged writes lost / misplaced / unread', `${s.writes.lost} / ${s.writes.misplaced} / ${s.writes.unread} of ${s.writes.checked}`);
  row('p50 latency (ms)', s.latency.p50LatencyMs, s.simulated?.p50LatencyMs);
  row('p99 latency (ms)', s.latency.p99LatencyMs, s.simulated?.p99LatencyMs);
  row('SLO violation rate', s.latency.sloViolationRate, s.simulated?.sloViolationRate);
  row('p50 / p99 latency during moves (ms)', `${s.latencyDuringMoves.p50LatencyMs} / ${s.latencyDuringMoves.p99LatencyMs} (${s.latencyDuringMoves.writes} writes)`);
  row('operations split/merge/move/create/failed', `${s.operations.split}/${s.operations.merge}/${s.operations.move}/${s.operations.create}/${s.operations.failed}`, s.simulated ? `${s.simulated.operations.split}/${s.simulated.operations.merge}/${s.simulated.operations.move}/${s.simulated.operations.create}/${s.simulated.operations.failed}` : undefined);
  row('actions rolled back', s.operations.rolledBack);
  row('median move (scenario ms)', s.moves.medianScenarioMs, s.simulated?.medianMoveMs);
  const md = s.simVsReal?.moveDurationMs;
  row('median move (wall ms) / model', s.moves.medianWallMs, md ? `${md.simulatedModel} (median error ${(md.medianRelativeError * 100).toFixed(0)}%, ${md.within25} of ${md.of} within 25%; alone ${md.alone.within25} of ${md.alone.of})` : undefined);
  row('median cut-over (wall ms)', s.moves.medianCutoverWallMs);
  row('bytes moved', s.movedBytes);
  row('map equals CLUSTER SLOTS, no slot open', s.consistency.mapEqualsClusterSlots ? 'yes' : `no: ${s.consistency.problems[0]}`);
  return out.join('\n') + '\n';
}

/** Writes the report files into `dir` (a fresh folder; the caller makes it atomic). */
export function writeLiveReport(dir: string, s: LiveSummary, live: LiveResult, compared: readonly MoveComparison[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(s, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'summary.md'), liveMarkdown(s));
  fs.writeFileSync(path.join(dir, 'operations.csv'), operationsCsv(live.operations));
  const plans = (live.report?.planRecords ?? []) as readonly unknown[];
  fs.writeFileSync(path.join(dir, 'plans.jsonl'), plans.map((p) => JSON.stringify(p)).join('\n') + (plans.length ? '\n' : ''));
  fs.writeFileSync(path.join(dir, 'timeseries.csv'), rowsCsv(live.rows, ['wallMs', 'scenarioMs', 'writes', 'acknowledged', 'failed', 'p50LatencyMs', 'p99LatencyMs', 'movesInFlight', 'partitions']));
  fs.writeFileSync(path.join(dir, 'moves.csv'), rowsCsv([...live.opStats], ['opId', 'kind', 'status', 'code', 'slots', 'keys', 'bytes', 'wallMs', 'cutoverWallMs']));
  if (compared.length) fs.writeFileSync(path.join(dir, 'sim-vs-real-moves.csv'), rowsCsv([...compared], ['opId', 'kind', 'slots', 'keys', 'bytes', 'measuredMs', 'simulatedMs', 'relativeError', 'alone']));
  fs.writeFileSync(path.join(dir, 'layouts.json'), JSON.stringify(live.layouts) + '\n');
}

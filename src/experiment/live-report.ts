/**
 * The report of a live run (`keycast live`): `summary.json`, `summary.md`, `operations.csv`,
 * `plans.jsonl`, `moves.csv` and `timeseries.csv` (one row per wall second), and, with a
 * calibration, the simulator's twin of the run side by side with what was measured: per move
 * the duration the simulator's model gives it (fixed cost + bytes / bandwidth) against the
 * measured one, and the whole scenario simulated under the equivalent `cluster:` fields.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedScenario } from '../scenario/load.ts';
import { operationsCsv, rowsCsv } from '../report/csv.ts';
import { runScenario } from './run.ts';
import { equivalentCluster, type Calibration, type LiveResult } from './live.ts';

/** The simulator's side of a live run. */
export interface SimTwin {
  readonly cluster: ReturnType<typeof equivalentCluster>;
  readonly p50LatencyMs: number;
  readonly p99LatencyMs: number;
  readonly sloViolationRate: number;
  readonly operations: { split: number; merge: number; move: number; create: number; failed: number };
  /** Median scenario ms of the twin's finished moves and creates. */
  readonly medianMoveMs: number;
  readonly moves: number;
}

/** Per measured move: the simulator model's duration for it under the calibration, wall ms. */
export interface MoveComparison {
  readonly opId: number;
  readonly kind: string;
  readonly slots: number;
  readonly keys: number;
  readonly bytes: number;
  readonly measuredMs: number;
  readonly simulatedMs: number;
  /** (simulated − measured) / measured. */
  readonly relativeError: number;
}

const median = (xs: readonly number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The simulator model's duration of each measured move under `cal`, against the measured one. */
export function compareMoves(live: LiveResult, cal: Calibration): MoveComparison[] {
  return live.opStats
    .filter((s) => s.status === 'done' && (s.kind === 'move' || s.kind === 'create'))
    .map((s) => {
      const sim = cal.moveFixedMs + (s.bytes / cal.moveBytesPerSec) * 1000;
      return { opId: s.opId, kind: s.kind, slots: s.slots, keys: s.keys, bytes: s.bytes, measuredMs: r3(s.wallMs), simulatedMs: r3(sim), relativeError: r3((sim - s.wallMs) / s.wallMs) };
    });
}

/** Simulates the live run's scenario and policy under the cluster fields equivalent to `cal`. */
export function simulateTwin(loaded: LoadedScenario, policy: string, live: LiveResult, cal: Calibration): SimTwin {
  const sc = loaded.scenario;
  const cluster = equivalentCluster(cal, live.speed, live.rateScale, sc.duration);
  const twin: LoadedScenario = {
    ...loaded,
    scenario: { ...sc, cluster: { ...sc.cluster, moveBandwidth: cluster.moveBandwidth, retention: cluster.retention, pauses: { ...sc.cluster.pauses, move: cluster.pauses.move } } },
    policies: loaded.policies.filter(([n]) => n === policy),
    expectations: [],
  };
  const res = runScenario(twin, { workers: 1 });
  const lane = res.lanes[0];
  const moves = lane.operations.filter((e) => e.status === 'done' && (e.action.kind === 'move' || e.action.kind === 'create'));
  const s = lane.summary;
  return {
    cluster,
    p50LatencyMs: s.p50LatencyMs,
    p99LatencyMs: s.p99LatencyMs,
    sloViolationRate: s.sloViolationRate,
    operations: { split: s.operations.split, merge: s.operations.merge, move: s.operations.move, create: s.operations.create, failed: s.operations.failed },
    medianMoveMs: r3(median(moves.map((e) => e.durationMs ?? 0))),
    moves: moves.length,
  };
}

/** `summary.json` of a live run. */
export function liveSummary(loaded: LoadedScenario, policy: string, version: string, live: LiveResult, cal?: Calibration, twin?: SimTwin, compared?: readonly MoveComparison[]) {
  const sc = loaded.scenario;
  const ops = { split: 0, merge: 0, move: 0, create: 0, failed: 0, rolledBack: live.report?.rolledBackActions ?? 0 };
  for (const e of live.operations) {
    if (e.status === 'failed') ops.failed++;
    else ops[e.action.kind]++;
  }
  const moves = live.opStats.filter((s) => s.status === 'done' && (s.kind === 'move' || s.kind === 'create'));
  return {
    keycastVersion: version,
    mode: 'live' as const,
    scenario: sc.name,
    scenarioHash: loaded.hash,
    seed: sc.seed,
    policy,
    sloLatencyMs: sc.slo.latency,
    sloPercentile: sc.slo.percentile,
    masters: live.masters,
    scaling: {
      speed: r3(live.speed),
      rateScale: live.rateScale,
      note: `scenario time runs ${r3(live.speed)}x the wall clock; each scenario record is ${live.rateScale} writes; the cluster keeps every key written (no retention)`,
    },
    wallMs: live.wallMs,
    scenarioMs: live.scenarioMs,
    stoppedEarly: live.stoppedEarly,
    writes: live.writes,
    latency: live.latency,
    latencyDuringMoves: live.latencyDuringMoves,
    movedBytes: live.movedBytes,
    operations: ops,
    plans: live.report?.plans ?? { proposed: 0, completed: 0, rolledBack: 0, superseded: 0, aborted: 0 },
    meanImbalance: live.meanImbalance,
    moves: {
      count: moves.length,
      medianWallMs: r3(median(moves.map((m) => m.wallMs))),
      medianScenarioMs: r3(median(moves.map((m) => m.wallMs)) * live.speed),
      medianCutoverWallMs: r3(median(moves.map((m) => m.cutoverWallMs))),
      medianBytes: median(moves.map((m) => m.bytes)),
    },
    consistency: { mapEqualsClusterSlots: live.verifyProblems.length === 0, problems: live.verifyProblems.slice(0, 20), lostWrites: live.writes.lost, misplacedWrites: live.writes.misplaced },
    ...(cal ? { calibration: cal } : {}),
    ...(twin
      ? {
          simulated: twin,
          simVsReal: {
            moveDurationMs: { simulatedModel: r3(median((compared ?? []).map((c) => c.simulatedMs))), measured: r3(median((compared ?? []).map((c) => c.measuredMs))), medianRelativeError: r3(median((compared ?? []).map((c) => Math.abs(c.relativeError)))), within25: (compared ?? []).filter((c) => Math.abs(c.relativeError) <= 0.25).length, of: (compared ?? []).length },
            p50LatencyMs: { simulated: twin.p50LatencyMs, measured: live.latency.p50LatencyMs },
            p99LatencyMs: { simulated: twin.p99LatencyMs, measured: live.latency.p99LatencyMs },
            sloViolationRate: { simulated: twin.sloViolationRate, measured: live.latency.sloViolationRate },
          },
        }
      : {}),
  };
}

export type LiveSummary = ReturnType<typeof liveSummary>;

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
  const row = (name: string, real: string | number, sim?: string | number) => out.push(`| ${name} | ${real} |` + (s.simulated ? ` ${sim ?? ''} |` : ''));
  row('writes acknowledged / issued', `${s.writes.acknowledged} / ${s.writes.issued}`);
  row('writes failed / skipped', `${s.writes.failed} / ${s.writes.skipped}`);
  row('acknowledged writes lost / misplaced', `${s.writes.lost} / ${s.writes.misplaced} of ${s.writes.checked}`);
  row('p50 latency (ms)', s.latency.p50LatencyMs, s.simulated?.p50LatencyMs);
  row('p99 latency (ms)', s.latency.p99LatencyMs, s.simulated?.p99LatencyMs);
  row('SLO violation rate', s.latency.sloViolationRate, s.simulated?.sloViolationRate);
  row('p50 / p99 latency during moves (ms)', `${s.latencyDuringMoves.p50LatencyMs} / ${s.latencyDuringMoves.p99LatencyMs} (${s.latencyDuringMoves.writes} writes)`);
  row('operations split/merge/move/create/failed', `${s.operations.split}/${s.operations.merge}/${s.operations.move}/${s.operations.create}/${s.operations.failed}`, s.simulated ? `${s.simulated.operations.split}/${s.simulated.operations.merge}/${s.simulated.operations.move}/${s.simulated.operations.create}/${s.simulated.operations.failed}` : undefined);
  row('actions rolled back', s.operations.rolledBack);
  row('median move (scenario ms)', s.moves.medianScenarioMs, s.simulated?.medianMoveMs);
  row('median move (wall ms) / model', s.moves.medianWallMs, s.simVsReal ? `${s.simVsReal.moveDurationMs.simulatedModel} (${s.simVsReal.moveDurationMs.within25} of ${s.simVsReal.moveDurationMs.of} within 25%)` : undefined);
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
  if (compared.length) fs.writeFileSync(path.join(dir, 'sim-vs-real-moves.csv'), rowsCsv([...compared], ['opId', 'kind', 'slots', 'keys', 'bytes', 'measuredMs', 'simulatedMs', 'relativeError']));
  fs.writeFileSync(path.join(dir, 'layouts.json'), JSON.stringify(live.layouts) + '\n');
}

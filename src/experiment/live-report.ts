/**
 * The figures of a live run (`keycast live`) for its `summary.json` and, with a calibration, the
 * simulator's twin of the run side by side with what was measured: per move the duration the
 * simulator's model gives it (fixed + per slot + more with data + bytes / bandwidth, move-model.ts)
 * against the measured one, and the whole scenario simulated under the equivalent `cluster:` fields. Files: report/live-report.ts.
 */
import type { LoadedScenario } from '../scenario/load.ts';
import { runScenario } from './run.ts';
import type { LiveResult } from './live.ts';
import { equivalentCluster, modelMs, type Calibration, type EquivalentCluster } from './move-model.ts';

/** The simulator's side of a live run. */
export interface SimTwin {
  readonly cluster: EquivalentCluster;
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
  /** Whether the move ran alone (no other move or create overlapped it): the model is of one move. */
  readonly alone: boolean;
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
  // Spans of every move and create (done or failed) in scenario ms, to tell moves that ran alone.
  const spans = live.operations
    .filter((e) => e.action.kind === 'move' || e.action.kind === 'create')
    .map((e) => ({ opId: e.opId, start: e.timeMs - (e.durationMs ?? 0), end: e.timeMs }));
  const alone = (opId: number) => {
    const me = spans.find((x) => x.opId === opId);
    return !me || !spans.some((x) => x.opId !== opId && x.start < me.end && me.start < x.end);
  };
  return live.opStats
    .filter((s) => s.status === 'done' && (s.kind === 'move' || s.kind === 'create'))
    .map((s) => {
      const sim = modelMs(cal, s.slots, s.bytes);
      return { opId: s.opId, kind: s.kind, slots: s.slots, keys: s.keys, bytes: s.bytes, measuredMs: r3(s.wallMs), simulatedMs: r3(sim), relativeError: r3((sim - s.wallMs) / s.wallMs), alone: alone(s.opId) };
    });
}

/** Median error, |error| and moves within 25% of a set of comparisons. */
function errorFigures(c: readonly MoveComparison[]) {
  return {
    of: c.length,
    within25: c.filter((x) => Math.abs(x.relativeError) <= 0.25).length,
    medianRelativeError: r3(median(c.map((x) => x.relativeError))),
    medianAbsRelativeError: r3(median(c.map((x) => Math.abs(x.relativeError)))),
  };
}

/** Simulates the live run's scenario and policy under the cluster fields equivalent to `cal`. */
export function simulateTwin(loaded: LoadedScenario, policy: string, live: LiveResult, cal: Calibration): SimTwin {
  const sc = loaded.scenario;
  const cluster = equivalentCluster(cal, { speed: live.speed, y: live.rateScale, durationMs: sc.duration, slotsPerBucket: live.slotsPerBucket, recordBytes: sc.workload.recordBytes, bytesPerWrite: live.bytesPerWrite });
  const twin: LoadedScenario = {
    ...loaded,
    scenario: { ...sc, cluster: { ...sc.cluster, moveBandwidth: cluster.moveBandwidth, retention: cluster.retention, movePerBucket: cluster.movePerBucket, moveDataSetup: cluster.moveDataSetup, pauses: { ...sc.cluster.pauses, move: cluster.pauses.move } } },
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

/** Operations of a live run by kind (done ones), failed ones, and actions rolled back. */
function operationCounts(live: LiveResult) {
  const ops = { split: 0, merge: 0, move: 0, create: 0, failed: 0, rolledBack: live.report?.rolledBackActions ?? 0 };
  for (const e of live.operations) {
    if (e.status === 'failed') ops.failed++;
    else ops[e.action.kind]++;
  }
  return ops;
}

/** Whether the run ended consistent: the map against CLUSTER SLOTS, and the write check. */
function consistencyOf(live: LiveResult) {
  return {
    mapEqualsClusterSlots: live.verifyProblems.length === 0,
    problems: live.verifyProblems.slice(0, 20),
    lostWrites: live.writes.lost,
    misplacedWrites: live.writes.misplaced,
    /** Acknowledged writes in slots that could not be read back (not verified; the run fails). */
    unreadWrites: live.writes.unread,
    /** Slots an earlier (killed) run left open, closed before this run started. */
    repairedAtStart: live.repairedAtStart.length,
    /** Operations cancelled (slots closed) because they outlasted the settle time. */
    cancelledAtEnd: live.cancelledAtEnd,
  };
}

/** The simulated twin beside the measured run: move durations, latency, SLO violations. */
function simVsReal(live: LiveResult, twin: SimTwin, compared: readonly MoveComparison[], movesWallMs: readonly number[]) {
  return {
    moveDurationMs: {
      simulatedModel: r3(median(compared.map((c) => c.simulatedMs))),
      measured: r3(median(compared.map((c) => c.measuredMs))),
      ...errorFigures(compared),
      alone: errorFigures(compared.filter((c) => c.alone)),
      concurrent: errorFigures(compared.filter((c) => !c.alone)),
    },
    twinMedianMoveScenarioMs: { simulated: twin.medianMoveMs, measured: r3(median(movesWallMs) * live.speed) },
    p50LatencyMs: { simulated: twin.p50LatencyMs, measured: live.latency.p50LatencyMs },
    p99LatencyMs: { simulated: twin.p99LatencyMs, measured: live.latency.p99LatencyMs },
    sloViolationRate: { simulated: twin.sloViolationRate, measured: live.latency.sloViolationRate },
  };
}

/** `summary.json` of a live run. */
export function liveSummary(loaded: LoadedScenario, policy: string, version: string, live: LiveResult, cal?: Calibration, twin?: SimTwin, compared?: readonly MoveComparison[]) {
  const sc = loaded.scenario;
  const moves = live.opStats.filter((s) => s.status === 'done' && (s.kind === 'move' || s.kind === 'create'));
  const wallMs = moves.map((m) => m.wallMs);
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
      bytesPerWrite: live.bytesPerWrite,
      slotsPerBucket: live.slotsPerBucket,
      note: `scenario time runs ${r3(live.speed)}x the wall clock; each scenario record is ${live.rateScale} writes of ${live.bytesPerWrite} B (key and value) into its bucket's first slot; the cluster keeps every key written (no retention)`,
    },
    wallMs: live.wallMs,
    scenarioMs: live.scenarioMs,
    stoppedEarly: live.stoppedEarly,
    writes: live.writes,
    latency: live.latency,
    latencyDuringMoves: live.latencyDuringMoves,
    movedBytes: live.movedBytes,
    operations: operationCounts(live),
    plans: live.report?.plans ?? { proposed: 0, completed: 0, rolledBack: 0, superseded: 0, aborted: 0 },
    meanImbalance: live.meanImbalance,
    moves: {
      count: moves.length,
      medianWallMs: r3(median(wallMs)),
      medianScenarioMs: r3(median(wallMs) * live.speed),
      medianCutoverWallMs: r3(median(moves.map((m) => m.cutoverWallMs))),
      medianBytes: median(moves.map((m) => m.bytes)),
    },
    consistency: consistencyOf(live),
    ...(cal ? { calibration: cal } : {}),
    ...(twin ? { simulated: twin, simVsReal: simVsReal(live, twin, compared ?? [], wallMs) } : {}),
  };
}

export type LiveSummary = ReturnType<typeof liveSummary>;

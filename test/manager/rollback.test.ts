import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PlanRun } from '../../src/manager/plan-run.ts';
import { Rollback, type RollbackHost } from '../../src/manager/rollback.ts';
import { inferDependencies } from '../../src/manager/schedule.ts';
import { applyActions } from '../../src/model/apply-action.ts';
import type { ControlPlane, OpEvent, SubmitResult } from '../../src/model/control-plane.ts';
import { equalPartitionMap, type PartitionMap } from '../../src/model/partition-map.ts';
import type { PlanAction } from '../../src/model/plan.ts';

const impact = { maxPartitionLoad: 0, maxNodeLoad: 0, movedBytes: 0, imbalance: 1 };

/** A control plane that answers submissions from a script and records them. */
function fakePlane(map: PartitionMap, answers: SubmitResult[]): ControlPlane & { submitted: PlanAction[] } {
  const submitted: PlanAction[] = [];
  return {
    submitted,
    events$: new Subject<OpEvent>(),
    currentMap: () => map,
    activeNodes: () => [0, 1],
    inFlight: () => 0,
    submit: (a: PlanAction) => {
      submitted.push(a);
      return answers.shift() ?? { accepted: true, opId: 100 + submitted.length };
    },
  } as unknown as ControlPlane & { submitted: PlanAction[] };
}

function setup(answers: SubmitResult[]) {
  const map = equalPartitionMap(16, 4, 2);
  const actions: PlanAction[] = [
    { kind: 'move', partition: map.ids[0], node: 1 },
    { kind: 'move', partition: map.ids[1], node: 0 },
  ];
  const run = new PlanRun({ id: 'p', createdAtMs: 0, basis: 't', before: map, after: applyActions(map, actions), actions, dependsOn: inferDependencies(actions), current: impact, predicted: impact, savings: 0.1 });
  run.startMap = map;
  run.plan.to('running');
  run.plan.to('rolling-back');
  // both actions done, in order 1 then 0; each undone by one move back
  for (const i of [1, 0]) {
    run.trackers[i].to('running', 0);
    run.trackers[i].to('done', 1);
    run.doneOrder.push(i);
    run.undo.set(i, { steps: [{ kind: 'move', partition: map.ids[i], node: map.nodes[i] }], next: 0, attempt: 0 });
  }
  const control = fakePlane(map, answers);
  const log: string[] = [];
  const later: (() => void)[] = [];
  const host: RollbackHost = {
    control,
    now: () => 0,
    undoTag: () => 'p:undo',
    transition: (r, i, to) => {
      r.trackers[i].to(to, 0);
      log.push(`${i} ${to}`);
    },
    emit: (e) => e.type === 'undo-step' && log.push(`undo ${e.index} ${e.status} #${e.attempt}`),
    later: (_, fn) => later.push(fn),
    backoff: (n) => 1000 * n,
    armTimeout: () => undefined,
    finish: (_, outcome, reason) => log.push(`finish ${outcome}${reason ? ': ' + reason : ''}`),
    undone: () => log.push('undone'),
  };
  return { run, rollback: new Rollback(host), control, log, later };
}

describe('rollback', () => {
  it('waits for running operations, then undoes done actions in reverse completion order', () => {
    const { run, rollback, control, log } = setup([]);
    run.ops.set(5, 0);
    rollback.continue(run);
    expect(control.submitted).toEqual([]);
    run.ops.clear();
    rollback.continue(run);
    expect(log).toEqual(['0 rolling-back', '1 rolling-back']);
    expect(control.submitted.map((s) => s.partition)).toEqual([run.p.actions[0].partition]);
    rollback.onStep(run, { opId: run.undoOp!, status: 'done', action: control.submitted[0] } as OpEvent);
    run.undoOp = null;
    expect(log.slice(2)).toEqual(['undo 0 done #0', '0 rolled-back', 'undone']);
    rollback.onStep(run, { opId: 0, status: 'done', action: control.submitted[1] } as OpEvent);
    expect(log.slice(5)).toEqual(['undo 1 done #0', '1 rolled-back', 'undone', 'finish rolled-back']);
  });

  it('skips a step refused as noop, and retries a refused step after a backoff', () => {
    const { run, rollback, control, log, later } = setup([
      { accepted: false, code: 'noop', reason: 'already there' },
      { accepted: false, code: 'busy', reason: 'busy' },
    ]);
    rollback.continue(run);
    expect(log).toEqual(['0 rolling-back', '1 rolling-back', '0 rolled-back', 'undone', 'undo 1 failed #1', '1 rolling-back']);
    expect(later.length).toBe(1);
    later[0]();
    expect(control.submitted.length).toBe(3);
  });
});

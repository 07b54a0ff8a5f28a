import { describe, expect, it } from 'vitest';
import { keepRecord, mapAfterInFlight, PlanRecords, PlanRun, undoSteps, type PlanRecord } from '../../src/manager/plan-run.ts';
import { inferDependencies } from '../../src/manager/schedule.ts';
import { applyAction, applyActions } from '../../src/model/apply-action.ts';
import { equalPartitionMap, sameLayout, type PartitionMap } from '../../src/model/partition-map.ts';
import type { Plan, PlanAction } from '../../src/model/plan.ts';

const impact = { maxPartitionLoad: 0, maxNodeLoad: 0, movedBytes: 0, imbalance: 1 };
function plan(before: PartitionMap, actions: PlanAction[]): Plan {
  return { id: 'p', createdAtMs: 0, basis: 't', before, after: applyActions(before, actions), actions, dependsOn: inferDependencies(actions), current: impact, predicted: impact, savings: 0.1 };
}

describe('a plan run', () => {
  // p0 and p1 on node 0 (so they can merge), p2 on node 0, p3 on node 1
  const map = applyAction(equalPartitionMap(16, 4, 2), { kind: 'move', partition: 'p1', node: 0 });
  const [a, b] = map.ids;

  it('undo steps bring every kind of action back to the map before it', () => {
    const actions: PlanAction[] = [
      { kind: 'split', partition: a, at: 2, newId: 'n1' },
      { kind: 'create', partition: b, at: 6, node: 1, newId: 'n2' },
      { kind: 'merge', partition: a, with: b },
      { kind: 'move', partition: b, node: 1 },
    ];
    for (const act of actions) {
      const after = applyAction(map, act);
      const back = applyActions(after, undoSteps(act, map));
      expect(sameLayout(back, map), act.kind).toBe(true);
    }
    expect(undoSteps(actions[1], map).map((s) => s.kind)).toEqual(['move', 'merge']);
  });

  it('the planning base applies the actions in flight, skipping runs rolling back and actions that turned illegal', () => {
    const run = new PlanRun(plan(map, [{ kind: 'move', partition: a, node: 1 }, { kind: 'split', partition: b, at: 6, newId: 'x' }]));
    run.ops.set(7, 0);
    run.ops.set(8, 1);
    const base = mapAfterInFlight(map, [run]);
    expect(base.nodes[0]).toBe(1);
    expect(base.ids).toContain('x');
    const gone = new PlanRun(plan(map, [{ kind: 'merge', partition: a, with: b }]));
    gone.ops.set(9, 0);
    expect(mapAfterInFlight(applyAction(map, { kind: 'merge', partition: a, with: b }), [gone]).ids.length).toBe(3);
    run.plan.to('running');
    run.plan.to('rolling-back');
    expect(mapAfterInFlight(map, [run])).toBe(map);
  });

  it('batches follow the dependencies, and the record follows the actions', () => {
    const run = new PlanRun(plan(map, [{ kind: 'split', partition: a, at: 2, newId: 'n1' }, { kind: 'move', partition: 'n1', node: 1 }, { kind: 'move', partition: b, node: 1 }]));
    expect(run.batchOf).toEqual([0, 1, 0]);
    expect(run.batches).toBe(2);
    run.recordAction(0, 'running', 10);
    run.recordAction(0, 'done', 20);
    run.recordAction(2, 'cancelled', 30, 'superseded');
    expect(run.record.actions.map((r) => [r.state, r.startMs, r.endMs, r.reason])).toEqual([
      ['done', 10, 20, undefined],
      ['pending', undefined, undefined, undefined],
      ['cancelled', undefined, 30, 'superseded'],
    ]);
  });

  it('keeps the first half of the records and the latest, dropping the oldest ended one after the first half', () => {
    const rec = (id: string, ended: boolean): PlanRecord => ({ id, basis: '', createdAtMs: 0, savings: 0, current: impact, predicted: impact, actions: [], ...(ended ? { outcome: 'completed' as const } : {}) });
    const records: PlanRecord[] = [];
    expect(['a', 'b', 'c', 'd'].map((id) => keepRecord(records, rec(id, id !== 'c'), 4))).toEqual([false, false, false, false]);
    expect(keepRecord(records, rec('e', true), 4)).toBe(true);
    expect(records.map((r) => r.id)).toEqual(['a', 'b', 'c', 'e']);
    expect(keepRecord(records, rec('f', false), 4)).toBe(true);
    expect(records.map((r) => r.id)).toEqual(['a', 'b', 'c', 'f']);
  });
});

describe('the plan records hand-over', () => {
  const map = equalPartitionMap(16, 4, 2);
  const run = (id: string, createdAtMs = 0) => new PlanRun({ ...plan(map, [{ kind: 'move', partition: map.ids[0], node: 1 }]), id, createdAtMs });
  const end = (r: PlanRun, outcome: 'completed' | 'superseded') => {
    r.plan.to('running');
    r.plan.to(outcome);
  };

  it('without a sink keeps the records (first half and latest beyond the limit) and counts the dropped', () => {
    const book = new PlanRecords(4);
    const runs = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => run(id));
    for (const r of runs) {
      r.record.outcome = 'completed';
      book.add(r);
    }
    expect(book.kept.map((r) => r.id)).toEqual(['a', 'b', 'e', 'f']);
    expect(book.dropped).toBe(2);
    expect(book.waiting).toBe(false);
    book.flush(true); // no sink: nothing to hand over
    expect(book.kept.length).toBe(4);
  });

  it('with a sink hands over records in creation order once nothing changes them, the rest on a final flush', () => {
    const got: string[] = [];
    const book = new PlanRecords(4, (rec) => got.push(rec.id));
    const [a, b, c] = [run('a'), run('b'), run('c')];
    for (const r of [a, b, c]) book.add(r);
    expect(book.kept).toEqual([]);
    end(b, 'completed');
    book.flush();
    expect(got).toEqual([]); // a, created first, has not ended: b waits behind it
    end(a, 'superseded');
    a.ops.set(5, 0); // a's operation still runs: its record can still change
    book.flush();
    expect(got).toEqual([]);
    a.ops.clear();
    book.flush();
    expect(got).toEqual(['a', 'b']);
    expect(book.waiting).toBe(true);
    book.flush(true);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(book.waiting).toBe(false);
  });

  it('sums the execution lag of ended plans', () => {
    const book = new PlanRecords(10);
    const [a, b] = [run('a', 1_000), run('b', 5_000)];
    book.end(a.record, 4_000);
    book.end(b.record, 5_500);
    expect([book.lagSumMs, book.ended]).toEqual([3_500, 2]);
  });
});

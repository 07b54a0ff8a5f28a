/** The APM's operation timeouts: armed per accepted operation, cancelled with code `timeout`, disarmed when an operation ends. */
import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { OpTimeouts } from '../../src/manager/op-timeouts.ts';
import { VirtualScheduler } from '../../src/engine/virtual-scheduler.ts';
import { equalPartitionMap } from '../../src/model/partition-map.ts';
import type { ControlPlane, OpCode, OpEvent } from '../../src/model/control-plane.ts';
import type { PlanAction } from '../../src/model/plan.ts';

/** A control plane that only records cancels (`refuse`: cancel reports the operation already ended). */
function plane(withCancel = true, refuse = new Set<number>()): { control: ControlPlane; cancels: [number, OpCode, string, number][]; scheduler: VirtualScheduler } {
  const scheduler = new VirtualScheduler();
  const cancels: [number, OpCode, string, number][] = [];
  const control: ControlPlane = {
    currentMap: () => equalPartitionMap(8, 2, 2),
    activeNodes: () => [0, 1],
    submit: () => ({ accepted: true, opId: 1 }),
    inFlight: () => 0,
    events$: new Subject<OpEvent>(),
    ...(withCancel
      ? {
          cancel: (opId: number, code: OpCode, reason: string) => {
            cancels.push([opId, code, reason, scheduler.now()]);
            return !refuse.has(opId);
          },
        }
      : {}),
  };
  return { control, cancels, scheduler };
}

const MOVE: PlanAction = { kind: 'move', partition: 'p0', node: 1 };
const SPLIT: PlanAction = { kind: 'split', partition: 'p0', at: 2, newId: 'x' };

describe('operation timeouts', () => {
  it('cancels an operation still running after its timeout, with code timeout, and counts it', () => {
    const { control, cancels, scheduler } = plane();
    const t = new OpTimeouts(control, scheduler, (a) => (a.kind === 'move' ? 5_000 : 20_000));
    t.arm(1, MOVE);
    t.arm(2, SPLIT);
    scheduler.run(60_000);
    expect(cancels).toEqual([
      [1, 'timeout', 'operation ran longer than 5000 ms', 5_000],
      [2, 'timeout', 'operation ran longer than 20000 ms', 20_000],
    ]);
    expect(t.timedOut).toBe(2);
  });

  it('an operation that ended is disarmed; a cancel the plane refuses is not counted', () => {
    const { control, cancels, scheduler } = plane(true, new Set([3]));
    const t = new OpTimeouts(control, scheduler, () => 1_000);
    t.arm(1, MOVE);
    t.arm(3, MOVE);
    scheduler.at(500, () => t.disarm(1));
    t.disarm(99); // never armed: nothing happens
    scheduler.run(10_000);
    expect(cancels.map((c) => c[0])).toEqual([3]);
    expect(t.timedOut).toBe(0);
  });

  it('arms nothing without a timeout, for a non-positive or infinite one, or on a plane that cannot cancel', () => {
    for (const [withCancel, ms] of [[true, undefined], [true, 0], [true, -1], [true, Infinity], [true, NaN], [false, 1_000]] as const) {
      const { control, cancels, scheduler } = plane(withCancel);
      const t = new OpTimeouts(control, scheduler, ms === undefined ? undefined : () => ms);
      t.arm(1, MOVE);
      scheduler.run(1e9);
      expect(cancels, `${withCancel} ${ms}`).toEqual([]);
      expect(t.timedOut).toBe(0);
    }
  });
});

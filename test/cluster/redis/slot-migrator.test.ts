/**
 * The MIGRATE gate: rounds in one direction share an edge, a round that would close a cycle
 * (B→A while A→B runs, or C→A while A→B and B→C run) waits until the edge that closes it is gone.
 * (The migration itself runs against Redis in redis-control-plane.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { MigrateGate } from '../../../src/cluster/redis/slot-migrator.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('MigrateGate', () => {
  it('lets rounds of one direction run together and holds the opposite direction back', async () => {
    const g = new MigrateGate();
    await g.acquire(0, 1);
    await g.acquire(0, 1);
    await g.acquire(2, 1); // no cycle: 2→1 beside 0→1
    let back = false;
    const p = g.acquire(1, 0).then(() => (back = true));
    await tick();
    expect(back).toBe(false);
    g.release(0, 1);
    await tick();
    expect(back).toBe(false); // one 0→1 round still runs
    g.release(0, 1);
    await p;
    expect(back).toBe(true);
  });

  it('holds back a round that closes a longer cycle', async () => {
    const g = new MigrateGate();
    await g.acquire(0, 1);
    await g.acquire(1, 2);
    let closed = false;
    const p = g.acquire(2, 0).then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    g.release(1, 2);
    await p;
    expect(closed).toBe(true);
  });
});

/**
 * Owner switches that run at once on a real 3-master cluster keep every key. Three slot ranges
 * each move one master on per round (0→1, 1→2, 2→0 together), drained first, then switched
 * together: every target is also a source, so each switch's epoch bump races the others. A master
 * that claims a slot with a config epoch no greater than the old owner's loses the claim to the
 * old owner's gossip and deletes the keys it just imported (Redis drops the keys of a slot it
 * learns it does not own), which this counts. The migrator serializes switches and makes the new
 * owner's epoch the cluster's greatest before it claims, so every key survives every round; and
 * masters that do not come to agree on an owner make the switch fail (code `timeout`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { OpFailure, RedisNodes } from '../../../src/cluster/redis/redis-nodes.ts';
import { SlotMigrator, type MoveAccount } from '../../../src/cluster/redis/slot-migrator.ts';
import { slotKey } from '../../../src/cluster/redis/slot-tags.ts';
import { skipReason, startTestCluster, type TestCluster } from './cluster-fixture.ts';

let cluster: TestCluster | undefined;
beforeAll(async () => {
  if (!skipReason) cluster = await startTestCluster(7850);
}, 60_000);
afterAll(async () => {
  await cluster?.down();
});

const range = (lo: number, n: number) => Array.from({ length: n }, (_, k) => lo + k);

describe.skipIf(!!skipReason)(`owner switches at once${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('three ranges rotating among three masters, switched together each round, lose no key', async () => {
    const nodes = await RedisNodes.connect(cluster!.seeds);
    const migrator = new SlotMigrator(nodes);
    const clients = nodes.list.map((n) => new Redis({ host: n.host, port: n.port }));
    try {
      // `cluster up` gives master i the i-th third of the slots: one range inside each.
      const ranges = [range(1000, 48), range(6000, 48), range(12000, 48)];
      const perSlot = 10;
      for (let i = 0; i < 3; i++) {
        const p = clients[i].pipeline();
        for (const s of ranges[i]) for (let j = 0; j < perSlot; j++) p.set(slotKey(s, `w${j}`), 'v'.repeat(100));
        await p.exec();
      }
      const total = 3 * 48 * perSlot;
      const count = async () => (await Promise.all(clients.map((c) => c.dbsize()))).reduce((a, b) => a + b, 0);
      expect(await count()).toBe(total);
      const acct = (): MoveAccount => ({ action: { kind: 'move', partition: 'x', node: 0 }, keys: 0, bytes: 0, cutoverWallMs: 0 });
      const lost: number[] = [];
      for (let round = 0; round < 6; round++) {
        const moves = ranges.map((slots, i) => ({ slots, from: (i + round) % 3, to: (i + round + 1) % 3 }));
        for (const m of moves) await migrator.prepare(m.from, m.to, m.slots, acct(), () => null, false);
        const switched = await Promise.allSettled(moves.map((m) => migrator.switchOwner(m.slots, m.to, m.from)));
        expect(switched.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
        lost.push(total - (await count()));
      }
      expect(lost).toEqual([0, 0, 0, 0, 0, 0]);
      // Every master sees the last round's owners.
      for (let via = 0; via < 3; via++) {
        const own = await nodes.owners(via);
        ranges.forEach((slots, i) => expect(slots.every((s) => own[s] === (i + 6) % 3)).toBe(true));
      }
    } finally {
      for (const c of clients) c.disconnect();
      nodes.close();
    }
  }, 120_000);

  it('masters that do not agree on an owner are a failure with code timeout, not a silent pass', async () => {
    const nodes = await RedisNodes.connect(cluster!.seeds);
    try {
      const own = await nodes.owners(0);
      const slot = own.indexOf(0);
      // No switch was made: every master still sees master 0 own the slot.
      const err = await new SlotMigrator(nodes, { agreeTimeoutMs: 300 }).awaitAgreement([slot], 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpFailure);
      expect((err as OpFailure).code).toBe('timeout');
      expect((err as OpFailure).message).toMatch(/did not agree .* master 1 owns slots/);
    } finally {
      nodes.close();
    }
  }, 60_000);
});

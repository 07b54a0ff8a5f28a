/**
 * `keycast cluster up|status|down` on loopback: a 2-master cluster starts with every slot
 * assigned, reports its nodes, refuses a folder it does not own and ports in use, and stops
 * exactly what it started.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterDown, clusterStatus, clusterUp, isRedisPid, LocalClusterError, readState } from '../../../src/cli/commands/cluster-local.ts';
import { skipReason } from '../../cluster/redis/cluster-fixture.ts';

describe.skipIf(!!skipReason)(`local Redis Cluster${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('starts, reports and stops a cluster in a folder it owns', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-lc-')), 'c');
    const st = await clusterUp({ dir, masters: 2, basePort: 7350 });
    try {
      expect(readState(dir)?.ports).toEqual([7350, 7351]);
      const s = await clusterStatus(dir);
      expect(s!.nodes.map((n) => [n.port, n.running, n.answering, n.clusterState])).toEqual([
        [7350, true, true, 'ok'],
        [7351, true, true, 'ok'],
      ]);
      expect(s!.nodes.reduce((a, n) => a + (n.slots ?? 0), 0)).toBe(16384);
      // A second cluster on the same ports or in the same folder is refused, naming why.
      const other = path.join(path.dirname(dir), 'd');
      await expect(clusterUp({ dir: other, masters: 1, basePort: 7351 })).rejects.toThrow(/port 7351 .* in use/);
      await expect(clusterUp({ dir, masters: 1, basePort: 7360 })).rejects.toThrow(LocalClusterError);
      expect(fs.existsSync(other)).toBe(false);
    } finally {
      const r = await clusterDown(dir);
      expect(r.stopped).toBe(2);
    }
    expect(st.pids.some(isRedisPid)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
  }, 60_000);

  it('never touches a folder it did not make', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-lc-'));
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'mine');
    await expect(clusterUp({ dir, masters: 1, basePort: 7370 })).rejects.toThrow(/not empty/);
    await expect(clusterDown(dir)).rejects.toThrow(/not a cluster folder/);
    // Refusals of what the user gave are input errors (the command exits 2); a machine's failures are not.
    await expect(clusterDown(dir)).rejects.toMatchObject({ input: true });
    await expect(clusterUp({ dir, masters: 1, basePort: 7370 })).rejects.toMatchObject({ input: true });
    expect(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('mine');
    expect(await clusterStatus(dir)).toBeNull();
  });

  it('refuses a port whose cluster bus port (+10000) is taken', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(17380, '127.0.0.1', () => r()));
    try {
      const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-lc-')), 'c');
      await expect(clusterUp({ dir, masters: 1, basePort: 7380 })).rejects.toThrow(/bus port 17380/);
      await expect(clusterUp({ dir, masters: 1, basePort: 7380 })).rejects.toMatchObject({ input: false });
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      srv.close();
    }
  });
});

/**
 * A throw-away local Redis Cluster for the Redis tests: one per test file, in a temporary folder,
 * on its own ports (each file passes a distinct base port, so files may run in parallel), with
 * helpers to write and count keys. `skipReason` says why the tests skip where redis-server is
 * missing (CI installs it; see .ci/run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { clusterDown, clusterUp, redisAvailable, type LocalClusterState } from '../../../src/cli/commands/cluster-local.ts';
import { slotKey } from '../../../src/cluster/redis/slot-tags.ts';
import type { RedisControlPlane } from '../../../src/cluster/redis/redis-control-plane.ts';

const avail = redisAvailable();
/** Why Redis tests skip here, or undefined when they run. */
export const skipReason: string | undefined = avail.ok ? undefined : avail.reason;

export interface TestCluster {
  readonly dir: string;
  readonly state: LocalClusterState;
  readonly seeds: { host: string; port: number }[];
  down(): Promise<void>;
}

export async function startTestCluster(basePort: number, masters = 3): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-redis-'));
  fs.rmSync(dir, { recursive: true });
  const state = await clusterUp({ dir, basePort, masters });
  return { dir, state, seeds: state.ports.map((port) => ({ host: state.host, port })), down: async () => void (await clusterDown(dir)) };
}

/** Writes `perSlot` keys of `valueBytes` into every `stride`-th slot of `[from, to)`, each on the master `cp` maps it to. */
export async function fillSlots(cp: RedisControlPlane, buckets: number, perSlot: number, valueBytes: number, from = 0, to = 16384, prefix = 'k', stride = 1): Promise<number> {
  const map = cp.currentMap();
  const spb = 16384 / buckets;
  const value = 'x'.repeat(valueBytes);
  let n = 0;
  for (const m of cp.masters) {
    const c = new Redis({ host: m.host, port: m.port });
    const p = c.pipeline();
    for (let i = 0; i + 1 < map.boundaries.length; i++) {
      if (map.nodes[i] !== m.index) continue;
      for (let s = Math.max(from, map.boundaries[i] * spb); s < Math.min(to, map.boundaries[i + 1] * spb); s++) {
        if (s % stride !== 0) continue;
        for (let j = 0; j < perSlot; j++) {
          p.set(slotKey(s, `${prefix}${j}`), value);
          n++;
        }
      }
    }
    await p.exec();
    c.disconnect();
  }
  return n;
}

/** Keys held by all masters together. */
export async function totalKeys(cp: RedisControlPlane): Promise<number> {
  let n = 0;
  for (const m of cp.masters) {
    const c = new Redis({ host: m.host, port: m.port });
    n += await c.dbsize();
    c.disconnect();
  }
  return n;
}

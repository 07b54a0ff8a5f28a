/**
 * A local N-master Redis Cluster on loopback, started from the installed `redis-server`, for
 * `keycast cluster up|down|status`, `keycast live` and the Redis tests. Everything lives in one
 * folder keycast owns (marked by `keycast-cluster.json`, which also records ports and PIDs):
 * `<dir>/<port>/` holds each node's config, append-only file, `nodes.conf` and log. `down` stops
 * only the processes recorded there (by PID, after checking the PID still runs `redis-server`)
 * and removes only a folder carrying the mark. It lives with the `cluster` command because it
 * starts and signals processes and owns files: the shell's work, not the control plane's.
 *
 * Node settings, each for a reason measured on this machine: the cluster bus needs port + 10000
 * free; `cluster-require-full-coverage no` (one node down must not stop writes to the others);
 * `cluster-allow-replica-migration no` (a master emptied by moves would otherwise turn into a
 * replica); `appendonly yes` with `appendfsync always` (a killed node comes back with every write it
 * acknowledged).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { parseMyself } from '../../cluster/redis/slot-view.ts';
import { withTimeout } from '../../cluster/redis/with-timeout.ts';
import { KeycastError } from '../../model/errors.ts';

/** The mark and state file of a folder `cluster up` made. */
export const STATE_FILE = 'keycast-cluster.json';

export interface LocalClusterState {
  readonly createdBy: 'keycast';
  readonly host: string;
  readonly ports: number[];
  /** PID per node (same order as ports); updated when a node is restarted. */
  pids: number[];
}

export interface ClusterUpOptions {
  /** Folder for the cluster's data (created; must be empty or absent). */
  readonly dir: string;
  readonly masters?: number;
  readonly basePort?: number;
  readonly host?: string;
  /** `cluster-node-timeout` (ms; default 15 s, Redis's own: on a busy machine 5 s marked starved nodes failed). */
  readonly nodeTimeoutMs?: number;
  /** The redis-server binary (default: `redis-server` on the PATH). */
  readonly redisServer?: string;
}

/** A problem starting or reaching the local cluster that the user can act on. */
export class LocalClusterError extends KeycastError {
  override readonly name = 'LocalClusterError';
  /** `input`: what the user gave is refused (a folder that is not the cluster's, a bad count): exit 2; else the machine failed it: exit 1. */
  constructor(
    message: string,
    readonly input = false,
  ) {
    super('LOCAL_CLUSTER', message);
  }
}

/** Whether `redis-server` (and `redis-cli`) can be run here; the reason when not. */
export function redisAvailable(redisServer = 'redis-server'): { ok: true; version: string } | { ok: false; reason: string } {
  const r = spawnSync(redisServer, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { ok: false, reason: `${redisServer} not found (install it: apt-get install -y redis-server)` };
  const c = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' });
  if (c.error || c.status !== 0) return { ok: false, reason: 'redis-cli not found (install it: apt-get install -y redis-server)' };
  return { ok: true, version: /v=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim() };
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads a cluster folder's state, or null when the folder is not one keycast made. */
export function readState(dir: string): LocalClusterState | null {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as LocalClusterState;
    return s.createdBy === 'keycast' ? s : null;
  } catch {
    return null;
  }
}

function writeState(dir: string, s: LocalClusterState): void {
  const tmp = path.join(dir, `.${STATE_FILE}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(tmp, path.join(dir, STATE_FILE));
}

function nodeConfig(dir: string, host: string, port: number, nodeTimeoutMs: number): string {
  return [
    `port ${port}`,
    `bind ${host}`,
    'protected-mode no',
    'daemonize no',
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    `cluster-node-timeout ${nodeTimeoutMs}`,
    'cluster-require-full-coverage no',
    'cluster-allow-replica-migration no',
    'appendonly yes',
    // always: a write is on disk before its reply. With everysec Redis postpones the write
    // while a background fsync is slow and replies anyway: a killed node then lost
    // acknowledged writes here (hundreds of them on this loaded machine).
    'appendfsync always',
    'save ""',
    `dir ${path.resolve(dir, String(port))}`,
    'logfile redis.log',
    '',
  ].join('\n');
}

/** Starts node `i` of a cluster folder (a fresh process on its existing config and data); returns its PID. */
export function startNode(dir: string, state: LocalClusterState, i: number, redisServer = 'redis-server'): number {
  const port = state.ports[i];
  const conf = path.resolve(dir, String(port), 'redis.conf');
  const child = spawn(redisServer, [conf], { detached: true, stdio: 'ignore' });
  child.unref();
  if (child.pid === undefined) throw new LocalClusterError(`could not start ${redisServer} on port ${port}`);
  state.pids[i] = child.pid;
  writeState(dir, state);
  return child.pid;
}

/** True when `pid` is a running redis-server (guards against PIDs reused by other programs). */
export function isRedisPid(pid: number): boolean {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return cmd.includes('redis-server') && !/\) Z /.test(stat);
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitPing(host: string, port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs; // clock-ok: waiting for a real process
  for (;;) {
    const c = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    c.on('error', () => {});
    try {
      await c.connect();
      if ((await c.ping()) === 'PONG') return;
    } catch {
      /* not up yet */
    } finally {
      c.disconnect();
    }
    if (Date.now() > end) throw new LocalClusterError(`redis-server on ${host}:${port} did not answer within ${timeoutMs} ms`); // clock-ok
    await sleep(50);
  }
}

/** Waits until every node reports `cluster_state:ok` and the same epoch and slot owners. */
export async function waitClusterReady(host: string, ports: readonly number[], timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs; // clock-ok
  const clients = ports.map((port) => {
    const c = new Redis({ host, port, maxRetriesPerRequest: 0, connectTimeout: 1000 });
    c.on('error', () => {});
    return c;
  });
  try {
    for (;;) {
      try {
        const infos = await withTimeout(Promise.all(clients.map((c) => c.cluster('INFO') as Promise<string>)), 2000);
        const slots = await withTimeout(Promise.all(clients.map((c) => c.cluster('SLOTS') as Promise<unknown[]>)), 2000);
        const ok = infos.every((i) => /cluster_state:ok/.test(i) && /cluster_slots_assigned:16384/.test(i) && new RegExp(`cluster_known_nodes:${ports.length}\\b`).test(i));
        const epochs = new Set(infos.map((i) => /cluster_current_epoch:(\d+)/.exec(i)?.[1]));
        const maps = new Set(slots.map((s) => JSON.stringify((s as [number, number, [string, number]][]).map((r) => [r[0], r[1], r[2][1]]).sort((a, b) => a[0] - b[0]))));
        if (ok && epochs.size === 1 && maps.size === 1) return;
      } catch {
        /* a node still starting */
      }
      if (Date.now() > end) throw new LocalClusterError(`the cluster on ${host}:${ports.join(',')} did not agree within ${timeoutMs} ms`); // clock-ok
      await sleep(50);
    }
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/**
 * Starts `masters` redis-server processes on `basePort…` and joins them into a cluster with the
 * slots split evenly. Refuses a folder that exists and is not empty, and ports (or bus ports)
 * already in use. Returns the state written to `<dir>/keycast-cluster.json`.
 */
export async function clusterUp(o: ClusterUpOptions): Promise<LocalClusterState> {
  const masters = o.masters ?? 3;
  const basePort = o.basePort ?? 7000;
  const host = o.host ?? '127.0.0.1';
  const server = o.redisServer ?? 'redis-server';
  const avail = redisAvailable(server);
  if (!avail.ok) throw new LocalClusterError(avail.reason);
  if (!Number.isInteger(masters) || masters < 1 || masters > 64) throw new LocalClusterError(`masters must be 1..64, got ${masters}`, true);
  if (fs.existsSync(o.dir) && fs.readdirSync(o.dir).length > 0) {
    throw new LocalClusterError(readState(o.dir) ? `${o.dir} already holds a cluster: keycast cluster down --dir ${o.dir} first` : `${o.dir} exists and is not empty: not touching it`, true);
  }
  const ports = Array.from({ length: masters }, (_, i) => basePort + i);
  for (const p of ports) {
    if (p + 10000 > 65535) throw new LocalClusterError(`port ${p}: its cluster bus port ${p + 10000} is above 65535`);
    if (!(await portFree(p, host))) throw new LocalClusterError(`port ${p} on ${host} is in use`);
    if (!(await portFree(p + 10000, host))) throw new LocalClusterError(`cluster bus port ${p + 10000} (port ${p} + 10000) on ${host} is in use`);
  }
  fs.mkdirSync(o.dir, { recursive: true });
  const state: LocalClusterState = { createdBy: 'keycast', host, ports, pids: ports.map(() => 0) };
  writeState(o.dir, state);
  try {
    ports.forEach((p) => {
      fs.mkdirSync(path.join(o.dir, String(p)), { recursive: true });
      fs.writeFileSync(path.join(o.dir, String(p), 'redis.conf'), nodeConfig(o.dir, host, p, o.nodeTimeoutMs ?? 15_000));
    });
    ports.forEach((_, i) => startNode(o.dir, state, i, server));
    await Promise.all(ports.map((p) => waitPing(host, p, 10_000)));
    if (masters < 3) {
      // redis-cli --cluster create wants 3 masters: assign even ranges and meet by hand.
      const cs = ports.map((port) => new Redis({ host, port, maxRetriesPerRequest: 0 }));
      try {
        for (let i = 0; i < masters; i++) {
          await cs[i].call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
          await cs[i].call('CLUSTER', 'ADDSLOTSRANGE', String(Math.round((i * 16384) / masters)), String(Math.round(((i + 1) * 16384) / masters) - 1));
        }
        for (let i = 1; i < masters; i++) await cs[0].call('CLUSTER', 'MEET', host, String(ports[i]));
      } finally {
        for (const c of cs) c.disconnect();
      }
    } else {
      const r = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${host}:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new LocalClusterError(`redis-cli --cluster create failed: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
    }
    await waitClusterReady(host, ports);
    return state;
  } catch (err) {
    await clusterDown(o.dir);
    throw err;
  }
}

/** Stops the processes a cluster folder records and removes the folder; returns how many were running. */
export async function clusterDown(dir: string, opts: { keepData?: boolean } = {}): Promise<{ stopped: number }> {
  const state = readState(dir);
  if (!state) {
    if (!fs.existsSync(dir)) return { stopped: 0 };
    throw new LocalClusterError(`${dir} is not a cluster folder keycast made (no ${STATE_FILE}): not touching it`, true);
  }
  const running = state.pids.filter((p) => p > 0 && isRedisPid(p));
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGCONT'); // a frozen node cannot act on SIGTERM
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone already */
    }
  }
  const end = Date.now() + 5000; // clock-ok
  while (running.some(isRedisPid) && Date.now() < end) await sleep(20); // clock-ok
  for (const pid of running.filter(isRedisPid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (!opts.keepData) fs.rmSync(dir, { recursive: true, force: true });
  return { stopped: running.length };
}

/** Per node: port, PID, whether it runs and answers, its slots and keys. */
export interface NodeStatus {
  readonly port: number;
  readonly pid: number;
  readonly running: boolean;
  readonly answering: boolean;
  readonly clusterState?: string;
  readonly slots?: number;
  readonly keys?: number;
  /** Slots this node has open (MIGRATING or IMPORTING): a migration that never finished. */
  readonly openSlots?: number[];
}

/** The status of a cluster folder's nodes (null when the folder is not one keycast made). */
export async function clusterStatus(dir: string): Promise<{ host: string; nodes: NodeStatus[] } | null> {
  const state = readState(dir);
  if (!state) return null;
  const nodes = await Promise.all(
    state.ports.map(async (port, i): Promise<NodeStatus> => {
      const pid = state.pids[i];
      const running = pid > 0 && isRedisPid(pid);
      const c = new Redis({ host: state.host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
      c.on('error', () => {});
      try {
        await c.connect();
        const [info, keys, nodes] = await withTimeout(Promise.all([c.cluster('INFO') as Promise<string>, c.dbsize(), c.cluster('NODES') as Promise<string>]), 2000);
        const v = parseMyself(nodes);
        const openSlots = [...new Set([...v.migrating.keys(), ...v.importing.keys()])].sort((a, b) => a - b);
        return { port, pid, running, answering: true, clusterState: /cluster_state:(\w+)/.exec(info)?.[1], slots: v.owned.size, keys, openSlots };
      } catch {
        return { port, pid, running, answering: false };
      } finally {
        c.disconnect();
      }
    }),
  );
  return { host: state.host, nodes };
}

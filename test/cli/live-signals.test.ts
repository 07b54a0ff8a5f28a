/**
 * A live run stopped from outside, on a real 3-master cluster: SIGTERM (what `timeout` sends)
 * mid-run ends cleanly with the report written, the map equal to CLUSTER SLOTS and no slot open;
 * a SIGKILL mid-migration leaves slots open, which `keycast cluster status` reports (exit 1, naming
 * the command), `keycast cluster repair` closes without losing a key, and a later `keycast live`
 * closes by itself before it starts. Invariants only, no timings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterStatus } from '../../src/cli/commands/cluster-local.ts';
import { main } from '../../src/cli/main.ts';
import { skipReason, startTestCluster, type TestCluster } from '../cluster/redis/cluster-fixture.ts';

const tiny = path.resolve('test/fixtures/tiny.yaml');
const bin = path.resolve('bin/keycast');

async function openSlots(dir: string): Promise<number> {
  const st = await clusterStatus(dir);
  return st ? st.nodes.reduce((s, n) => s + (n.openSlots?.length ?? 0), 0) : 0;
}

async function keys(dir: string): Promise<number> {
  const st = await clusterStatus(dir);
  return st ? st.nodes.reduce((s, n) => s + (n.keys ?? 0), 0) : 0;
}

function startLive(seeds: string, out: string, wall: string): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, 'live', tiny, '--redis', seeds, '--policies', 'threshold', '--wall', wall, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  return { child, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

/** Polls until a slot is open (a migration is under way), after `afterMs`; false if the run ended first. */
async function untilOpen(dir: string, child: ChildProcess, afterMs: number, limitMs = 120_000): Promise<boolean> {
  await new Promise((r) => setTimeout(r, afterMs));
  const end = Date.now() + limitMs;
  while (Date.now() < end && child.exitCode === null) {
    if ((await openSlots(dir)) > 0) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

async function quietly(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  const origOut = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return { code: await main(args), err: err.join('') };
  } finally {
    process.stderr.write = orig;
    process.stdout.write = origOut;
  }
}

describe.skipIf(!!skipReason)(`keycast live stopped from outside${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let cluster: TestCluster | undefined;
  let seeds = '';
  let tmp = '';
  beforeAll(async () => {
    cluster = await startTestCluster(7750);
    seeds = cluster.seeds.map((s) => `${s.host}:${s.port}`).join(',');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-live-signals-'));
  }, 60_000);
  afterAll(async () => {
    await cluster?.down();
  });

  /** Kills a live run with SIGKILL while a slot is open; retries if the run ended first. */
  async function killMidMigration(name: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { child, exit } = startLive(seeds, path.join(tmp, `${name}-${attempt}`), '60s');
      const open = await untilOpen(cluster!.dir, child, 0);
      child.kill('SIGKILL');
      await exit;
      if (open && (await openSlots(cluster!.dir)) > 0) return;
    }
    throw new Error('no live run could be killed with a slot open in 3 attempts');
  }

  it('SIGKILL mid-migration: status reports the open slots, repair closes them, no key lost', async () => {
    await killMidMigration('kill-repair');
    const before = await keys(cluster!.dir);
    const status = await quietly(['cluster', 'status', '--dir', cluster!.dir]);
    expect(status.code).toBe(1);
    expect(status.err).toContain('left open');
    expect(status.err).toContain(`keycast cluster repair --dir ${cluster!.dir}`);
    expect((await quietly(['cluster', 'repair', '--dir', cluster!.dir])).code).toBe(0);
    expect(await openSlots(cluster!.dir)).toBe(0);
    expect((await quietly(['cluster', 'status', '--dir', cluster!.dir])).code).toBe(0);
    expect(await keys(cluster!.dir)).toBe(before);
  }, 300_000);

  it('SIGKILL mid-migration: the next live run closes the open slots before it starts', async () => {
    await killMidMigration('kill-live');
    const out = path.join(tmp, 'after-kill');
    const { exit } = startLive(seeds, out, '5s');
    expect(await exit).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(s.consistency.repairedAtStart).toBeGreaterThan(0);
    expect(s.consistency.mapEqualsClusterSlots).toBe(true);
    expect(s.writes.lost).toBe(0);
    expect(s.writes.misplaced).toBe(0);
    expect(s.writes.unread).toBe(0);
    expect(await openSlots(cluster!.dir)).toBe(0);
  }, 300_000);

  it('SIGTERM mid-run (as `timeout` sends): settles, writes the report, map consistent, no slot open', async () => {
    const out = path.join(tmp, 'term');
    const { child, exit } = startLive(seeds, out, '60s');
    // Past connecting (a few wall seconds), with a migration under way if one comes.
    await untilOpen(cluster!.dir, child, 5000, 30_000);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(s.stoppedEarly).toBe(true);
    expect(s.consistency.mapEqualsClusterSlots).toBe(true);
    expect(s.consistency.problems).toEqual([]);
    expect(s.writes.lost).toBe(0);
    expect(s.writes.misplaced).toBe(0);
    expect(s.writes.unread).toBe(0);
    expect(s.writes.checked).toBe(s.writes.acknowledged);
    expect(await openSlots(cluster!.dir)).toBe(0);
  }, 300_000);
});

/**
 * `keycast live` on a real 3-master cluster: a short run of a small scenario under a
 * repartitioning policy writes its report (measured latency, operations, the simulated twin
 * side by side), loses no acknowledged write and leaves the map equal to CLUSTER SLOTS with no
 * slot open; an early stop (Ctrl-C) settles and checks the same way. Only invariants are
 * asserted, never timings (a loaded machine makes moves slow, time out or fail: all allowed), with
 * generous time budgets. Bad flags are exit 2 without a cluster. Signals: test/cli/live-signals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { runLive } from '../../src/experiment/live.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { clusterStatus } from '../../src/cli/commands/cluster-local.ts';
import { skipReason, startTestCluster, type TestCluster } from '../cluster/redis/cluster-fixture.ts';

const tiny = path.resolve('test/fixtures/tiny.yaml');

describe('keycast live: bad input', () => {
  it('is exit 2 with one line per problem, before touching any cluster', async () => {
    const err: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['live', tiny, '--redis', 'nohost', '--wall', 'soon', '--rate-scale', '-1'])).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    const lines = err.join('').trim().split('\n');
    expect(lines).toEqual([
      "<cli>: --redis: 'nohost' is not HOST:PORT",
      "<cli>: --wall: should be a duration of at least 1s (e.g. 5m), not 'soon'",
      "<cli>: --rate-scale: should be a number in (0, 1000], not '-1'",
    ]);
  });
});

describe.skipIf(!!skipReason)(`keycast live on a real cluster${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster(7650);
  }, 60_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('runs a policy live and writes the report, sim and real side by side, 0 writes lost', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-live-'));
    const cal = path.join(tmp, 'cal.json');
    fs.writeFileSync(cal, JSON.stringify({ calibration: { moveBytesPerSec: 3_000_000, moveFixedMs: 35, perSlotMs: 0.2, cutoverMs: 40 } }));
    const out = path.join(tmp, 'report');
    const seeds = cluster!.seeds.map((s) => `${s.host}:${s.port}`).join(',');
    // The APM's default operation timeout: under load some moves outlast it and are cancelled
    // while writes go on, which must lose nothing either.
    const code = await main(['live', tiny, '--redis', seeds, '--policies', 'threshold', '--wall', '20s', '--calibration', cal, '--out', out]);
    // Exit 0 is the invariant: no acknowledged write lost or misplaced, the map equals CLUSTER SLOTS.
    expect(code).toBe(0);
    for (const f of ['summary.json', 'summary.md', 'operations.csv', 'plans.jsonl', 'timeseries.csv', 'moves.csv', 'layouts.json']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(s.mode).toBe('live');
    expect(s.writes.acknowledged).toBeGreaterThan(0);
    expect(s.writes.lost).toBe(0);
    expect(s.writes.misplaced).toBe(0);
    expect(s.writes.unread).toBe(0);
    expect(s.writes.checked).toBe(s.writes.acknowledged);
    expect(s.consistency.mapEqualsClusterSlots).toBe(true);
    expect(s.consistency.problems).toEqual([]);
    expect(s.latency.p99LatencyMs).toBeGreaterThanOrEqual(s.latency.p50LatencyMs);
    // The policy decides on the scenario's counts, so it repartitions whatever the machine's load;
    // whether its operations finish before the APM's timeout is not asserted (on a loaded machine
    // the first moves can all be cancelled, and the check above shows that loses nothing).
    expect(s.operations.split + s.operations.merge + s.operations.create + s.operations.move + s.operations.failed).toBeGreaterThan(0);
    expect(s.simulated).toBeDefined();
    expect(s.simVsReal.moveDurationMs.within25).toBeLessThanOrEqual(s.simVsReal.moveDurationMs.of);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('| p99 latency (ms) |');
    expect((await clusterStatus(cluster!.dir))!.nodes.every((n) => n.openSlots?.length === 0)).toBe(true);
  }, 240_000);

  it('an early stop (Ctrl-C) settles the cluster, checks it and reports the run as stopped early', async () => {
    const loaded = loadScenario(tiny);
    const ac = new AbortController();
    // Stop after 5 wall seconds of running (progress comes once a second, after connecting).
    let seconds = 0;
    const watchStrayRejections = (h: (err: unknown) => void) => (process.on('unhandledRejection', h), () => void process.off('unhandledRejection', h));
    const r = await runLive({ loaded, policy: 'threshold', seeds: cluster!.seeds, wallMs: 60_000, signal: ac.signal, onProgress: () => ++seconds === 5 && ac.abort(), watchStrayRejections });
    expect(r.stoppedEarly).toBe(true);
    expect(r.scenarioMs).toBeLessThan(loaded.scenario.duration);
    expect(r.writes.acknowledged).toBeGreaterThan(0);
    expect(r.writes.checked).toBe(r.writes.acknowledged);
    expect(r.writes.lost).toBe(0);
    expect(r.writes.misplaced).toBe(0);
    expect(r.writes.unread).toBe(0);
    expect(r.verifyProblems).toEqual([]);
    expect((await clusterStatus(cluster!.dir))!.nodes.every((n) => n.openSlots?.length === 0)).toBe(true);
  }, 240_000);
});

/**
 * The overload check between decisions (predictive.ts, fallbacks.ts `quickOverload`): a node over
 * capacity in the last minute, where moves land within a minute, gets a decision from that
 * minute's observation — for predictive, the fair baseline and the oracle alike (predictive's code
 * path); not while a plan runs, not where moves are slow.
 */
import { describe, expect, it } from 'vitest';
import { runLoaded } from '../../src/api.ts';
import { bandScenario } from '../fixtures/band-scenario.ts';

const POLICIES = `  oracle: { kind: oracle, every: 5m, horizon: 20m, iterations: 3000, goals: { movement: 0.5 } }
  fair: { kind: reactive, headroom: true, every: 5m, window: 5m, iterations: 3000 }
  predictive: { kind: predictive, every: 5m, horizon: 20m, iterations: 3000, minHistory: 1h, goals: { movement: 0.5 } }`;

type Fallbacks = Record<string, number>;

/** The band scenario (a hot band saturating nodes) with moves at `bandwidth`, state kept `retention`, `ops` operations at a time. */
function run(bandwidth: string, retention: string, ops = 4) {
  const cluster = `{ nodes: 4, nodeCapacity: 3000, partitions: 8, maxPartitions: 64, moveBandwidth: ${bandwidth}, retention: ${retention}, maxConcurrentOps: ${ops} }`;
  const { result, summary } = runLoaded(bandScenario('overload', POLICIES, cluster));
  const lane = (name: string) => result.lanes.find((l) => l.name === name)!;
  const fallbacks = (name: string) => (lane(name).report?.extra as { fallbacks: Fallbacks }).fallbacks;
  const records = (name: string) => (lane(name).report?.planRecords ?? []) as { basis: string; createdAtMs: number; endedAtMs?: number; outcome?: string }[];
  const bases = (name: string) => records(name).map((r) => r.basis);
  return { summary, fallbacks, bases, records };
}

describe('an overloaded node between decisions', () => {
  const fast = run('20MB/s', '15m'); // a partition's state moves in seconds
  const slow = run('200KB/s', '4h'); // … in tens of minutes
  const serial = run('2MB/s', '15m', 1); // a move in under a minute, one at a time: a plan runs for minutes

  it('gets a decision from the last minute where moves are quick: predictive, the fair baseline and the oracle', () => {
    for (const name of ['predictive', 'fair', 'oracle']) {
      expect(fast.fallbacks(name).overload, name).toBeGreaterThan(0);
      expect(fast.bases(name).some((b) => b.endsWith('(fallback: overload)')), name).toBe(true);
    }
  });

  it('not while a plan is running: it would supersede the plan that is already the answer', () => {
    for (const name of ['predictive', 'fair', 'oracle']) {
      const recs = serial.records(name);
      expect(recs.some((r) => r.basis.endsWith('(fallback: overload)')), name).toBe(true);
      // a plan is superseded when a newer one is made while it runs: never by an overload decision
      for (const q of recs.filter((r) => r.outcome === 'superseded')) {
        const next = recs.find((r) => r.createdAtMs >= q.createdAtMs && r !== q && r.createdAtMs <= (q.endedAtMs ?? Infinity) && recs.indexOf(r) > recs.indexOf(q));
        expect(next?.basis.endsWith('(fallback: overload)') ?? false, `${name}: plan of ${q.createdAtMs} superseded by ${next?.basis}`).toBe(false);
      }
    }
  });

  it('not where moves are slow: the next regular decision, with its forecast, judges', () => {
    for (const name of ['predictive', 'fair', 'oracle']) expect(slow.fallbacks(name).overload, name).toBe(0);
  });

  it('loses nothing: no invariant violation, every record served or queued', () => {
    for (const r of [fast, slow, serial])
      for (const p of Object.values(r.summary.policies)) {
        expect(p.invariantViolations).toBe(0);
        expect(p.droppedRecords).toBe(0);
      }
  });
});

/**
 * Soak property: random small scenarios with operation failures (0–0.3), slow and stuck
 * operations, node crashes and loads of 0.5–3× capacity, under every policy. For each: the
 * partition map covers the key space exactly once throughout and records are conserved (both
 * checked by the simulator as invariants), the queue cohorts held stay under a bound that does
 * not depend on the run's length (memory per simulated hour bounded: a count of entries, not a
 * wall-clock figure), and no policy ends worse than static by more than the stated margin.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';
import { COMPACT_MIN, COMPACT_SPAN } from '../../src/cluster/cohort-queue.ts';
import { SERIES_LIMITS } from '../../src/experiment/run.ts';

/**
 * The margin: a policy ends "worse than static" when its SLO-violation rate is above static's by
 * more than MARGIN (absolute) *and* its p99 is above static's by more than P99_MARGIN (relative).
 * Both, because near saturation (load ≈ 1 on a skewed key space) every policy violates the SLO
 * for most records and the rate alone is noise: there a policy may violate a few points more
 * than static while its p99 is a fraction of static's (seed 1, load 0.99, no faults: predictive
 * 88.6% vs static 84.9%, p99 36 s vs 2,298 s). Crashes widen the margin by the share of the
 * measured time a node is down: where the hot ranges sit when a node crashes is luck, and a
 * policy that moved load onto it loses those minutes' records where static may not (seed 303,
 * load 0.5, one 5-minute crash, stuck operations: threshold 7.7% vs static 2.7%).
 */
const MARGIN = 0.05;
const P99_MARGIN = 1.25;

const MAX_PARTITIONS = 32;
const CRASH_MS = 5 * 60_000;
const MEASURED_MS = 70 * 60_000;

function yaml(p: { seed: number; load: number; fail: number; stuck: number; slow: number; crashes: number; nodes: number }): string {
  const capacity = 2000;
  const rate = Math.round(p.load * p.nodes * capacity);
  const crashes = Array.from({ length: p.crashes }, (_, i) => `{ node: ${i % p.nodes}, at: ${40 + 30 * i}m, duration: ${CRASH_MS / 60_000}m }`).join(', ');
  return `name: soak
seed: ${p.seed}
duration: 90m
warmup: 20m
tick: 2s
keyspace: { kind: user-id, keys: 5000, buckets: 64 }
workload:
  rate: ${rate}
  recordBytes: 128
  keys:
    - { share: 0.5, zipf: { s: 1.0, shuffle: true } }
    - { share: 0.5, band: { center: 0.3, width: 0.1, speed: 4 } }
cluster:
  nodes: ${p.nodes}
  nodeCapacity: ${capacity}
  partitions: ${2 * p.nodes}
  maxPartitions: ${MAX_PARTITIONS}
  moveBandwidth: 20MB/s
  retention: 5m
  faults: { opFailureRate: ${p.fail}, stuckOpRate: ${p.stuck}, slowOpRate: ${p.slow}, crashes: [${crashes}] }
apm: { opTimeout: 2m }
slo: { latency: 200ms }
policies:
  static: { kind: static }
  threshold: { kind: reactive-threshold, cooldown: 2m }
  reactive: { kind: reactive, every: 1m, window: 1m, iterations: 400 }
  predictive: { kind: predictive, every: 2m, horizon: 10m, minHistory: 30m, history: 2h, iterations: 400, models: [seasonal-naive] }
  oracle: { kind: oracle, every: 2m, horizon: 10m, iterations: 400 }
`;
}

describe('soak property', () => {
  it('random faults and loads: map whole, records conserved, bounded queues, no policy much worse than static', () => {
    const seen = { overloaded: 0, faulty: 0, worst: 0 };
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1000 }),
          load: fc.integer({ min: 5, max: 30 }).map((x) => x / 10),
          fail: fc.double({ min: 0, max: 0.3, noNaN: true }),
          stuck: fc.constantFrom(0, 0.05, 0.2),
          slow: fc.constantFrom(0, 0.1),
          crashes: fc.integer({ min: 0, max: 2 }),
          nodes: fc.integer({ min: 2, max: 4 }),
        }),
        (p) => {
          const { summary, result } = runLoaded(parseScenario(yaml(p), 'soak.yaml', __dirname));
          const s = summary.policies;
          if (p.load > 1.2) seen.overloaded++;
          if (p.fail > 0.1 || p.stuck > 0) seen.faulty++;
          for (const [name, x] of Object.entries(s)) {
            expect(x.invariantViolations, `${name}: ${x.invariantMessages?.join('; ')}`).toBe(0);
            expect(Math.abs(x.records - x.servedRecords - x.backlogRecords - x.droppedRecords), name).toBeLessThan(1e-6 * x.records + 1e-6);
            const worse = x.sloViolationRate - s.static.sloViolationRate;
            const worseP99 = x.p99LatencyMs > P99_MARGIN * s.static.p99LatencyMs;
            if (worseP99) seen.worst = Math.max(seen.worst, worse);
            const margin = MARGIN + (p.crashes * CRASH_MS) / MEASURED_MS;
            expect(worse > margin && worseP99, `${name} vs static at ${JSON.stringify(p)}: ${x.sloViolationRate} vs ${s.static.sloViolationRate}, p99 ${x.p99LatencyMs} vs ${s.static.p99LatencyMs}`).toBe(false);
          }
          // The compaction's guarantee: per queue at most twice the larger of COMPACT_MIN and the
          // log-spaced cohorts ages from one tick to the run's length need (ln(ticks) / span),
          // so memory grows with the log of the run's length, not with the backlog.
          const ticks = (90 * 60) / 2;
          const perQueue = 2 * Math.max(COMPACT_MIN, Math.log(ticks) / COMPACT_SPAN);
          for (const lane of result.lanes) expect(lane.maxCohorts!, lane.name).toBeLessThanOrEqual(MAX_PARTITIONS * perQueue);
          // Plan records and operations kept are bounded too.
          for (const lane of result.lanes) expect(lane.operations.length).toBeLessThanOrEqual(SERIES_LIMITS.operations);
        },
      ),
      {
        numRuns: 5,
        seed: 1616,
        endOnFailure: true,
        // The harshest corner first: 3× overload, 30% failures, stuck and slow operations, two crashes.
        examples: [[{ seed: 7, load: 3, fail: 0.3, stuck: 0.2, slow: 0.1, crashes: 2, nodes: 3 }]],
      },
    );
    // The runs covered overload and faults.
    expect(seen.overloaded).toBeGreaterThan(0);
    expect(seen.faulty).toBeGreaterThan(0);
  }, 600_000);
});

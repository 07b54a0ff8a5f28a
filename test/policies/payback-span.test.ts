/**
 * The payback span in a run (shape-hold.ts, wired in predictive.ts): predictive's code path prices
 * its plans over twice the horizon once the key space's shape has held that long, over the
 * horizon before (and for a band that moves on), and over `payback` when the scenario fixes it.
 * The span is read from every input the PRE receives (`recordDecisions`), with the gain counted
 * past a plan's end (`gainAfterMs`: the horizon where the span is twice it, none with `payback`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';
import { recordDecisions } from '../../src/planner/index.ts';

/** Three hours of a total growing over `keys`; moves of a few minutes. */
const scenario = (keys: string, lane: string) => `name: payback-span
seed: 3
duration: 3h
tick: 10s
keyspace: { kind: user-id, keys: 20000, buckets: 128 }
workload:
  rate: 6000
  recordBytes: 1KB
  shape:
    growth: { perDay: 9 }
  keys:
${keys}
cluster: { nodes: 4, nodeCapacity: 4000, partitions: 8, maxPartitions: 64, retention: 30m, moveBandwidth: 20MB/s, moveLoad: 0.1 }
slo: { latency: 100ms }
policies:
  lane: ${lane}`;

const STILL = `    - { share: 1, zipf: { s: 1.1, shuffle: true } }`;
const BAND = `    - { share: 0.5, zipf: { s: 0.8, shuffle: true } }
    - { share: 0.5, band: { center: 0.2, width: 0.1, speed: 6 } }`;
const FAIR = `{ kind: reactive, headroom: true, every: 2m, window: 2m, horizon: 30m, iterations: 300, strategy: chase, skipTolerance: 0 }`;

/** The payback span (minutes) of every PRE call of the scenario's one lane, in order; `after` gets each call's gainAfterMs in minutes (0: none). */
function spans(keys: string, lane: string, after: number[] = []): number[] {
  const out: number[] = [];
  recordDecisions((input) => {
    out.push((input.horizonMs ?? NaN) / 60_000);
    after.push((input.gainAfterMs ?? 0) / 60_000);
  });
  const { summary } = runLoaded(parseScenario(scenario(keys, lane), 'payback-span.yaml', path.join(__dirname)), { workers: 1 });
  recordDecisions(undefined);
  expect(summary.policies.lane.invariantViolations).toBe(0);
  return out;
}

afterEach(() => recordDecisions(undefined));

describe('the payback span in a run', () => {
  it('is the horizon for the first hour, then twice it while the shape holds', () => {
    const after: number[] = [];
    const s = spans(STILL, FAIR, after);
    // A gain past a plan's end (for a node over capacity for good) counts where the shape held.
    expect(after.every((m, i) => m === (s[i] === 60 ? 30 : 0))).toBe(true);
    // Decisions every 2 minutes: the first 30 within the first hour (no samples that far back yet).
    expect(s.length).toBeGreaterThan(80);
    expect(s.slice(0, 30).every((m) => m === 30)).toBe(true);
    expect(s.slice(40).every((m) => m === 60)).toBe(true);
  });

  it('is what `payback` says when the scenario fixes it', () => {
    const after: number[] = [];
    const s = spans(STILL, FAIR.replace('horizon: 30m', 'horizon: 30m, payback: 45m'), after);
    expect(after.every((m) => m === 0)).toBe(true);
    expect(s.length).toBeGreaterThan(80);
    expect(s.every((m) => m === 45)).toBe(true);
  });

  it('stays the horizon for a hot band that crosses the key space every four hours', () => {
    const s = spans(BAND, FAIR);
    expect(s.length).toBeGreaterThan(80);
    expect(s.every((m) => m === 30)).toBe(true);
  });
});

/** `keycast plan --schedule` through the CLI's `main`: the APM's schedule estimate in JSON and table form. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import * as path from 'node:path';

const CONTRACT = path.join(__dirname, '../../examples/snapshot.json');

function capture(): () => string {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return () => out;
}

describe('keycast plan --schedule', () => {
  afterEach(() => vi.restoreAllMocks());

  it('adds the schedule to the JSON: batches in dependency order, starts, durations, bytes', async () => {
    const out = capture();
    expect(await main(['plan', '--input', CONTRACT, '--json', '--schedule', '--iterations', '3000'])).toBe(0);
    const j = JSON.parse(out());
    expect(j.proposed).toBe(true);
    const s = j.schedule;
    expect(s.actions).toHaveLength(j.actions.length);
    expect(s.batches).toBeGreaterThan(0);
    const byIndex = new Map<number, { batch: number; startMs: number; durationMs: number; bytes: number; kind: string; partition: string }>();
    for (const a of s.actions) byIndex.set(a.index, a);
    j.actions.forEach((a: { kind: string; partition: string; dependsOn: number[] }, i: number) => {
      const x = byIndex.get(i)!;
      expect(x.kind).toBe(a.kind);
      expect(x.partition).toBe(a.partition);
      expect(x.durationMs).toBeGreaterThan(0);
      // Moves and creates send state; splits and merges send nothing.
      if (a.kind === 'split' || a.kind === 'merge') expect(x.bytes).toBe(0);
      else expect(x.bytes).toBeGreaterThan(0);
      // An action starts after every action it depends on has ended, in a later batch.
      for (const d of a.dependsOn) {
        const y = byIndex.get(d)!;
        expect(x.batch).toBeGreaterThan(y.batch);
        expect(x.startMs).toBeGreaterThanOrEqual(y.startMs + y.durationMs);
      }
    });
    expect(s.makespanMs).toBe(Math.max(...s.actions.map((a: { startMs: number; durationMs: number }) => a.startMs + a.durationMs)));
    // Without --schedule, no schedule field.
    vi.restoreAllMocks();
    const out2 = capture();
    expect(await main(['plan', '--input', CONTRACT, '--json', '--iterations', '3000'])).toBe(0);
    expect(JSON.parse(out2()).schedule).toBeUndefined();
  });

  it('prints the schedule as a table without --json', async () => {
    const out = capture();
    expect(await main(['plan', '--input', CONTRACT, '--schedule', '--iterations', '3000'])).toBe(0);
    expect(out()).toMatch(/schedule: \d+ actions in \d+ batches, makespan [\d.]+ s/);
    expect(out()).toMatch(/batch\s+start \(s\)\s+duration \(s\)\s+bytes\s+action/);
  });

  it('an empty schedule when nothing is proposed; the candidate keeps its own', async () => {
    const out = capture();
    expect(await main(['plan', '--input', CONTRACT, '--json', '--schedule', '--threshold', '1', '--iterations', '2000'])).toBe(0);
    const j = JSON.parse(out());
    expect(j.proposed).toBe(false);
    expect(j.schedule).toEqual({ batches: 0, makespanMs: 0, actions: [] });
    expect(j.candidate.schedule.actions).toHaveLength(j.candidate.actions.length);
  });
});

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/model/errors.ts';
import { crossFieldChecks } from '../../src/scenario/cross-checks.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

const DIR = path.resolve('scenario-dir');
const TRACE = path.join(DIR, 'x.csv');

function check(sc: Partial<Scenario>, rawDuration: unknown, exists = (_: string) => true): { messages: string[]; fromTrace: boolean } {
  const out: Omit<Problem, 'file'>[] = [];
  const fromTrace = crossFieldChecks(sc, rawDuration, DIR, exists, () => ({}), (p) => out.push(p));
  return { messages: out.map((p) => `${p.path}: ${p.message}`), fromTrace };
}

describe('cross-field checks', () => {
  it('checks each relation only where the fields it reads are valid', () => {
    expect(check({ warmup: 3_600_000, duration: 3_600_000 }, '1h').messages).toEqual(['warmup: must be shorter than duration']);
    expect(check({ warmup: 3_600_000 }, '1h').messages).toEqual([]);
    expect(check({ tick: 120_000, duration: 60_000 }, '1m').messages).toEqual(['tick: must be at most 1m', 'tick: longer than duration']);
  });

  it('a trace file is looked up through the injected exists, relative to the scenario’s folder', () => {
    const seen: string[] = [];
    const sc = { workload: { trace: { file: 'x.csv' }, keys: [] }, keyspace: { kind: 'hashed' } } as unknown as Partial<Scenario>;
    const r = check(sc, undefined, (p) => (seen.push(p), false));
    expect(seen).toEqual([TRACE]);
    expect(r.messages).toEqual([`workload.trace.file: no such file: ${TRACE}`]);
    expect(r.fromTrace).toBe(true);
  });

  it('a trace’s key pattern, time zone and key space are checked', () => {
    const sc = { workload: { trace: { file: 'x.csv', keyPattern: '(', timezone: 'Mars/Olympus' }, keys: [] }, keyspace: { kind: 'user-id' } } as unknown as Partial<Scenario>;
    expect(check(sc, '1h').messages).toEqual([
      'workload.trace.keyPattern: not a valid regular expression',
      "workload.trace.timezone: unknown time zone 'Mars/Olympus' (use Area/City)",
      'keyspace.kind: a trace needs keyspace kind range or hashed, not user-id',
    ]);
  });
});

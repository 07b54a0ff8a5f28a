import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeShards, type SweepManifest, type SweepShard } from '../../src/experiment/run-sweep.ts';
import { InputError, formatProblem } from '../../src/model/errors.ts';

const manifest = (runs: number[], id = 's'): SweepManifest => ({ sweepId: id, scenario: 't', scenarioHash: 'h', fields: [], total: 3, shard: { index: 1, count: 2 }, runs });
const shard = (dir: string, m: SweepManifest, rows: string[]): SweepShard => ({ dir, manifest: m, text: ['run,policy,x', ...rows].join('\n') + '\n' });
/** The problems of merging `parts`, one formatted line each (none when they merge). */
const problems = (parts: SweepShard[]) => {
  try {
    mergeShards(parts);
    return [];
  } catch (err) {
    return (err as InputError).problems.map(formatProblem);
  }
};

describe('merging sweep shards', () => {
  it('puts every run once in run order, each run’s policies in their order', () => {
    const { manifest: m, text } = mergeShards([shard('a', manifest([2]), ['2,p,5', '2,q,6']), shard('b', manifest([0, 1]), ['0,p,1', '0,q,2', '1,p,3', '1,q,4'])]);
    expect(text).toBe('run,policy,x\n0,p,1\n0,q,2\n1,p,3\n1,q,4\n2,p,5\n2,q,6\n');
    expect(m.runs).toEqual([0, 1, 2]);
    expect('shard' in m).toBe(false);
  });

  it('a foreign shard, a run twice and missing runs are bad input', () => {
    expect(problems([shard('a', manifest([0, 1]), []), shard('b', manifest([2], 'other'), [])])[0]).toMatch(/shard of another sweep/);
    expect(problems([shard('a', manifest([0, 1]), []), shard('b', manifest([1, 2]), [])])[0]).toMatch(/run 1 appears in more than one shard/);
    expect(problems([shard('a', manifest([0]), [])])[0]).toMatch(/runs missing: 1, 2/);
  });

  it('names what differs for shards run with different --policies, and checks each results.csv against its sweep.json', () => {
    const declared = (runs: number[], policies: string[], id = 's'): SweepManifest => ({ ...manifest(runs, id), policies });
    // Shards run with different --policies (their ids differ too): one line naming the shard and the policies.
    expect(problems([shard('a', declared([0, 2], ['p'], 'sp'), ['0,p,1', '2,p,5']), shard('b', declared([1], ['p', 'q'], 'spq'), ['1,p,3', '1,q,4'])])).toEqual([
      `${path.join('b', 'sweep.json')}: shard of another sweep than a: policies p, q here, p there (another --policies: give every shard the same)`,
    ]);
    // Folders of older versions (no policies in sweep.json, one id): the policies are read off the rows.
    expect(problems([shard('a', manifest([0, 2]), ['0,p,1', '2,p,5']), shard('b', manifest([1]), ['1,p,3', '1,q,4'])])[0]).toMatch(/^b\/sweep\.json: shard of another sweep than a: policies p, q here, p there/);
    // A row lost, one duplicated, one of another shard, one of a policy not run: each named at its file and line.
    const a = declared([0, 2], ['p', 'q']);
    expect(problems([shard('a', a, ['0,p,1', '2,p,5', '2,q,6']), shard('b', declared([1], ['p', 'q']), ['1,p,3', '1,q,4'])])).toEqual([
      `${path.join('a', 'results.csv')}: 1 row(s) that sweep.json declares are missing (2 runs × policies p, q): run 0 q`,
    ]);
    expect(problems([shard('a', a, ['0,p,1', '0,q,2', '2,p,5', '2,q,6', '0,q,2', '1,p,3', '2,r,7']), shard('b', declared([1], ['p', 'q']), ['1,p,3', '1,q,4'])])).toEqual([
      `${path.join('a', 'results.csv')}:6:1 a second row for run 0 policy q (the first is line 3)`,
      `${path.join('a', 'results.csv')}:7:1 run 1 is not one of this shard’s runs in sweep.json`,
      `${path.join('a', 'results.csv')}:8:1 policy 'r' is not one this shard ran (sweep.json policies: p, q)`,
    ]);
    // An older folder that lost a row: its other runs show the policies it ran.
    expect(problems([shard('a', manifest([0, 2]), ['0,p,1', '0,q,2', '2,p,5']), shard('b', manifest([1]), ['1,p,3', '1,q,4'])])).toEqual([
      `${path.join('a', 'results.csv')}: 1 row(s) that sweep.json declares are missing (2 runs × policies p, q): run 2 q`,
    ]);
  });
});

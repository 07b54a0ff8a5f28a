import { describe, expect, it } from 'vitest';
import { mergeShards, type SweepManifest, type SweepShard } from '../../src/experiment/run-sweep.ts';
import { InputError, formatProblem } from '../../src/model/errors.ts';

const manifest = (runs: number[], id = 's'): SweepManifest => ({ sweepId: id, scenario: 't', scenarioHash: 'h', fields: [], total: 3, shard: { index: 1, count: 2 }, runs });
const shard = (dir: string, m: SweepManifest, rows: string[]): SweepShard => ({ dir, manifest: m, text: ['run,policy,x', ...rows].join('\n') + '\n' });

describe('merging sweep shards', () => {
  it('puts every run once in run order, each run’s policies in their order', () => {
    const { manifest: m, text } = mergeShards([shard('a', manifest([2]), ['2,p,5', '2,q,6']), shard('b', manifest([0, 1]), ['0,p,1', '0,q,2', '1,p,3', '1,q,4'])]);
    expect(text).toBe('run,policy,x\n0,p,1\n0,q,2\n1,p,3\n1,q,4\n2,p,5\n2,q,6\n');
    expect(m.runs).toEqual([0, 1, 2]);
    expect('shard' in m).toBe(false);
  });

  it('a foreign shard, a run twice and missing runs are bad input', () => {
    const problems = (parts: SweepShard[]) => {
      try {
        mergeShards(parts);
        return [];
      } catch (err) {
        return (err as InputError).problems.map(formatProblem);
      }
    };
    expect(problems([shard('a', manifest([0, 1]), []), shard('b', manifest([2], 'other'), [])])[0]).toMatch(/shard of another sweep/);
    expect(problems([shard('a', manifest([0, 1]), []), shard('b', manifest([1, 2]), [])])[0]).toMatch(/run 1 appears in more than one shard/);
    expect(problems([shard('a', manifest([0]), [])])[0]).toMatch(/runs missing: 1, 2/);
  });
});

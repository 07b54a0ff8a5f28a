import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/main.ts';
import { ActionTracker, TransitionError } from '../../src/manager/action-state.ts';
import { InputError, KeycastError, formatProblem, inputError } from '../../src/model/errors.ts';
import { MapError } from '../../src/model/partition-map.ts';
import { JsonSyntaxError, parseJsonWithPositions } from '../../src/planner/json-positions.ts';
import { OpFailure } from '../../src/cluster/redis/redis-nodes.ts';
import { LocalClusterError } from '../../src/cli/commands/cluster-local.ts';
import { RedisTimeoutError } from '../../src/cluster/redis/with-timeout.ts';

/** The error thrown by `f`. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('error classes', () => {
  it('every keycast error extends the base with a stable code and its own name', () => {
    const cases: [unknown, string, string][] = [
      [inputError('s.yaml', 'rate', 'must be positive', 3, 7), 'INPUT', 'InputError'],
      [new MapError('no partition p9'), 'MAP', 'MapError'],
      [thrown(() => parseJsonWithPositions('{ "a": ')), 'JSON_SYNTAX', 'JsonSyntaxError'],
      [thrown(() => new ActionTracker().to('done', 0)), 'TRANSITION', 'TransitionError'],
      [new UsageError('unknown flag --x'), 'USAGE', 'UsageError'],
      [new OpFailure('busy', 'slot migrating'), 'busy', 'OpFailure'],
      [new LocalClusterError('redis-server not found'), 'LOCAL_CLUSTER', 'LocalClusterError'],
      [new RedisTimeoutError('command timed out after 5 ms'), 'REDIS_TIMEOUT', 'RedisTimeoutError'],
    ];
    for (const [err, code, name] of cases) {
      expect(err).toBeInstanceOf(KeycastError);
      expect((err as KeycastError).code).toBe(code);
      expect((err as KeycastError).name).toBe(name);
    }
    expect(cases[2][0]).toBeInstanceOf(JsonSyntaxError);
    expect(cases[3][0]).toBeInstanceOf(TransitionError);
  });

  it('input errors print one FILE:LINE:COL line per problem', () => {
    const e = new InputError([
      { file: 's.yaml', line: 3, col: 7, path: 'rate', message: 'must be positive' },
      { file: 's.yaml', path: '', message: 'empty' },
    ]);
    expect(e.message).toBe('s.yaml:3:7 rate: must be positive\ns.yaml: empty');
    expect(formatProblem({ file: 'f', line: 2, path: 'a.b', message: 'x' })).toBe('f:2:1 a.b: x');
  });
});

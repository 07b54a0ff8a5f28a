import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseScenario } from '../../src/scenario/load.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { InputError, formatProblem } from '../../src/model/errors.ts';
import { makeWorkload } from '../../src/experiment/make-workload.ts';
import { RandomSource } from '../../src/engine/random.ts';
import type { TraceWorkload } from '../../src/workload/trace/trace-workload.ts';

const GOOD = `name: t
duration: 1h
warmup: 10m
tick: 1s
keyspace: { kind: user-id, keys: 1000, buckets: 256 }
workload:
  rate: 1000
  keys:
    - { share: 0.6, zipf: { s: 1.0, shuffle: true } }
    - { share: 0.4, band: { center: 0.2, width: 0.1, speed: 1 } }
cluster: { nodes: 2, nodeCapacity: 800, partitions: 4, maxPartitions: 32 }
expect:
  - static.records > 0
`;

/** The folder scenario texts are parsed as if they were in (paths resolve inside the repository). */
const HERE = import.meta.dirname;

/** The problems (formatted lines) of a scenario text, or [] when valid. */
function problems(text: string, sets: string[] = [], exists?: (absPath: string) => boolean): string[] {
  try {
    parseScenario(text, 'f.yaml', HERE, { sets, exists });
    return [];
  } catch (err) {
    if (err instanceof InputError) return err.problems.map(formatProblem);
    throw err;
  }
}

describe('scenario validation', () => {
  it('accepts a good file and fills defaults', () => {
    const s = parseScenario(GOOD, 'f.yaml', HERE);
    expect(s.scenario.cluster.pauses.move).toBe(200);
    expect(s.scenario.cluster.moveBandwidth).toBe(50 * 1024 * 1024);
    expect(s.scenario.warmup).toBe(600_000);
    expect(s.policies.map(([n]) => n)).toContain('static');
    expect(s.expectations).toHaveLength(1);
  });

  it('names file, line, column and field for a negative rate', () => {
    expect(problems(GOOD.replace('rate: 1000', 'rate: -5'))).toEqual(['f.yaml:7:9 workload.rate: must be greater than 0']);
  });

  it('reports a non-numeric value', () => {
    const p = problems(GOOD.replace('nodes: 2', 'nodes: two'));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^f\.yaml:11:\d+ cluster\.nodes: should be a number, not 'two'$/);
  });

  it('reports unknown units', () => {
    expect(problems(GOOD.replace('duration: 1h', 'duration: 1fortnight'))[0]).toMatch(/^f\.yaml:2:11 duration: not a duration/);
    expect(problems(GOOD.replace('duration: 1h', 'duration: 60'))[0]).toMatch(/duration: not a duration/);
  });

  it('reports YAML syntax errors with a position', () => {
    const p = problems('name: t\nduration: [1h\nworkload: {rate: 3}\n');
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/^f\.yaml:\d+:\d+ /);
    expect(p[0]).toMatch(/YAML/);
  });

  it('requires a name', () => {
    expect(problems(GOOD.replace('name: t\n', ''))).toContain('f.yaml:1:1 name: is required');
  });

  it('rejects unknown kinds', () => {
    expect(problems(GOOD.replace('kind: user-id', 'kind: users'))[0]).toMatch(/keyspace\.kind: should be one of user-id, geo, time-series, hashed, range/);
    const p = problems(GOOD + 'policies:\n  x: { kind: clairvoyant }\n');
    expect(p[0]).toMatch(/policies\.x(\.kind)?: kind should be one of/);
  });

  it('rejects key shares not summing to 1', () => {
    expect(problems(GOOD.replace('share: 0.4', 'share: 0.3'))).toEqual(['f.yaml:8:3 workload.keys: shares sum to 0.9, not 1']);
  });

  it('rejects partitions above maxPartitions', () => {
    expect(problems(GOOD.replace('partitions: 4', 'partitions: 64'))[0]).toMatch(/cluster\.partitions: 64 is above maxPartitions \(32\)/);
  });

  it("checks a static policy's own partitions against maxPartitions and the buckets, with the line", () => {
    const withStatic = (n: number) => GOOD.replace("expect:", `policies:\n  static: { kind: static }\n  striped: { kind: static, partitions: ${n} }\nexpect:`);
    expect(problems(withStatic(32))).toEqual([]);
    expect(problems(withStatic(64))).toEqual(['f.yaml:14:40 policies.striped.partitions: 64 is above cluster.maxPartitions (32)']);
    expect(problems(withStatic(0))[0]).toMatch(/policies\.striped\.partitions/);
  });

  it('rejects a missing trace file', () => {
    const text = GOOD.replace('kind: user-id', 'kind: range').replace('workload:\n', 'workload:\n  trace: { file: nowhere.csv }\n');
    const asked: string[] = [];
    const exists = (p: string) => (asked.push(p), false);
    expect(problems(text, [], exists).join('\n')).toMatch(/workload\.trace\.file: no such file: .*nowhere\.csv/);
    expect(asked).toEqual([path.join(HERE, 'nowhere.csv')]);
    // text alone (no `exists`): the trace is not looked for at load
    expect(problems(text).join('\n')).not.toMatch(/no such file/);
  });

  it('rejects an empty file and a document that is not a mapping', () => {
    expect(problems('')).toEqual(['f.yaml: the file is empty']);
    expect(problems('   \n')).toEqual(['f.yaml: the file is empty']);
    expect(problems('- a\n- b\n')).toEqual(['f.yaml:1:1 the document must be a mapping of fields (name:, duration:, …)']);
    expect(problems('just text\n')[0]).toMatch(/must be a mapping/);
  });

  it('rejects a zero tick and absurd bucket counts', () => {
    expect(problems(GOOD.replace('tick: 1s', 'tick: 0s'))[0]).toMatch(/^f\.yaml:4:7 tick: must be greater than 0/);
    expect(problems(GOOD.replace('buckets: 256', 'buckets: 100000000'))[0]).toMatch(/keyspace\.buckets: must be at most 65536/);
    expect(problems(GOOD.replace('buckets: 256', 'buckets: 1'))[0]).toMatch(/keyspace\.buckets: must be at least 2/);
  });

  it('rejects malformed expect lines, naming their line', () => {
    const p = problems(GOOD.replace('static.records > 0', 'static.records >> 0'));
    expect(p[0]).toMatch(/^f\.yaml:13:5 expect\[0\]: malformed expectation/);
    expect(problems(GOOD.replace('static.records > 0', 'static.recordz > 0'))[0]).toMatch(/unknown metric 'recordz'/);
    expect(problems(GOOD.replace('static.records > 0', 'static.records'))[0]).toMatch(/needs a comparison/);
  });

  it('reports unknown fields with a did-you-mean', () => {
    const p = problems(GOOD.replace('warmup: 10m', 'warmpu: 10m'));
    expect(p).toEqual(["f.yaml:3:1 warmpu: unknown field (did you mean 'warmup'?)"]);
    expect(problems(GOOD.replace('nodeCapacity', 'nodeCapcity'))[0]).toMatch(/cluster\.nodeCapcity: unknown field \(did you mean 'nodeCapacity'\?\)/);
  });

  it('reports all problems at once', () => {
    const bad = GOOD.replace('rate: 1000', 'rate: -1').replace('nodes: 2', 'nodes: 0').replace('tick: 1s', 'tick: fast');
    expect(problems(bad).length).toBe(3);
  });

  it('applies --set overrides before validation', () => {
    const s = parseScenario(GOOD, 'f.yaml', HERE, { sets: ['cluster.nodes=5', 'workload.rate=2500', 'duration=2h'] });
    expect(s.scenario.cluster.nodes).toBe(5);
    expect(s.scenario.workload.rate).toBe(2500);
    expect(s.scenario.duration).toBe(7_200_000);
    expect(problems(GOOD, ['workload.rate=-3'])[0]).toMatch(/workload\.rate: must be greater than 0/);
    expect(problems(GOOD, ['nonsense'])[0]).toMatch(/^<cli>: --set: 'nonsense' should be path=value/);
  });

  it("--set problems name the flag: in what the set created, past a list's end, in keys[i] form; a grid point's at the grid field's line", () => {
    expect(problems(GOOD, ['policies.ghost.threshold=0.1'])).toEqual([expect.stringMatching(/^<cli>: --set policies\.ghost\.threshold=0\.1: policies\.ghost\.kind: /)]);
    expect(problems(GOOD, ['workload.keys.5.share=0.1'])).toEqual(["<cli>: --set workload.keys.5.share=0.1: workload.keys has 2 entries: index 5 is past its end (2 appends one)"]);
    expect(problems(GOOD, ['workload.keys[0].share=abc'])).toEqual([expect.stringMatching(/^<cli>: --set workload\.keys\[0\]\.share=abc: workload\.keys\[0\]\.share: should be a number/)]);
    expect(parseScenario(GOOD, 'f.yaml', HERE, { sets: ['workload.keys[0].share=0.5', 'workload.keys[1].share=0.5'] }).scenario.workload.keys[0].share).toBe(0.5);
    const grid = `${GOOD}sweep:\n  grid: { workload.rate: [-5, 100] }\n`;
    let got: string[] = [];
    try {
      parseScenario(grid, 'f.yaml', HERE, { gridSets: ['workload.rate=-5'] });
    } catch (err) {
      got = (err as InputError).problems.map(formatProblem);
    }
    expect(got).toEqual(['f.yaml:15:11 sweep.grid.workload.rate: value -5: must be greater than 0']);
  });

  it('rejects unknown policies in --policies', () => {
    expect(() => parseScenario(GOOD, 'f.yaml', HERE, { policies: ['nope'] })).toThrow(/no policy 'nope'/);
  });

  it('gives the same hash for the same scenario whatever the seed', () => {
    const a = parseScenario(GOOD, 'f.yaml', HERE, { seed: 1 });
    const b = parseScenario(GOOD, 'f.yaml', HERE, { seed: 2 });
    const c = parseScenario(GOOD.replace('rate: 1000', 'rate: 1001'), 'f.yaml', HERE);
    expect(a.hash).toBe(b.hash);
    expect(c.hash).not.toBe(a.hash);
  });

  it('reports an unreadable file', () => {
    expect(() => loadScenario('/nonexistent/x.yaml')).toThrow(InputError);
  });

  it('validates every scenario shipped in scenarios/, scenarios/study/, scenarios/long/ and scenarios/fresh/', () => {
    for (const sub of ['', 'study', 'long', 'fresh']) {
      const dir = path.join(__dirname, '../../scenarios', sub);
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
        expect(() => loadScenario(path.join(dir, f)), f).not.toThrow();
      }
    }
  });

  it("the study's trace scenarios replay other days at each of their seeds, inside the trace", () => {
    const file = path.join(__dirname, '../../scenarios/study/flights-slow.yaml');
    const days = [1, 2, 3, 4, 5].map((seed) => {
      const w = makeWorkload(loadScenario(file, { seed }), new RandomSource(seed)) as TraceWorkload;
      w.close();
      return w.offsetMs / 86_400_000;
    });
    expect(days).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('mutated scenario files never crash', () => {
  const lines = GOOD.split('\n');
  const junk = fc.constantFrom('-1', 'abc', '[]', '{}', '{a: 1}', '1e400', 'null', '~', '"', "'", ':', '- x', '0', '1.5', 'true', '1d6h', '5MB/s', '&a', '*a', '!!binary x',
    '*missing', '&b 5', '*b', '&c { nodes: 3 }', '{ <<: *c }', '{ <<: *missing }', '{ <<: 5 }', '!foo x', '!!str 12', '!!int x', '!!map {}', '!!seq []', '[*a, *a]');
  // --set, --seed and --policies as a user might give them, good and bad
  const flags = fc.record({
    sets: fc.array(fc.constantFrom('seed=9', 'seed=-1', 'cluster.nodes=0', 'cluster.nodes=5', 'expect=[ghost.records > 0]', 'x', '=1', 'cluster=*a', 'workload.rate=abc', 'cluster.nodes.x=1', 'policies={ s: { kind: static } }', 'tick=2m'), { maxLength: 3 }),
    seed: fc.option(fc.constantFrom(0, 3, 2 ** 60), { nil: undefined }),
    policies: fc.option(fc.constantFrom(['static'], ['ghost'], ['static', 'reactive']), { nil: undefined }),
  });
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), cut: fc.nat() }),
    fc.record({ op: fc.constant('value' as const), at: fc.nat(), v: junk }),
    fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), v: fc.string({ maxLength: 20 }) }),
    // an anchor on one value and an alias (or a merge key) to it elsewhere, in either order
    fc.record({ op: fc.constant('alias' as const), at: fc.nat(), to: fc.nat(), merge: fc.boolean() }),
  );
  it('returns a scenario or an InputError, never anything else', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), flags, (muts, opts) => {
        const ls = [...lines];
        for (const m of muts) {
          const i = m.at % ls.length;
          if (m.op === 'delete') ls.splice(i, 1);
          else if (m.op === 'truncate') ls[i] = ls[i].slice(0, m.cut % (ls[i].length + 1));
          else if (m.op === 'value') ls[i] = ls[i].includes(':') ? ls[i].replace(/:\s*.*$/, `: ${m.v}`) : `${ls[i]} ${m.v}`;
          else if (m.op === 'indent') ls[i] = m.by >= 0 ? ' '.repeat(m.by) + ls[i] : ls[i].slice(-m.by);
          else if (m.op === 'alias') {
            const j = m.to % ls.length;
            if (ls[i].includes(':')) ls[i] = ls[i].replace(/:\s*/, ': &x ');
            if (m.merge) ls.splice(j, 0, `${/^\s*/.exec(ls[j])![0]}<<: *x`);
            else ls[j] = ls[j].includes(':') ? ls[j].replace(/:\s*.*$/, ': *x') : `${ls[j]} *x`;
          } else ls.splice(i, 0, m.v);
          if (ls.length === 0) ls.push('');
        }
        try {
          parseScenario(ls.join('\n'), 'f.yaml', os.tmpdir(), opts);
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          for (const p of err.problems) expect(formatProblem(p)).toMatch(/^(f\.yaml|<cli>)(:\d+:\d+)?:? /);
        }
      }),
      { numRuns: 600, seed: 20261125 },
    );
  });
});

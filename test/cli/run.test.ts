import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { noWall, ROOT, runKeycast, TINY } from '../fixtures/cli.ts';

const kc = (args: string[], cwd = ROOT) => runKeycast(args, { cwd });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kc-'));

describe('keycast run', () => {
  it('writes the whole report and is byte-identical across processes for the same seed', () => {
    const d = tmp();
    const a = kc(['run', TINY, '--out', path.join(d, 'a')]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    for (const f of ['summary.json', 'summary.md', 'index.html', 'static/timeseries.csv', 'static/operations.csv', 'threshold/timeseries.csv', 'threshold/operations.csv']) {
      expect(fs.existsSync(path.join(d, 'a', f)), f).toBe(true);
    }
    const b = kc(['run', TINY, '--json', '--out', path.join(d, 'b')]);
    expect(b.code).toBe(0);
    const sa = fs.readFileSync(path.join(d, 'a/summary.json'), 'utf8');
    expect(noWall(b.out)).toBe(noWall(sa));
    expect(fs.readFileSync(path.join(d, 'a/threshold/timeseries.csv'), 'utf8')).toBe(fs.readFileSync(path.join(d, 'b/threshold/timeseries.csv'), 'utf8'));
    const c = kc(['run', TINY, '--json', '--seed', '6', '--out', path.join(d, 'c')]);
    expect(noWall(c.out)).not.toBe(noWall(sa));
    const s = JSON.parse(sa);
    expect(s.scenario).toBe('tiny');
    expect(s.expectations.every((e: { pass: boolean }) => e.pass)).toBe(true);
    const html = fs.readFileSync(path.join(d, 'a/index.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('vegaEmbed(');
    expect(fs.readFileSync(path.join(d, 'a/static/timeseries.csv'), 'utf8').split('\n')[0]).toMatch(/^timeMs,/);
  });

  it('exits 1 on a failing expectation and still writes the report', () => {
    const d = tmp();
    const r = kc(['run', TINY, '--policies', 'static,threshold', '--set', 'expect=[static.records < 0]', '--out', path.join(d, 'r')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'r/summary.json'), 'utf8')).expectations[0].pass).toBe(false);
  });

  it('exits 2 on bad input, one line per problem, no stack trace, nothing written', () => {
    const d = tmp();
    const bad = path.join(d, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(TINY, 'utf8').replace('rate: 3000', 'rate: -3').replace('nodes: 3', 'nodes: x'));
    const r = kc(['run', bad, '--out', path.join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/bad\.yaml:9:9 workload\.rate: must be greater than 0$/),
      expect.stringMatching(/bad\.yaml:17:19 cluster\.nodes: should be a number, not 'x'$/),
    ]);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(d, 'out'))).toBe(false);
    for (const args of [['run', TINY, '--bogus'], ['run', TINY, '--policies', 'nope'], ['run', TINY, '--seed', 'x'], ['run', path.join(d, 'missing.yaml')], ['frobnicate']]) {
      const x = kc([...args, '--out', path.join(d, 'o2')]);
      expect(x.code, args.join(' ')).toBe(2);
      expect(x.err).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(path.join(d, 'o2'))).toBe(false);
    }
    const u = kc(['run', TINY, '--set', 'expect=[ghost.p99LatencyMs < 1]', '--out', path.join(d, 'o3')]);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/^<cli>: --set expect=\[ghost.p99LatencyMs < 1\]: expect\[0\]: no policy 'ghost' in the scenario/);
  });

  it('validate checks many files and schema prints JSON Schema', () => {
    const d = tmp();
    const bad = path.join(d, 'b.yaml');
    fs.writeFileSync(bad, 'name: b\nduration: 5\n');
    const v = kc(['validate', TINY, bad]);
    expect(v.code).toBe(2);
    expect(v.out).toMatch(/ok {2}.*tiny\.yaml/);
    expect(v.err).toMatch(/b\.yaml:2:11 duration: not a duration/);
    const s = kc(['schema']);
    expect(s.code).toBe(0);
    const schema = JSON.parse(s.out);
    expect(schema.properties.workload).toBeDefined();
    expect(schema.required).toContain('name');
    expect(kc(['--version']).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

/** `keycast generate` and trace replay through the CLI, end to end. */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { cliEnv } from '../fixtures/cli.ts';

const ROOT = path.join(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/keycast');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
const TWEETS = path.join(ROOT, 'test/fixtures/workload/tweets-2015-02-26.csv');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-gen-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function kc(args: string[]) {
  const r = spawnSync(BIN, args, { cwd: ROOT, encoding: 'utf8', env: cliEnv(), maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const traceScenario = (file: string, extra = '') => {
  const f = path.join(dir, `trace-${path.basename(file)}-${extra.length}.yaml`);
  fs.writeFileSync(
    f,
    `name: trace-test\nduration: 20m\ntick: 1s\n${extra}keyspace: { kind: range, buckets: 64 }\nworkload:\n  trace: { file: ${file}, time: ts, key: key, weight: count, speed: 60 }\n` +
      'cluster: { nodes: 2, nodeCapacity: 200, partitions: 4 }\npolicies:\n  static: { kind: static }\n',
  );
  return f;
};

describe('keycast generate', () => {
  it('counts are deterministic, gzip by name, and equal what run simulates', () => {
    const a = path.join(dir, 'a.csv');
    const b = path.join(dir, 'b.csv.gz');
    const r1 = kc(['generate', TINY, '--format', 'counts', '--out', a, '--duration', '10m']);
    expect(r1.code, r1.err).toBe(0);
    const r2 = kc(['generate', TINY, '--format', 'counts', '--out', b, '--duration', '10m']);
    expect(r2.code).toBe(0);
    const text = fs.readFileSync(a, 'utf8');
    expect(zlib.gunzipSync(fs.readFileSync(b)).toString()).toBe(text);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('windowStartMs,bucket,count');
    let total = 0;
    const windows = new Set<string>();
    for (const l of lines.slice(1)) {
      const [w, bk, c] = l.split(',').map(Number);
      expect(c).toBeGreaterThan(0);
      expect(bk >= 0 && bk < 256).toBe(true);
      windows.add(String(w));
      total += c;
    }
    expect([...windows]).toEqual(['0', '60000', '120000', '180000', '240000', '300000', '360000', '420000', '480000', '540000']);
    const run = kc(['run', TINY, '--json', '--policies', 'static', '--set', 'duration=10m', '--set', 'warmup=1m', '--set', 'expect=[]', '--out', path.join(dir, 'run')]);
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out).policies.static.records).toBe(total);
  });

  it('records are in time order then bucket, one per record, with keys of the universe', () => {
    const r = kc(['generate', TINY, '--format', 'records', '--duration', '5s']);
    expect(r.code, r.err).toBe(0);
    const c = kc(['generate', TINY, '--format', 'counts', '--duration', '5s', '--window', '5s']);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('timeMs,key,bucket');
    let prev = [-1, -1];
    const perBucket = new Map<number, number>();
    for (const l of lines.slice(1)) {
      const [t, key, b] = l.split(',');
      const tb = [Number(t), Number(b)];
      expect(tb[0] > prev[0] || (tb[0] === prev[0] && tb[1] >= prev[1])).toBe(true);
      expect(tb[0] < 5000).toBe(true);
      // user-id keys: u<rank>.<name>, and the rank lies in the bucket (10000 keys, 256 buckets).
      const rank = Number(/^u(\d{4})\./.exec(key)![1]);
      expect(Math.floor((rank * 256) / 10000)).toBe(tb[1]);
      perBucket.set(tb[1], (perBucket.get(tb[1]) ?? 0) + 1);
      prev = tb;
    }
    for (const l of c.out.trim().split('\n').slice(1)) {
      const [, b, n] = l.split(',').map(Number);
      expect(perBucket.get(b)).toBe(n);
    }
    expect(kc(['generate', TINY, '--format', 'records', '--duration', '5s']).out).toBe(r.out);
  });

  it('replays a trace: records carry the trace keys; bad input is exit 2', () => {
    const sc = traceScenario(TWEETS);
    const r = kc(['generate', sc, '--format', 'records', '--duration', '1m']);
    expect(r.code, r.err).toBe(0);
    const keys = new Set(r.out.trim().split('\n').slice(1).map((l) => l.split(',')[1]));
    expect([...keys].sort()).toEqual(['AAPL', 'AMZN', 'CRM', 'CVS', 'FB', 'IBM', 'KO', 'PFE', 'UPS'].filter((k) => keys.has(k)));
    expect(keys.has('AAPL')).toBe(true);
    for (const a of [['--format', 'rows'], ['--format', 'counts', '--window', 'soon'], []]) {
      const x = kc(['generate', TINY, ...a]);
      expect(x.code, a.join(' ')).toBe(2);
      expect(x.err).not.toMatch(/\n\s+at /);
    }
    // A window of whole ticks only (5 s ticks here: 7 s would hold 1 or 2 ticks in turn); no --window for records.
    const ticks5 = path.join(dir, 'tick5.yaml');
    fs.writeFileSync(ticks5, fs.readFileSync(TINY, 'utf8').replace(/^tick: 1s$/m, 'tick: 5s'));
    const odd = kc(['generate', ticks5, '--format', 'counts', '--duration', '1m', '--window', '7s']);
    expect(odd.code).toBe(2);
    expect(odd.err.trim()).toBe("<cli>: --window: 7000 ms is not a whole number of the scenario's 5000 ms ticks (counts are summed over whole ticks)");
    expect(kc(['generate', ticks5, '--format', 'counts', '--duration', '1m', '--window', '10s']).code).toBe(0);
    const rec = kc(['generate', TINY, '--format', 'records', '--duration', '5s', '--window', '10s']);
    expect(rec.code).toBe(2);
    expect(rec.err.trim()).toBe('<cli>: --window: applies to --format counts only (records carry their own times)');
  });

  it('run: bad trace rows are exit 2 naming the line, or skipped and counted with --skip-bad-rows', () => {
    const lines = fs.readFileSync(TWEETS, 'utf8').split('\n').slice(0, 400);
    lines.splice(100, 0, '2015-02-26T22:00:00,AAPL,lots');
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, lines.join('\n'));
    const sc = traceScenario(bad);
    const r = kc(['run', sc, '--json', '--out', path.join(dir, 'bad-run')]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/bad\.csv:101:1 workload\.trace: row weight 'lots' is not a number ≥ 0$/);
    expect(fs.existsSync(path.join(dir, 'bad-run'))).toBe(false);
    const s = kc(['run', sc, '--json', '--skip-bad-rows', '--out', path.join(dir, 'skip-run')]);
    expect(s.code, s.err).toBe(0);
    expect(s.out).toMatch(/"badRows": 1\b/);
  });
});

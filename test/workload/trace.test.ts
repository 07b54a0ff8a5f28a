import { afterAll, describe, expect, it } from 'vitest';
import { seedList } from '../../src/experiment/seeds.ts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { InputError } from '../../src/model/errors.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { makeWorkload } from '../../src/experiment/run.ts';
import { RandomSource } from '../../src/engine/random.ts';
import type { KeyspaceSpec, TraceSpec } from '../../src/workload/spec.ts';
import { TimeParser } from '../../src/workload/trace/time.ts';
import { scanTrace } from '../../src/workload/trace/scan.ts';
import { startOffsetMs, TraceWorkload } from '../../src/workload/trace/trace-workload.ts';
import { fnv1a32 } from '../../src/workload/universe.ts';

const FIX = path.join(__dirname, '../fixtures/workload');
const TWEETS = path.join(FIX, 'tweets-2015-02-26.csv');
const FLIGHTS = path.join(FIX, 'flights-2001-01-01.csv.gz');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-trace-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string | Buffer) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const spec = (over: Partial<TraceSpec> = {}): TraceSpec => ({ file: '', time: 'ts', key: 'key', speed: 1, scale: 1, ...over });
const range = (buckets: number): KeyspaceSpec => ({ kind: 'range', keys: 1, buckets });

/** Sum of all counts over `ticks` ticks, and per bucket. */
function replay(w: TraceWorkload, ticks: number): { total: number; perBucket: Float64Array; perTick: number[] } {
  const perBucket = new Float64Array(w.buckets);
  const perTick: number[] = [];
  let total = 0;
  for (let i = 0; i < ticks; i++) {
    const b = w.nextBatch(i * w.tickMs);
    total += b.total;
    perTick.push(b.total);
    for (let j = 0; j < w.buckets; j++) perBucket[j] += b.counts[j];
  }
  return { total, perBucket, perTick };
}

describe('trace time parsing', () => {
  it('reads ISO with or without zone, epoch seconds below 1e11 and ms above', () => {
    const p = new TimeParser();
    expect(p.parse('2001-01-01T00:01')).toBe(Date.UTC(2001, 0, 1, 0, 1));
    expect(p.parse('2015-02-26 21:42:53')).toBe(Date.UTC(2015, 1, 26, 21, 42, 53));
    expect(p.parse('2015-02-26T21:42:53.250Z')).toBe(Date.UTC(2015, 1, 26, 21, 42, 53, 250));
    expect(p.parse('2015-02-26T21:42:53+02:00')).toBe(Date.UTC(2015, 1, 26, 19, 42, 53));
    expect(p.parse('2015-02-26')).toBe(Date.UTC(2015, 1, 26));
    expect(p.parse('978307260')).toBe(978_307_260_000);
    expect(p.parse('99999999999')).toBe(99_999_999_999_000);
    expect(p.parse('1e11')).toBe(1e11);
    for (const bad of ['yesterday', '2001-02-30T00:00', '2001-13-01', '']) expect(p.parse(bad)).toBeNaN();
  });

  it('reads zone-less ISO in the given time zone, across daylight saving', () => {
    const ny = new TimeParser('America/New_York');
    expect(ny.parse('2001-01-01T00:00')).toBe(Date.UTC(2001, 0, 1, 5));
    expect(ny.parse('2001-07-01T00:00')).toBe(Date.UTC(2001, 6, 1, 4));
    expect(ny.parse('2001-04-01T01:59')).toBe(Date.UTC(2001, 3, 1, 6, 59));
    expect(ny.parse('2001-04-01T03:00')).toBe(Date.UTC(2001, 3, 1, 7));
    expect(ny.parse('2001-01-01T00:00Z')).toBe(Date.UTC(2001, 0, 1));
  });
});

describe('trace scan', () => {
  it('finds rows, keys in string order, span and the typical gap (NAB tweets excerpt)', () => {
    const s = scanTrace(TWEETS, spec({ weight: 'count' }), false);
    expect(s.format).toBe('csv');
    expect(s.rows).toBe(2592);
    expect(s.keys).toEqual(['AAPL', 'AMZN', 'CRM', 'CVS', 'FB', 'IBM', 'KO', 'PFE', 'UPS']);
    expect(s.typicalGapMs).toBe(300_000);
    expect(s.lastMs - s.firstMs).toBe(287 * 300_000);
  });

  it('streams gzip and applies keyPattern (flights by origin)', () => {
    const routes = scanTrace(FLIGHTS, spec(), false);
    const origins = scanTrace(FLIGHTS, spec({ keyPattern: '^([A-Z]+)-' }), false);
    expect(routes.rows).toBe(14_828);
    expect(origins.rows).toBe(14_828);
    expect(origins.keys.length).toBeLessThan(routes.keys.length);
    expect(origins.keys).toContain('ATL');
    expect(origins.keys.every((k) => /^[A-Z]+$/.test(k))).toBe(true);
    expect(routes.typicalGapMs).toBe(60_000);
  });

  it('reads JSON Lines, gzip or not, with epoch seconds and milliseconds', () => {
    const lines = [
      { t: 1_000_000_000, k: 'a', w: 2 },
      { t: 1_000_000_010_000, k: 'b', w: '3' },
      { t: '2001-09-09T01:46:50Z', k: 'a' },
    ].map((o) => JSON.stringify(o));
    const plain = write('t.jsonl', lines.join('\n') + '\n');
    const gz = write('t.jsonl.gz', zlib.gzipSync(lines.join('\r\n')));
    for (const f of [plain, gz]) {
      const s = scanTrace(f, spec({ time: 't', key: 'k', weight: 'w' }), true);
      expect(s.format).toBe('jsonl');
      expect(s.rows).toBe(2);
      expect(s.badRows).toBe(1); // the third has no weight
      expect(s.lastMs - s.firstMs).toBe(10_000);
      expect(s.totalWeight).toBe(5);
    }
  });

  it('names the file and line of bad and out-of-order rows, or skips and counts them', () => {
    const f = write('bad.csv', 'ts,key,n\n2020-01-01T00:00,a,1\n2020-01-01T00:05,b,x\nnot-a-time,c,1\n2019-12-31T23:59,d,1\n\n2020-01-01T00:06,e\n');
    let err: unknown;
    try {
      scanTrace(f, spec({ weight: 'n' }), false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const msgs = (err as InputError).problems.map((p) => `${p.line}: ${p.message}`);
    expect(msgs).toEqual([
      expect.stringMatching(/^3: row weight 'x' is not a number/),
      expect.stringMatching(/^4: row time 'not-a-time' is neither ISO 8601 nor an epoch number/),
      expect.stringMatching(/^5: row time 2019-12-31T23:59:00.000Z is before the previous row's 2020-01-01T00:00:00.000Z/),
      expect.stringMatching(/^7: row has 2 fields/),
    ]);
    expect((err as InputError).problems[0].file).toMatch(/bad\.csv$/);
    const s = scanTrace(f, spec({ weight: 'n' }), true);
    expect(s.badRows).toBe(4);
    expect(s.rows).toBe(1);
    expect(() => scanTrace(f, spec({ weight: 'count' }), true)).toThrow(/no column 'count' in the header/);
    // A weight no count reaches (it would make the run's totals Infinity) is a bad row too.
    const huge = write('huge.csv', 'ts,key,n\n2020-01-01T00:00,a,1\n2020-01-01T00:05,b,1e300\n');
    expect(() => scanTrace(huge, spec({ weight: 'n' }), false)).toThrow(/row weight '1e300' is above 1000000000000 records in one row/);
  });
});

describe('trace replay', () => {
  it('conserves records: Σ weight × scale, per bucket, spread evenly', () => {
    const w = new TraceWorkload(spec({ weight: 'count', speed: 60, scale: 0.5 }), TWEETS, range(64), 1000, 100);
    expect(w.spreadTraceMs).toBe(300_000);
    expect(w.defaultDurationMs).toBe((287 * 300_000) / 60);
    const ticks = Math.ceil((w.defaultDurationMs + w.spreadSimMs) / 1000) + 1;
    const { total, perBucket } = replay(w, ticks);
    expect(Math.abs(total - 0.5 * w.scan.totalWeight)).toBeLessThanOrEqual(9 * 0.5);
    // Keys in string order: AAPL is bucket 0, UPS bucket floor(8·64/9) = 56.
    expect(w.bucketOf('AAPL')).toBe(0);
    expect(w.bucketOf('UPS')).toBe(56);
    const aapl = fs.readFileSync(TWEETS, 'utf8').split('\n').filter((l) => l.includes(',AAPL,')).reduce((s, l) => s + Number(l.split(',')[2]), 0);
    expect(Math.abs(perBucket[0] - 0.5 * aapl)).toBeLessThanOrEqual(0.5);
  });

  it('spreads a row over `spread` after its time, compressed by `speed`', () => {
    const f = write('one.csv', 'ts,key,n\n0,a,10\n100,a,0\n');
    const w = new TraceWorkload(spec({ weight: 'n', speed: 2, spread: 20_000 }), f, range(4), 1000, 1);
    const { perTick } = replay(w, 14);
    // 10 records over 10 simulated seconds: one per tick.
    expect(perTick).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(w.defaultDurationMs).toBe(50_000);
  });

  it('hashes keys with FNV-1a in a hashed keyspace', () => {
    const w = new TraceWorkload(spec({ keyPattern: '^([A-Z]+)-' }), FLIGHTS, { kind: 'hashed', keys: 1, buckets: 256 }, 60_000, 1);
    expect(w.bucketOf('ATL')).toBe(Math.floor((fnv1a32('ATL') * 256) / 2 ** 32));
    const { perBucket, total } = replay(w, Math.ceil(w.defaultDurationMs / 60_000) + 2);
    expect(total).toBe(14_828);
    expect(perBucket[w.bucketOf('ATL')]).toBeGreaterThan(500);
  });

  it('expected rates integrate to the replayed counts', () => {
    const w = new TraceWorkload(spec({ weight: 'count', speed: 300 }), TWEETS, range(16), 1000, 1);
    const out = new Float64Array(16);
    let expected = 0;
    let got = 0;
    const ticks = 200;
    for (let i = 0; i < ticks; i++) {
      // The oracle asks ahead of the replay.
      w.expectedRates(i * 1000 + 30_000, out);
      for (let k = 0; k < 4; k++) expected += w.expectedRates(i * 1000 + 125 + 250 * k, out).reduce((a, b) => a + b, 0) / 4;
      got += w.nextBatch(i * 1000).total;
    }
    expect(Math.abs(got / expected - 1)).toBeLessThan(0.005);
  });

  it('a trace scenario without duration lasts span ÷ speed; with one, its own', () => {
    const text = (extra: string) => `name: t\n${extra}keyspace: { kind: range, buckets: 64 }\nworkload:\n  trace: { file: ${TWEETS}, weight: count, speed: 60 }\n`;
    const a = parseScenario(text(''), 'a.yaml', dir);
    expect(a.durationFromTrace).toBe(true);
    makeWorkload(a, new RandomSource(1));
    expect(a.scenario.duration).toBe((287 * 300_000) / 60);
    const b = parseScenario(text('duration: 10m\n'), 'b.yaml', dir);
    expect(b.durationFromTrace).toBeUndefined();
    makeWorkload(b, new RandomSource(1));
    expect(b.scenario.duration).toBe(600_000);
    const c = parseScenario(text('warmup: 2d\n'), 'c.yaml', dir);
    expect(() => makeWorkload(c, new RandomSource(1))).toThrow(/warmup: must be shorter than duration/);
  });

  it('starts the replay `start` into the trace, keeping the part of earlier spreads after it', () => {
    // Rows at 0 s and 10 s of 10 records each, spread over 4 s; starting at 2 s replays the
    // last half of the first row, then the second row at t = 8 s.
    const f = write('start.csv', 'ts,key,n\n0,a,10\n10,a,10\n');
    const w = new TraceWorkload(spec({ weight: 'n', spread: 4000, start: 2000 }), f, range(4), 1000, 1);
    expect(w.offsetMs).toBe(2000);
    expect(w.defaultDurationMs).toBe(8000);
    const { perTick, total } = replay(w, 14);
    expect(perTick.slice(0, 3)).toEqual([3, 2, 0]);
    expect(perTick.slice(8, 13)).toEqual([3, 2, 3, 2, 0]);
    expect(total).toBe(15);
  });

  it('seeds replay other windows: (seed mod n) × seedShift after start, n the windows that fit', () => {
    const day = 86_400_000;
    const tr = spec({ seedShift: day });
    // 10 days of trace, 2-day runs: starts 0..8 days fit, so n = 9.
    expect([0, 1, 5, 8, 9, 10].map((seed) => startOffsetMs(tr, 10 * day, seed, 2 * day))).toEqual([0, day, 5 * day, 8 * day, 0, day]);
    expect(startOffsetMs({ ...tr, start: 3 * day }, 10 * day, 5, 2 * day)).toBe(3 * day + 5 * day);
    expect(startOffsetMs({ ...tr, speed: 2 }, 10 * day, 4, 2 * day)).toBe(4 * day); // 4 trace days a run: n = 7
    expect(startOffsetMs({ ...tr, speed: 2 }, 10 * day, 7, 2 * day)).toBe(0);
    expect(startOffsetMs(tr, 10 * day, 3, 11 * day)).toMatchObject({ field: 'seedShift', message: expect.stringMatching(/no window of the run's duration/) });
    expect(startOffsetMs(spec({ start: 10 * day }), 10 * day, 1, undefined)).toMatchObject({ field: 'start', message: expect.stringMatching(/past the trace's last row/) });
    expect(startOffsetMs(spec({ start: day }), 10 * day, 7, 2 * day)).toBe(day); // no seedShift: the seed does not move it
  });

  it('a scenario with seedShift replays a window per seed; without duration it is exit 2', () => {
    const text = (extra: string, seed: number) =>
      `name: t\nseed: ${seed}\n${extra}keyspace: { kind: range, buckets: 16 }\nworkload:\n  trace: { file: ${FLIGHTS}, key: key, seedShift: 6h }\n`;
    // The fixture holds one day of flights (00:01 to 23:5x); 10-hour runs: starts at 0, 6 h and 12 h fit.
    const offsets = [0, 1, 2, 3].map((seed) => {
      const w = makeWorkload(parseScenario(text('duration: 10h\n', seed), 's.yaml', dir), new RandomSource(seed)) as TraceWorkload;
      w.close();
      return w.offsetMs / 3_600_000;
    });
    expect(offsets).toEqual([0, 6, 12, 0]);
    // One run of several seeds never replays a window twice (it would count one sample twice).
    const three = parseScenario(text('duration: 10h\n', 0), 's.yaml', dir);
    expect(seedList(three, 3)).toEqual([0, 1, 2]);
    expect(() => seedList(three, 4)).toThrow(/workload\.trace\.seedShift: seeds 0 and 3 replay the same window of the trace \(3 windows of the run's duration fit/);
    expect(() => parseScenario(text('', 1), 'n.yaml', dir)).toThrow(/workload\.trace\.seedShift: needs a duration/);
    expect(() => makeWorkload(parseScenario(text('duration: 2d\n', 1), 'l.yaml', dir), new RandomSource(1))).toThrow(/workload\.trace\.seedShift: the trace holds no window/);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { RandomSource } from '../../src/engine/random.ts';
import { InputError } from '../../src/model/errors.ts';
import { forecastSeries, expandModels } from '../../src/profiler/select.ts';
import { parseSeriesCsv, parseTimedCsv, splitCsvLine, fmt } from '../../src/profiler/series-csv.ts';

const fixture = new URL('../fixtures/profiler/m4-hourly-head.csv', import.meta.url);

describe('series CSV', () => {
  it('reads the M4 wide format: quoted fields, ragged rows, input order', () => {
    const s = parseSeriesCsv('"V1","V2","V3","V4"\n"H2","1","2",""\n"H1","4","5","6"\n', 'x.csv');
    expect(s.map((x) => x.id)).toEqual(['H2', 'H1']);
    expect(Array.from(s[0].values)).toEqual([1, 2]);
    expect(Array.from(s[1].values)).toEqual([4, 5, 6]);
    expect(parseSeriesCsv(readFileSync(fixture, 'utf8'), 'f').map((x) => x.values.length)).toEqual([399, 399, 399]);
  });

  it('reads the long format grouped by id in order of first appearance', () => {
    const s = parseSeriesCsv('id,time,value\nb,0,1\na,0,5\nb,1,2\n', 'l.csv');
    expect(s.map((x) => [x.id, Array.from(x.values)])).toEqual([
      ['b', [1, 2]],
      ['a', [5]],
    ]);
  });

  it('reports every bad field with file, line and column', () => {
    try {
      parseSeriesCsv('id,time,value\na,0,1\na,1,x\nb,0,\n', 'bad.csv');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const p = (e as InputError).problems;
      expect(p.map((q) => `${q.file}:${q.line}:${q.col}`)).toEqual(['bad.csv:3:5', 'bad.csv:4:5']);
    }
    expect(() => parseSeriesCsv('"V1","V2"\n"H1","1","oops"\n', 'w.csv')).toThrow(/w\.csv:2:10/);
  });

  it('splits quoted CSV fields (property: a quoted round trip is lossless)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (fields) => {
        const line = fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',');
        const out = splitCsvLine(line).map((x) => x.value);
        return out.length === fields.length && out.every((v, i) => v === fields[i].trim());
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('parses timed rows and rejects time going backwards', () => {
    const rows = parseTimedCsv('timestamp,value\n2015-01-01 00:00:00,1\n2015-01-01 00:05:00,2\n', 't.csv', 'timestamp', 'value');
    expect(rows[1].timeMs - rows[0].timeMs).toBe(300_000);
    expect(() => parseTimedCsv('timestamp,value\n2015-01-01 00:05:00,1\n2015-01-01 00:00:00,2\n', 't.csv', 'timestamp', 'value')).toThrow(/t\.csv:3:1 timestamp: rows must be/);
    expect(fmt(1234.5678)).toBe('1234.57');
    expect(fmt(-0)).toBe('0');
  });
});

describe('forecastSeries (dynamic choice on one series)', () => {
  const s = parseSeriesCsv(readFileSync(fixture, 'utf8'), 'f')[0].values;
  it('chooses by backtest, returns ordered quantiles, is deterministic', () => {
    const run = () => forecastSeries(s.subarray(0, 351), { horizon: 48, seasons: [24], models: ['auto'], quantiles: true, rng: new RandomSource(3).fork('t') });
    const a = run();
    const b = run();
    expect(Array.from(a.mean)).toEqual(Array.from(b.mean));
    expect(expandModels(['auto'])).toContain(a.model);
    for (let i = 0; i < 48; i++) {
      expect(a.p10![i]).toBeLessThanOrEqual(a.mean[i]);
      expect(a.p90![i]).toBeGreaterThanOrEqual(a.mean[i]);
    }
    expect(Object.keys(a.scores).sort()).toEqual([...expandModels(['auto'])].sort());
  });
  it('a single named model is used as is', () => {
    const f = forecastSeries(s, { horizon: 5, seasons: [24], models: ['seasonal-naive'], rng: new RandomSource(1).fork('t') });
    expect(f.model).toBe('seasonal-naive');
    expect(Array.from(f.mean)).toEqual(Array.from(s.subarray(s.length - 24, s.length - 19)));
  });
});

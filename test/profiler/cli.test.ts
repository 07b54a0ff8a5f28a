import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runForecast } from '../../src/cli/commands/forecast.ts';
import { runAnomalies } from '../../src/cli/commands/anomalies.ts';
import { InputError } from '../../src/model/errors.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kdp-cli-'));
const fixture = new URL('../fixtures/profiler/m4-hourly-head.csv', import.meta.url).pathname;

describe('keycast forecast', () => {
  it('writes id,F1..FH with p10/p90 columns, one row per series in input order', async () => {
    const out = path.join(dir, 'f.csv');
    expect(await runForecast({ input: fixture, horizon: 48, season: '24', models: 'auto', quantiles: true, seed: 1, out })).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const head = lines[0].split(',');
    expect(head.slice(0, 3)).toEqual(['id', 'F1', 'F2']);
    expect(head[48]).toBe('F48');
    expect(head.slice(49, 51)).toEqual(['F1_p10', 'F1_p90']);
    expect(head).toHaveLength(1 + 48 * 3);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['H1', 'H2', 'H3']);
    const first = readFileSync(out, 'utf8');
    await runForecast({ input: fixture, horizon: 48, season: '24', models: 'auto', quantiles: true, seed: 1, out });
    expect(readFileSync(out, 'utf8')).toBe(first);
  });

  it('reads the long format and rejects bad input with FILE:LINE:COL', async () => {
    const long = path.join(dir, 'long.csv');
    writeFileSync(long, 'id,time,value\n' + Array.from({ length: 60 }, (_, i) => `b,${i},${10 + (i % 12)}\na,${i},${i}`).join('\n') + '\n');
    const out = path.join(dir, 'l.csv');
    await runForecast({ input: long, horizon: 3, season: '12', models: 'seasonal-naive,ets', out });
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows.map((r) => r.split(',')[0])).toEqual(['id', 'b', 'a']);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'id,time,value\na,0,1\na,1,zz\n');
    await expect(runForecast({ input: bad, horizon: 3, season: '1', models: 'auto', out })).rejects.toThrow(/bad\.csv:3:5 value: not a number/);
    await expect(runForecast({ input: bad, horizon: 0, season: 'x', models: 'nope', out })).rejects.toBeInstanceOf(InputError);
  });
});

describe('keycast anomalies', () => {
  it('writes timestamp,score,anomaly per input row, and a prefix of the input gives a prefix of the output', async () => {
    const rows = Array.from({ length: 900 }, (_, i) => `2020-01-01T00:00:00Z|${100 + 20 * Math.sin((2 * Math.PI * i) / 288) + (i === 800 ? 400 : 0)}`);
    const stamp = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    const text = 'timestamp,value\n' + rows.map((r, i) => `${stamp(i)},${r.split('|')[1]}`).join('\n') + '\n';
    const full = path.join(dir, 'a.csv');
    const part = path.join(dir, 'p.csv');
    writeFileSync(full, text);
    writeFileSync(part, text.split('\n').slice(0, 701).join('\n') + '\n');
    await runAnomalies({ input: full, out: path.join(dir, 'a.out') });
    await runAnomalies({ input: part, out: path.join(dir, 'p.out') });
    const a = readFileSync(path.join(dir, 'a.out'), 'utf8').trim().split('\n');
    const p = readFileSync(path.join(dir, 'p.out'), 'utf8').trim().split('\n');
    expect(a[0]).toBe('timestamp,score,anomaly');
    expect(a).toHaveLength(901);
    expect(a.slice(0, 701)).toEqual(p);
    expect(a[801].endsWith(',1')).toBe(true);
    await expect(runAnomalies({ input: full, value: 'nope', out: path.join(dir, 'x.out') })).rejects.toThrow(/a\.csv:1:1 nope: no column/);
    // a header alone: nothing to score, bad input, nothing written
    const empty = path.join(dir, 'e.csv');
    writeFileSync(empty, 'timestamp,value\n');
    await expect(runAnomalies({ input: empty, out: path.join(dir, 'e.out') })).rejects.toThrow(/no rows to score/);
    expect(existsSync(path.join(dir, 'e.out'))).toBe(false);
  });
});

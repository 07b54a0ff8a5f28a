import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { forecastReport, runForecast } from '../../src/cli/commands/forecast.ts';
import { nextTimes } from '../../src/profiler/series-csv.ts';

describe('forecast output', () => {
  it('continues the input times at their step, written like the input', () => {
    expect(nextTimes(['2024-01-01 22:00', '2024-01-01 23:00'], 2)).toEqual(['2024-01-02 00:00', '2024-01-02 01:00']);
    expect(nextTimes(['2024-01-01T00:00:00Z', '2024-01-01T00:05:00Z'], 1)).toEqual(['2024-01-01T00:10:00.000Z']);
    expect(nextTimes(['1700000000', '1700000060'], 2)).toEqual(['1700000120', '1700000180']);
    expect(nextTimes(['0', '1'], 1)).toEqual(['2']);
    expect(nextTimes(['x', 'y'], 1)).toBeNull();
    expect(nextTimes(['5', '5'], 1)).toBeNull();
  });

  it('writes the long format with times beside the wide file when the input had times', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-fo-'));
    const input = path.join(dir, 'in.csv');
    const stamp = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    writeFileSync(input, 'id,time,value\n' + Array.from({ length: 48 }, (_, i) => `s,${stamp(i)},${10 + (i % 12)}`).join('\n') + '\n');
    await runForecast({ input, horizon: 2, season: '12', models: 'seasonal-naive', quantiles: true, out: path.join(dir, 'f.csv') });
    const long = readFileSync(path.join(dir, 'f.long.csv'), 'utf8').trim().split('\n');
    expect(long[0]).toBe('id,time,forecast,p10,p90');
    expect(long.slice(1).map((l) => l.split(',').slice(0, 3))).toEqual([
      ['s', '2024-01-03 00:00', '10'],
      ['s', '2024-01-03 01:00', '11'],
    ]);
  });

  it('overwrites only its own files: the input (or any file it did not write) as --out is bad input, unless --force', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-fo-'));
    const input = path.join(dir, 'in.csv');
    const text = 'id,time,value\n' + Array.from({ length: 30 }, (_, i) => `s,${i},${10 + (i % 5)}`).join('\n') + '\n';
    writeFileSync(input, text);
    const args = { input, horizon: 2, season: '5', models: 'seasonal-naive' };
    await expect(runForecast({ ...args, out: input })).rejects.toThrow(/in\.csv is an existing file keycast did not write/);
    expect(readFileSync(input, 'utf8')).toBe(text);
    const out = path.join(dir, 'f.csv');
    await runForecast({ ...args, out });
    await runForecast({ ...args, out }); // its own file again
    writeFileSync(path.join(dir, 'f.long.csv'), 'my notes');
    await expect(runForecast({ ...args, out })).rejects.toThrow(/f\.long\.csv is an existing file keycast did not write/);
    await runForecast({ ...args, out, force: true });
  });

  it('says per series which model was chosen and its backtest error', () => {
    const text = forecastReport([{ id: 'H1', model: 'mstl', smape: 3.75, mase: 0.561 }, { id: 'H2', model: 'ets' }], 'out.csv');
    expect(text).toMatch(/H1\s+mstl\s+3\.75%\s+0\.561/);
    expect(text).toMatch(/H2\s+ets\s+no backtest/);
    expect(text).toMatch(/models chosen: mstl 1, ets 1/);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { forecastReport, runForecast } from '../../src/cli/commands/forecast.ts';
import { nextTimes } from '../../src/profiler/series-csv.ts';
import { InputError } from '../../src/model/errors.ts';

/** A long-format file of one series `a` at times 0..n-1, with `edit` changing the time of some rows. */
function longInput(dir: string, name: string, n: number, edit: (i: number) => string = String): string {
  const f = path.join(dir, name);
  writeFileSync(f, 'id,time,value\n' + Array.from({ length: n }, (_, i) => `a,${edit(i)},${10 + (i % 5)}`).join('\n') + '\n');
  return f;
}

/** The problems of a rejected forecast, one `FILE:LINE:COL field: message` line each. */
async function problemsOf(run: Promise<unknown>): Promise<string[]> {
  const err = await run.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).message.split('\n');
}

describe('forecast output', () => {
  it('continues the input times at their step, written like the input', () => {
    expect(nextTimes(['2024-01-01 22:00', '2024-01-01 23:00'], 2)).toEqual(['2024-01-02 00:00', '2024-01-02 01:00']);
    expect(nextTimes(['2024-01-01T00:00:00Z', '2024-01-01T00:05:00Z'], 1)).toEqual(['2024-01-01T00:10:00.000Z']);
    expect(nextTimes(['1700000000', '1700000060'], 2)).toEqual(['1700000120', '1700000180']);
    expect(nextTimes(['0', '1'], 1)).toEqual(['2']);
    expect(nextTimes(['x', 'y'], 1)).toBeNull();
    expect(nextTimes(['5', '5'], 1)).toBeNull();
    // Every step counts, not just the last one.
    expect(nextTimes(['0', '1', '2', '3.5', '4.5'], 1)).toBeNull();
    expect(nextTimes(['0', '2', '1', '2'], 1)).toBeNull();
    expect(nextTimes(['2024-01-01 00:00', '2024-01-01 01:00', '2024-01-01 02:00'], 1)).toEqual(['2024-01-01 03:00']);
    expect(nextTimes(['0.1', '0.2', '0.3'], 1)).toEqual(['0.4']);
  });

  it('rejects times that do not parse, go back or repeat within a series: exit 2 with every problem, nothing written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-fo-'));
    const args = { horizon: 2, season: '5', models: 'seasonal-naive', out: path.join(dir, 'f.csv') };
    const swapped = longInput(dir, 'swapped.csv', 30, (i) => String(i === 10 ? 11 : i === 11 ? 10 : i));
    expect(await problemsOf(runForecast({ ...args, input: swapped }))).toEqual([
      `${swapped}:13:3 time: '10' is before the time '11' of line 12 (series 'a'): times must increase within a series`,
    ]);
    const dup = longInput(dir, 'dup.csv', 30, (i) => String(i === 20 ? 19 : i));
    expect(await problemsOf(runForecast({ ...args, input: dup }))).toEqual([
      `${dup}:22:3 time: '19' repeats the time of line 21 (series 'a'): times must increase within a series`,
    ]);
    // Every problem at once: a time that is not one, one that goes back, a value that is not a number.
    const many = longInput(dir, 'many.csv', 30, (i) => (i === 4 ? 'foo' : i === 25 ? '3' : String(i)));
    writeFileSync(many, readFileSync(many, 'utf8').replace('\na,7,12\n', '\na,7,zz\n'));
    expect(await problemsOf(runForecast({ ...args, input: many }))).toEqual([
      `${many}:6:3 time: not a time: 'foo' (expected an ISO date-time, or epoch seconds or ms)`,
      `${many}:9:5 value: not a number: 'zz'`,
      `${many}:27:3 time: '3' is before the time '24' of line 26 (series 'a'): times must increase within a series`,
    ]);
    // Series are checked apart: each may start again at its own first time.
    const two = path.join(dir, 'two.csv');
    writeFileSync(two, 'id,time,value\n' + Array.from({ length: 20 }, (_, i) => `a,${i},${i}\nb,${i},${i}`).join('\n') + '\n');
    expect(await runForecast({ ...args, input: two })).toBe(0);
    expect(existsSync(path.join(dir, 'f.long.csv'))).toBe(true);
    // Capped: the first 50 problems and a line counting the rest.
    const lots = longInput(dir, 'lots.csv', 80, (i) => (i < 70 ? `x${i}` : String(i)));
    const lines = await problemsOf(runForecast({ ...args, input: lots, out: path.join(dir, 'g.csv') }));
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe(`${lots}: … and 20 more problem(s) not shown`);
    expect(existsSync(path.join(dir, 'g.csv')) || existsSync(path.join(dir, 'g.long.csv'))).toBe(false);
  });

  it('forecasts a series with increasing but uneven times, without the .long.csv (written for regular times only)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-fo-'));
    const input = longInput(dir, 'uneven.csv', 30, (i) => String(i === 28 ? 27.5 : i));
    let said = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((x: string | Uint8Array) => ((said += String(x)), true));
    try {
      expect(await runForecast({ input, horizon: 2, season: '5', models: 'seasonal-naive', out: path.join(dir, 'f.csv') })).toBe(0);
    } finally {
      o.mockRestore();
    }
    expect(readFileSync(path.join(dir, 'f.csv'), 'utf8').split('\n')[0]).toBe('id,F1,F2');
    expect(existsSync(path.join(dir, 'f.long.csv'))).toBe(false);
    expect(said).toContain(`no ${path.join(dir, 'f.long.csv')}: series 'a' (line 2) has unevenly spaced times`);
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

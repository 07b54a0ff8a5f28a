/**
 * `keycast report DIR` checks the run folder it re-renders: every file the run wrote (its
 * `.keycast-output` list) must still be there and every row it reads must parse, else exit 2 with
 * one `FILE:LINE:COL field: message` line per problem and nothing written; a file the run did not
 * write (no plans for a static policy) is no problem, and an intact folder re-renders byte for byte.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kcInProcess } from '../fixtures/in-process.ts';

const ROOT = path.join(__dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
process.env.CI = '1';
const PREDICTIVE = 'policies.predictive={kind: predictive, every: 5m, horizon: 30m, window: 5m, iterations: 300, models: [seasonal-naive]}';

const kc = (args: string[]) => kcInProcess(args);

let base = '';
let pristine = '';
beforeAll(async () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-rerender-'));
  base = path.join(d, 'run');
  const r = await kc(['run', TINY, '--out', base, '--workers', '1', '--set', 'duration=20m', '--set', 'warmup=5m', '--set', PREDICTIVE]);
  expect(r.code).toBe(0);
  pristine = fs.readFileSync(path.join(base, 'index.html'), 'utf8');
}, 60_000);

let copies = 0;
/** A fresh copy of the run folder, its pages replaced by a sentinel (to see that nothing is written). */
function copy(sentinel = true): string {
  const d = `${base}-${++copies}`;
  fs.cpSync(base, d, { recursive: true });
  if (sentinel) for (const p of ['index.html', 'summary.md']) fs.writeFileSync(path.join(d, p), 'untouched');
  return d;
}

/** Rewrites line `n` (1-based) of a file. */
function editLine(file: string, n: number, edit: (line: string) => string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines[n - 1] = edit(lines[n - 1]);
  fs.writeFileSync(file, lines.join('\n'));
}

/** Expects exit 2 with exactly `expected` problem lines (strings or patterns), and nothing written. */
async function expectRejected(dir: string, expected: (string | RegExp)[]): Promise<void> {
  const r = await kc(['report', dir]);
  expect(r.code).toBe(2);
  const lines = r.err.trim().split('\n');
  expect(lines).toHaveLength(expected.length);
  expected.forEach((e, i) => (typeof e === 'string' ? expect(lines[i]).toBe(e) : expect(lines[i]).toMatch(e)));
  expect(r.err).not.toMatch(/\n\s+at /);
  for (const p of ['index.html', 'summary.md']) expect(fs.readFileSync(path.join(dir, p), 'utf8')).toBe('untouched');
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

describe('keycast report on a damaged run folder', () => {
  it('re-renders an intact folder byte for byte; a file the run did not write is no problem', async () => {
    const d = copy(false);
    expect(fs.existsSync(path.join(d, 'static/plans.jsonl'))).toBe(false);
    fs.rmSync(path.join(d, 'index.html'));
    expect((await kc(['report', d])).code).toBe(0);
    expect(fs.readFileSync(path.join(d, 'index.html'), 'utf8')).toBe(pristine);
    expect(fs.readFileSync(path.join(d, 'summary.md'), 'utf8')).toBe(fs.readFileSync(path.join(base, 'summary.md'), 'utf8'));
  });

  it('names each file the run wrote that is gone', async () => {
    const gone = ['latency.csv', 'predictive/operations.csv', 'predictive/nodes.csv', 'predictive/partitions.csv', 'timeseries.csv', 'predictive/forecast.csv', 'predictive/plans.jsonl'];
    for (const rel of gone) {
      const d = copy();
      fs.rmSync(path.join(d, rel));
      await expectRejected(d, [`${path.join(d, rel)}: missing: the run wrote it (listed in .keycast-output); re-run to get it back`]);
    }
    // A whole policy folder: each of its files, once.
    const d = copy();
    fs.rmSync(path.join(d, 'threshold'), { recursive: true });
    await expectRejected(d, ['nodes.csv', 'operations.csv', 'partitions.csv', 'timeseries.csv'].map((f) => `${path.join(d, 'threshold', f)}: missing: the run wrote it (listed in .keycast-output); re-run to get it back`));
  });

  it('names every corrupt row at once with its file, line and field', async () => {
    const d = copy();
    const f = (rel: string) => path.join(d, rel);
    editLine(f('latency.csv'), 5, (l) => l.replace(/,[^,]*$/, ',abc'));
    editLine(f('predictive/operations.csv'), 3, (l) => l.replace(/^\d+/, 'x1'));
    editLine(f('predictive/forecast.csv'), 4, (l) => l.replace(/^\d+/, 'soon'));
    editLine(f('predictive/nodes.csv'), 6, (l) => l.replace(/,[^,]*$/, ''));
    editLine(f('predictive/plans.jsonl'), 2, () => '{not json');
    editLine(f('predictive/timeseries.csv'), 3, (l) => l.replace(/^\d+,\d+/, (m) => `${m.split(',')[0]},`));
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expectRejected(d, [
      `${f('predictive/timeseries.csv')}:3:${fs.readFileSync(f('predictive/timeseries.csv'), 'utf8').split('\n')[2].indexOf(',') + 2} records: not a number: ''`,
      new RegExp(`^${esc(f('latency.csv'))}:5:\\d+ shareAtOrBelow: not a number: 'abc'$`),
      `${f('predictive/nodes.csv')}:6:1 expected 7 fields (timeMs,node,rate,utilization,partitions,backlog,up), found 6`,
      `${f('predictive/operations.csv')}:3:1 timeMs: not a number: 'x1'`,
      `${f('predictive/forecast.csv')}:4:1 timeMs: not a number: 'soon'`,
      new RegExp(`^${esc(f('predictive/plans.jsonl'))}:2:1 not valid JSON \\(.+\\)$`),
    ]);
  });

  it('without a list in the marker (a folder from before), a data file that is gone is not required', async () => {
    const d = copy(false);
    fs.writeFileSync(path.join(d, '.keycast-output'), 'This folder was written by keycast; the next run writing here replaces it whole.\n');
    fs.rmSync(path.join(d, 'predictive/plans.jsonl'));
    expect((await kc(['report', d])).code).toBe(0);
  });
});

/**
 * The values of a scenario's `sweep.grid`, checked through `main` as a user would type the
 * commands: `validate` reports a bad grid value as `sweep` does (exit 2, the grid field's line);
 * both report every bad value at once, once each; a sharded sweep refuses a bad value of another
 * shard's points too; a grid the command line set is reported as the flag's problem; and a sweep
 * refused for its grid writes nothing.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kcInProcess } from '../fixtures/in-process.ts';

const TINY = path.join(__dirname, '../fixtures/tiny.yaml');
// Progress bars off, as in CI.
process.env.CI = '1';

const kc = (args: string[]) => kcInProcess(args);

/** tiny.yaml (24 lines) with a sweep section whose grid entries start at line 28; returns its path and a fresh folder. */
function scenario(grid: string[], seeds = 2): { d: string; f: string } {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-grid-'));
  const f = path.join(d, 'S.yaml');
  fs.writeFileSync(f, `${fs.readFileSync(TINY, 'utf8')}sweep:\n  seeds: ${seeds}\n  grid:\n${grid.map((g) => `    ${g}\n`).join('')}`);
  return { d, f };
}

const SHORT = ['--set', 'duration=20m', '--set', 'warmup=5m'];

describe('sweep grid values', () => {
  it('validate reports every bad grid value, at its grid field, as sweep does; sweep writes nothing', async () => {
    const { d, f } = scenario(['policies.threshold.highWater: [0.7, 0.9]', 'cluster.nodes: [3, -4]', 'nosuch.field: [1]']);
    const expected = `${f}:29:5 sweep.grid.cluster.nodes: value -4: must be greater than 0\n${f}:30:5 sweep.grid.nosuch.field: value 1: unknown field\n`;
    const v = await kc(['validate', f]);
    expect(v).toEqual({ code: 2, out: '', err: expected });
    const out = path.join(d, 'out');
    const s = await kc(['sweep', f, '--workers', '1', '--out', out]);
    expect(s).toEqual({ code: 2, out: '', err: expected });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('reports problems of two grid fields together, each once, whichever point they are in', async () => {
    const { d, f } = scenario(['cluster.nodes: [3, -4]', 'cluster.nodeCapacity: [abc, 1500]']);
    const expected = [
      `${f}:28:5 sweep.grid.cluster.nodes: value -4: must be greater than 0`,
      `${f}:29:5 sweep.grid.cluster.nodeCapacity: value "abc": should be a number, not 'abc'`,
      '',
    ].join('\n');
    expect((await kc(['validate', f])).err).toBe(expected);
    expect((await kc(['sweep', f, '--workers', '1', '--out', path.join(d, 'out')])).err).toBe(expected);
    // Shard 1 of 2 runs only the point with 3 nodes (seeds 1): it refuses the grid all the same.
    const { d: d1, f: f1 } = scenario(['cluster.nodes: [3, -4]'], 1);
    const shard = await kc(['sweep', f1, '--workers', '1', '--shard', '1/2', '--out', path.join(d1, 'out')]);
    expect(shard).toEqual({ code: 2, out: '', err: `${f1}:28:5 sweep.grid.cluster.nodes: value -4: must be greater than 0\n` });
    expect(fs.existsSync(path.join(d1, 'out'))).toBe(false);
  });

  it('reports a grid value the command line set as a flag problem; a file value stays at its line', async () => {
    const { d, f } = scenario(['cluster.nodes: [3]', 'warmup: [-1m, 5m]']);
    const bad = `${f}:29:5 sweep.grid.warmup: value "-1m": not a duration: use a number with a unit ms, s, m, h or d (e.g. 90s, 1d6h, 1.5h)`;
    const whole = `sweep.grid={cluster.nodes: [0, 2]}`;
    expect((await kc(['validate', f, '--set', whole])).err).toBe(`<cli>: --set ${whole}: sweep.grid.cluster.nodes: value 0: must be greater than 0\n`);
    expect((await kc(['sweep', f, '--workers', '1', '--set', whole, '--out', path.join(d, 'out')])).err).toBe(
      `<cli>: --set ${whole}: sweep.grid.cluster.nodes: value 0: must be greater than 0\n`,
    );
    // One entry set by the flag (either index form): that value is the flag's, the file's other bad value the file's.
    for (const entry of ['sweep.grid.warmup[1]=bogus', 'sweep.grid.warmup.1=bogus']) {
      const r = await kc(['validate', f, '--set', entry]);
      expect(r.err).toBe(`<cli>: --set ${entry}: sweep.grid.warmup: value "bogus": not a duration: use a number with a unit ms, s, m, h or d (e.g. 90s, 1d6h, 1.5h)\n${bad}\n`);
    }
    // A set elsewhere in the sweep section leaves the grid's values the file's.
    expect((await kc(['validate', f, '--set', 'sweep.seeds=3'])).err).toBe(`${bad}\n`);
    // The flag fixing the file's bad value makes the file good.
    expect(await kc(['validate', f, '--set', 'sweep.grid.warmup.0=2m'])).toEqual({ code: 0, out: `ok  ${f} (tiny; policies: static, threshold)\n`, err: '' });
  });

  it('reports a bad output folder and bad grid values together', async () => {
    const { d, f } = scenario(['cluster.nodes: [3, -4]']);
    const out = path.join(d, 'mine');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const r = await kc(['sweep', f, '--workers', '1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      `<cli>: --out: ${out} is a folder that is not a keycast output (1 entry: notes.txt): refusing to replace it (name a new or empty folder, or a previous keycast output; --force replaces anything)`,
      `${f}:28:5 sweep.grid.cluster.nodes: value -4: must be greater than 0`,
    ]);
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
  });

  it('a --set on a field the grid sets at every point is refused, not silently overwritten', async () => {
    const { d, f } = scenario(['cluster.nodes: [3, 4]'], 1);
    for (const cmd of ['validate', 'sweep']) {
      const r = await kc([cmd, f, '--set', 'cluster.nodes=5', ...(cmd === 'sweep' ? ['--workers', '1', '--out', path.join(d, 'out')] : [])]);
      expect(r.code, cmd).toBe(2);
      expect(r.err, cmd).toBe('<cli>: --set cluster.nodes=5: the sweep grid sets cluster.nodes at every point, over this value: drop the --set or the grid field\n');
    }
    expect(fs.existsSync(path.join(d, 'out'))).toBe(false);
    expect((await kc(['validate', f, '--set', 'cluster.nodeCapacity=500'])).code).toBe(0); // another field is fine
  });

  it('a good grid still validates and sweeps as before', async () => {
    const { d, f } = scenario(['cluster.nodes: [3, 4]'], 1);
    expect(await kc(['validate', f])).toEqual({ code: 0, out: `ok  ${f} (tiny; policies: static, threshold)\n`, err: '' });
    const r = await kc(['sweep', f, ...SHORT, '--workers', '1', '--out', path.join(d, 'out')]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const rows = fs.readFileSync(path.join(d, 'out', 'results.csv'), 'utf8').trim().split('\n');
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['0,3,5,static', '0,3,5,threshold', '1,4,5,static', '1,4,5,threshold']);
  });
});

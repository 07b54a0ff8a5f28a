/**
 * bin/keycast runs the CLI from one esbuild bundle held in memory (and hands the lane worker its
 * module from the same pass); with KEYCAST_DEBUG it runs the sources through tsx. Both must be
 * the same program: same version, same results, same files, the same lanes in worker threads.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/keycast');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');

function kc(args: string[], debug: boolean, cwd = ROOT) {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
  if (debug) env.KEYCAST_DEBUG = '1';
  else delete env.KEYCAST_DEBUG;
  const r = spawnSync(BIN, args, { cwd, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const noWall = (text: string) => JSON.stringify(JSON.parse(text), (k, v) => (/wallMs$/i.test(k) ? undefined : v));

describe('bin/keycast: the bundled CLI and the sources through tsx', () => {
  it('report the package version (files found next to a bundled module)', () => {
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'));
    expect(kc(['--version'], false, other).out.trim()).toBe(version);
    expect(kc(['--version'], true, other).out.trim()).toBe(version);
  });

  it('run lanes in two threads to the same summary and files', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'));
    const a = kc(['run', TINY, '--workers', '2', '--out', path.join(d, 'bundled')], false);
    const b = kc(['run', TINY, '--workers', '2', '--out', path.join(d, 'sources')], true);
    expect(a.err).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    // Two lanes (static, threshold) in two threads: the second in the worker module handed over.
    for (const r of [a, b]) expect(r.out).toContain('(the lanes ran in 2 threads)');
    const summary = (dir: string) => noWall(fs.readFileSync(path.join(d, dir, 'summary.json'), 'utf8'));
    expect(summary('bundled')).toBe(summary('sources'));
    for (const f of ['static/timeseries.csv', 'threshold/timeseries.csv', 'threshold/operations.csv']) {
      expect(fs.readFileSync(path.join(d, 'bundled', f), 'utf8'), f).toBe(fs.readFileSync(path.join(d, 'sources', f), 'utf8'));
    }
  });

  it('find a bundled scenario by name from any folder', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'));
    const r = kc(['validate', 'follow-the-sun'], false, other);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});

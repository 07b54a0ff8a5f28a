/**
 * bin/keycast runs the CLI from an esbuild build of the sources cached in the user's cache folder
 * (or, where that cannot be written, one bundle held in memory) and
 * hands the lane worker its module from the same build; with KEYCAST_SOURCES it runs the sources
 * through tsx. All must be the same program: same version, same results, same files, the same
 * lanes in worker threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, cliEnv, noWall, ROOT, runKeycast, TINY } from '../fixtures/cli.ts';

/**
 * Runs bin/keycast (or `bin`); `sources`: through tsx; `debug`: the launcher says which way it
 * ran; `cache`: its cache folder's parent (XDG_CACHE_HOME).
 */
function kc(args: string[], sources: boolean, cwd = ROOT, bin = BIN, debug = false, cache?: string) {
  const env = { KEYCAST_DEBUG: debug ? '1' : undefined, KEYCAST_SOURCES: sources ? '1' : undefined, ...(cache ? { XDG_CACHE_HOME: cache } : {}) };
  return runKeycast(args, { cwd, bin, env });
}

const copies: string[] = [];
afterAll(() => {
  for (const d of copies) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of the package (its launcher, sources and settings; packages linked) to build apart, with `cache/` beside it. */
function packageCopy(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-package-'));
  copies.push(d);
  for (const f of ['bin', 'src', 'package.json', 'tsconfig.json']) fs.cpSync(path.join(ROOT, f), path.join(d, f), { recursive: true });
  fs.mkdirSync(path.join(d, 'node_modules'));
  for (const p of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (p !== '.cache') fs.symlinkSync(path.join(ROOT, 'node_modules', p), path.join(d, 'node_modules', p));
  }
  fs.mkdirSync(path.join(d, 'cache'));
  return d;
}
const builds = (pkg: string) => fs.readdirSync(path.join(pkg, 'cache/keycast')).filter((n) => !n.startsWith('.')).sort();

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

  it('run other seeds in task threads from the build, to the same summary', () => {
    const args = ['run', TINY, '--seeds', '3', '--workers', '2', '--set', 'duration=20m', '--set', 'warmup=5m', '--json', '--out'];
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'));
    const a = kc([...args, path.join(d, 'bundled')], false);
    const b = kc([...args, path.join(d, 'sources')], true);
    expect(a.err).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(JSON.parse(a.out).seeds.seeds).toEqual([5, 6, 7]);
    expect(noWall(a.out)).toBe(noWall(b.out));
  });

  it('find a bundled scenario by name from any folder', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'));
    const r = kc(['validate', 'follow-the-sun'], false, other);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('build once per state of the sources, and drop builds unused for a day', () => {
    const pkg = packageCopy();
    const bin = path.join(pkg, 'bin/keycast');
    const cache = path.join(pkg, 'cache');
    const run = () => kc(['run', TINY, '--workers', '2', '--json', '--out', fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'))], false, pkg, bin, false, cache);
    const first = run();
    expect(first.code).toBe(0);
    expect(kc(['--version'], false, pkg, bin, true, cache).err).toBe(`keycast: running the build cached in ${path.join(cache, 'keycast')}\n`);
    const [one] = builds(pkg);
    expect(builds(pkg)).toEqual([one]);
    expect(noWall(run().out)).toBe(noWall(first.out));
    expect(builds(pkg)).toEqual([one]); // used again, not rebuilt
    // A package that no longer resolves to the file the build names: built again, in place.
    const done = path.join(cache, 'keycast', one, 'complete');
    const resolved = JSON.parse(fs.readFileSync(done, 'utf8')) as Record<string, string>;
    expect(resolved.rxjs).toMatch(/^file:.*\/node_modules\/rxjs\//);
    fs.writeFileSync(done, JSON.stringify({ ...resolved, rxjs: 'file:///moved/rxjs/index.js' }));
    expect(noWall(run().out)).toBe(noWall(first.out));
    expect(JSON.parse(fs.readFileSync(done, 'utf8'))).toEqual(resolved);
    expect(builds(pkg)).toEqual([one]);
    // A changed source is a new build; the old one stays while it was used within the day.
    fs.appendFileSync(path.join(pkg, 'src/cli/exit-codes.ts'), '\n// changed\n');
    expect(kc(['--version'], false, pkg, bin, false, cache).code).toBe(0);
    const two = builds(pkg).filter((n) => n !== one);
    expect(two).toHaveLength(1);
    expect(builds(pkg)).toContain(one);
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    fs.utimesSync(path.join(cache, 'keycast', one, 'complete'), dayAgo, dayAgo);
    fs.appendFileSync(path.join(pkg, 'src/cli/exit-codes.ts'), '// changed again\n');
    expect(kc(['--version'], false, pkg, bin, false, cache).code).toBe(0);
    const now = builds(pkg);
    expect(now).not.toContain(one);
    expect(now).toContain(two[0]);
    expect(now).toHaveLength(2);
    // Nothing written into the package.
    expect(fs.existsSync(path.join(pkg, 'node_modules/.cache'))).toBe(false);
  });

  it('processes started together on an empty cache all run, and leave one build', async () => {
    const pkg = packageCopy();
    const env = cliEnv({ XDG_CACHE_HOME: path.join(pkg, 'cache') });
    const one = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(path.join(pkg, 'bin/keycast'), ['validate', TINY], { cwd: pkg, env });
        let out = '';
        p.stdout.on('data', (b: Buffer) => (out += b.toString()));
        p.stderr.on('data', (b: Buffer) => (out += b.toString()));
        p.on('close', (code) => resolve({ code, out }));
      });
    const all = await Promise.all([one(), one(), one(), one()]);
    expect(all.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(builds(pkg)).toHaveLength(1);
    expect(fs.readdirSync(path.join(pkg, 'cache/keycast')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('where the cache cannot be written, run from a bundle held in memory with the same results', () => {
    const pkg = packageCopy();
    fs.writeFileSync(path.join(pkg, 'cache/keycast'), 'not a folder');
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-launch-'));
    const a = kc(['run', TINY, '--workers', '2', '--out', path.join(d, 'memory')], false, pkg, path.join(pkg, 'bin/keycast'), true, path.join(pkg, 'cache'));
    expect(a.err).toMatch(/^keycast: cannot use the build cached in .*\nkeycast: running a bundle held in memory\n$/);
    expect(a.code).toBe(0);
    expect(a.out).toContain('(the lanes ran in 2 threads)');
    const b = kc(['run', TINY, '--workers', '2', '--out', path.join(d, 'sources')], true);
    const summary = (dir: string) => noWall(fs.readFileSync(path.join(d, dir, 'summary.json'), 'utf8'));
    expect(summary('memory')).toBe(summary('sources'));
    expect(fs.readFileSync(path.join(pkg, 'cache/keycast'), 'utf8')).toBe('not a folder');
  });
});

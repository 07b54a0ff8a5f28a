/**
 * The CLI's edges where a user could lose data or get a crash, each through `main` as a user
 * would type it: output folders that are not keycast's are refused (never deleted), nor are
 * keycast folders the user has put files in or output files keycast did not write, a repeated
 * single-valued flag, a YAML alias without its anchor among many files, `--seed` with
 * `--set seed`, flag problems reported as flag problems, expectations naming undefined policies,
 * `--policies` subsets that skip expectations, and independent problems reported together.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OUTPUT_MARKER, isKeycastOutput } from '../../src/io/atomic-dir.ts';
import { SMALL } from '../fixtures/cli.ts';
import { kcInProcess } from '../fixtures/in-process.ts';

const kc = kcInProcess;

function setup(): { d: string; scen: string } {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-edges-'));
  const scen = path.join(d, 'small.yaml');
  fs.writeFileSync(scen, SMALL);
  return { d, scen };
}

/** A user's folder and a user's file that no command may destroy. */
function userFiles(d: string): { folder: string; file: string; intact: () => void } {
  const folder = path.join(d, 'thesis');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'thesis.tex'), '\\documentclass{article}');
  const file = path.join(d, 'notes.txt');
  fs.writeFileSync(file, 'my notes');
  return {
    folder,
    file,
    intact: () => {
      expect(fs.readFileSync(path.join(folder, 'thesis.tex'), 'utf8')).toBe('\\documentclass{article}');
      expect(fs.readdirSync(folder)).toEqual(['thesis.tex']);
      expect(fs.readFileSync(file, 'utf8')).toBe('my notes');
    },
  };
}

describe('--out never destroys what is not a keycast output', () => {
  afterEach(() => vi.restoreAllMocks());

  it('run refuses a foreign folder and a file (exit 2, one line naming --out, nothing written), before simulating', async () => {
    const { d, scen } = setup();
    const u = userFiles(d);
    for (const target of [u.folder, u.file]) {
      const r = await kc(['run', scen, '--out', target]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^<cli>: --out: .* refusing to replace it .*--force/);
      expect(r.out).toBe(''); // nothing ran
    }
    u.intact();
    expect(fs.readdirSync(d).filter((f) => f.startsWith('.'))).toEqual([]); // no temporary folder left
  });

  it('run writes into a new or empty folder and over its own earlier report, marked as keycast output', async () => {
    const { d, scen } = setup();
    const empty = path.join(d, 'empty');
    fs.mkdirSync(empty);
    expect((await kc(['run', scen, '--out', empty])).code).toBe(0);
    expect(fs.existsSync(path.join(empty, OUTPUT_MARKER))).toBe(true);
    expect(fs.existsSync(path.join(empty, 'summary.json'))).toBe(true);
    expect((await kc(['run', scen, '--out', empty])).code).toBe(0); // a previous report is replaced
    expect((await kc(['run', scen, '--out', path.join(d, 'new/deeper')])).code).toBe(0);
    // A report written before the marker existed (summary.json with keycastVersion) is replaced too.
    fs.rmSync(path.join(empty, OUTPUT_MARKER));
    expect(isKeycastOutput(empty)).toBe(true);
    expect((await kc(['run', scen, '--out', empty])).code).toBe(0);
  });

  it('--force replaces a foreign folder or a file', async () => {
    const { d, scen } = setup();
    const u = userFiles(d);
    expect((await kc(['run', scen, '--out', u.folder, '--force'])).code).toBe(0);
    expect(fs.existsSync(path.join(u.folder, 'thesis.tex'))).toBe(false);
    expect((await kc(['run', scen, '--out', u.file, '--force'])).code).toBe(0);
    expect(fs.statSync(u.file).isDirectory()).toBe(true);
  });

  it('sweep, merge, capacity and check --out refuse the same way', async () => {
    const { d, scen } = setup();
    const u = userFiles(d);
    const shard = path.join(d, 'shard');
    fs.mkdirSync(shard);
    fs.writeFileSync(path.join(shard, 'sweep.json'), '{"sweepId":"x"}');
    const commands = [
      ['sweep', scen, '--workers', '1'],
      ['merge', shard],
      ['capacity', scen, '--nodes', '1..2'],
      ['check', scen],
    ];
    for (const c of commands) {
      for (const target of [u.folder, u.file]) {
        const r = await kc([...c, '--out', target]);
        expect(r.code, c[0]).toBe(2);
        expect(r.err, c[0]).toMatch(/^<cli>: --out: .* refusing to replace it/);
      }
    }
    u.intact();
  });

  it('check --out writes a keycast folder of reports and accepts it again', async () => {
    const { d, scen } = setup();
    const out = path.join(d, 'checks');
    expect((await kc(['check', scen, '--out', out])).code).toBe(0);
    expect(fs.existsSync(path.join(out, OUTPUT_MARKER))).toBe(true);
    expect(fs.existsSync(path.join(out, 'small/summary.json'))).toBe(true);
    expect((await kc(['check', scen, '--out', out])).code).toBe(0);
    // Two scenarios with one name would write one folder, the second's report over the first's: refused before running.
    const twin = path.join(d, 'twin.yaml');
    fs.copyFileSync(scen, twin);
    const r = await kc(['check', scen, twin, '--out', path.join(d, 'twins')]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`${twin}: name: 'small' is also the name of ${scen}: with --out both reports would go to ${path.join(d, 'twins', 'small')}`);
    expect(fs.existsSync(path.join(d, 'twins'))).toBe(false);
    expect((await kc(['check', scen, twin])).code).toBe(0); // without --out nothing is overwritten
  });

  it("a report folder holding the user's own files, someone's file as --junit or generate --out, merge over its own shard and an empty --policies are refused", async () => {
    const { d, scen } = setup();
    const rep = path.join(d, 'rep');
    expect((await kc(['run', scen, '--out', rep])).code).toBe(0);
    fs.copyFileSync(scen, path.join(rep, 'my-scenario.yaml')); // the scenario kept beside its report
    let r = await kc(['run', path.join(rep, 'my-scenario.yaml'), '--out', rep]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^<cli>: --out: .*1 entry keycast did not write \(my-scenario\.yaml\)/);
    expect(fs.readFileSync(path.join(rep, 'my-scenario.yaml'), 'utf8')).toBe(SMALL);
    const u = userFiles(d);
    r = await kc(['check', scen, '--junit', u.file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^<cli>: --junit: .*notes\.txt is an existing file keycast did not write/);
    expect(r.out).toBe(''); // refused before anything ran
    r = await kc(['generate', scen, '--format', 'counts', '--out', u.file]);
    expect(r.code).toBe(2);
    u.intact();
    const junit = path.join(d, 'j.xml');
    expect((await kc(['check', scen, '--junit', junit])).code).toBe(0);
    expect((await kc(['check', scen, '--junit', junit])).code).toBe(0); // its own file is replaced
    const shard = path.join(d, 'shard');
    fs.mkdirSync(shard);
    fs.writeFileSync(path.join(shard, 'sweep.json'), '{"sweepId":"x"}');
    r = await kc(['merge', shard, '--out', shard, '--force']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is or holds .*shard, a shard being merged/);
    r = await kc(['merge', shard, '--out', d, '--force']); // the folder holding the shard
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(shard, 'sweep.json'))).toBe(true);
    // check --out: a scenario's report folder holding a user's file stops the check before it runs
    const checks = path.join(d, 'checks');
    expect((await kc(['check', scen, '--out', checks])).code).toBe(0);
    fs.writeFileSync(path.join(checks, 'small', 'mine.txt'), 'mine');
    r = await kc(['check', scen, '--out', checks]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/small is a keycast output that now holds 1 entry keycast did not write \(mine\.txt\)/);
    // and a run may not replace the folder of checks whole
    fs.rmSync(path.join(checks, 'small', 'mine.txt'));
    r = await kc(['run', scen, '--out', checks]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds keycast outputs in its subfolders/);
    r = await kc(['run', scen, '--policies', '', '--out', path.join(d, 'none')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^<cli>: --policies: names no policy/);
    expect(fs.existsSync(path.join(d, 'none'))).toBe(false);
    // a --redis address where no cluster answers: bad input naming the flag, nothing written (not an internal error)
    r = await kc(['live', scen, '--redis', '127.0.0.1:1', '--wall', '2s', '--policies', 'static', '--out', path.join(d, 'live')]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^<cli>: --redis: no Redis Cluster node answered \(127\.0\.0\.1:1: /);
    expect(fs.existsSync(path.join(d, 'live'))).toBe(false);
    // a value outside a flag's choices: one line, its heading kept
    r = await kc(['generate', scen, '--format', 'rows']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual(['<cli>: Invalid values: Argument: format, Given: "rows", Choices: "records", "counts" (see keycast --help)']);
    // every bad flag at once, not one per try
    r = await kc(['run', scen, '--seeds', '0', '--workers', '0', '--policies', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      "<cli>: workers: must be a whole number ≥ 1, got '0'",
      "<cli>: --seeds: must be a whole number from 1 to 1000, got '0'",
      "<cli>: --policies: no policy 'nope' in the scenario (policies: static, threshold, calm)",
    ]);
  });

  it('recognises older outputs by their files, and nothing else', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-mark-'));
    const mk = (name: string, file: string, text: string) => {
      fs.mkdirSync(path.join(d, name), { recursive: true });
      fs.writeFileSync(path.join(d, name, file), text);
      return path.join(d, name);
    };
    expect(isKeycastOutput(mk('run', 'summary.json', '{"keycastVersion":"0.1.0"}'))).toBe(true);
    expect(isKeycastOutput(mk('sweep', 'sweep.json', '{"sweepId":"ab"}'))).toBe(true);
    expect(isKeycastOutput(mk('cap', 'capacity.json', '{"points":[]}'))).toBe(true);
    expect(isKeycastOutput(mk('other', 'summary.json', '{"total":3}'))).toBe(false);
    expect(isKeycastOutput(mk('broken', 'summary.json', '{'))).toBe(false);
    // a check --out folder of older reports: every entry is one
    fs.mkdirSync(path.join(d, 'checks'));
    fs.renameSync(path.join(d, 'run'), path.join(d, 'checks/run'));
    expect(isKeycastOutput(path.join(d, 'checks'))).toBe(true);
    fs.writeFileSync(path.join(d, 'checks/mine.txt'), 'x');
    expect(isKeycastOutput(path.join(d, 'checks'))).toBe(false);
  });
});

describe('flags, YAML and expectations at the edges', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a single-valued flag given twice is exit 2 naming it', async () => {
    const { d, scen } = setup();
    const r = await kc(['run', scen, '--out', path.join(d, 'a'), '--out', path.join(d, 'b')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^<cli>: --out: given 2 times/);
    expect(fs.existsSync(path.join(d, 'a')) || fs.existsSync(path.join(d, 'b'))).toBe(false);
    const s = await kc(['validate', scen, '--set', 'seed=1', '--set', 'duration=1h']); // --set repeats by design
    expect(s.code).toBe(0);
  });

  it('an alias to a missing anchor is exit 2 at its FILE:LINE:COL, and validate goes on with the other files', async () => {
    const { d, scen } = setup();
    const bad = path.join(d, 'bad.yaml');
    fs.writeFileSync(bad, SMALL.replace('nodeCapacity: 400', 'nodeCapacity: *alias'));
    const r = await kc(['validate', bad, scen]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${bad}:10:36 YAML: alias *alias names no anchor &alias defined before it\n`);
    expect(r.out).toMatch(/^ok {2}.*small\.yaml/);
    const run = await kc(['run', bad, '--out', path.join(d, 'o')]);
    expect(run.code).toBe(2);
  });

  it('--seed with --set seed is refused; flag values are reported as flag problems', async () => {
    const { scen } = setup();
    expect((await kc(['validate', scen, '--set', 'seed=9'])).code).toBe(0); // either alone is fine
    const r = await kc(['run', scen, '--seed', '5', '--set', 'seed=9', '--out', os.tmpdir() + '/never']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('<cli>: --seed: and --set seed=9 both set the seed: give one\n');
    const bad = await kc(['validate', scen, '--set', 'seed=-1', '--set', 'cluster.nodes=abc']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n').sort()).toEqual([
      "<cli>: --set cluster.nodes=abc: cluster.nodes: should be a number, not 'abc'",
      '<cli>: --set seed=-1: seed: must be at least 0',
    ]);
    // the last --set on a path is the one that counts, and the one named
    const twice = await kc(['validate', scen, '--set', 'cluster.nodes=5', '--set', 'cluster.nodes=-1']);
    expect(twice.err.trim()).toBe('<cli>: --set cluster.nodes=-1: cluster.nodes: must be greater than 0');
    const huge = await kc(['run', scen, '--seed', String(2 ** 60), '--out', os.tmpdir() + '/never']);
    expect(huge.code).toBe(2);
    expect(huge.err).toMatch(/^<cli>: --seed/);
  });

  it('an expectation naming an undefined policy fails validate at its line', async () => {
    const { d } = setup();
    const f = path.join(d, 'ghost.yaml');
    fs.writeFileSync(f, SMALL.replace('  - static.records > 0', '  - static.records > 0\n  - ghost.records > static.records'));
    const r = await kc(['validate', f]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${f}:17:5 expect[1]: no policy 'ghost' in the scenario (policies: static, threshold, calm)\n`);
  });

  it('--policies skips the expectations that need a policy not run, and says so', async () => {
    const { d, scen } = setup();
    const out = path.join(d, 'only-static');
    const r = await kc(['run', scen, '--policies', 'static', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("keycast: expectation 'threshold.p99LatencyMs <= static.p99LatencyMs * 10' skipped: it needs threshold, not run (--policies)\n");
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(s.expectations.map((e: { expr: string }) => e.expr)).toEqual(['static.records > 0']);
    expect(s.skippedExpectations).toEqual([{ expr: 'threshold.p99LatencyMs <= static.p99LatencyMs * 10', notRun: ['threshold'] }]);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/Skipped .*threshold\.p99LatencyMs/);
  });

  it('reports independent problems at once: a field error, a cross-field problem and an expectation', async () => {
    const { d } = setup();
    const f = path.join(d, 'many.yaml');
    fs.writeFileSync(f, SMALL.replace('duration: 20m', 'duration: banana').replace('partitions: 4,', 'partitions: 40,').replace('static.records > 0', 'static.recordz > 0').replace('kind: static', 'kind: statik'));
    const r = await kc(['validate', f]);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines.some((l) => /:3:\d+ duration: not a duration/.test(l))).toBe(true);
    expect(lines.some((l) => /cluster\.partitions: 40 is above maxPartitions \(32\)/.test(l))).toBe(true);
    expect(lines.some((l) => /expect\[0\]: unknown metric 'recordz'/.test(l))).toBe(true);
    expect(lines.some((l) => /policies\.static/.test(l))).toBe(true);
    expect(lines.every((l) => l.startsWith(`${f}:`))).toBe(true);
  });
});

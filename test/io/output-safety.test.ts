/**
 * Output safety beyond "is it a keycast folder": a keycast folder that has gained the user's files
 * is not replaced, output files keycast did not write are not overwritten, paths that cannot be
 * created are refused before anything runs, an interrupted writer's temporary sibling is removed
 * by the next writer, and every problem of `compare`'s inputs is reported at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertOutDir, assertOutFile, ensureOutputParent, removeStaleSiblings, writeDirAtomic } from '../../src/io/atomic-dir.ts';
import { readSummaries } from '../../src/io/summary-file.ts';
import { readSweepShards } from '../../src/io/sweep-dir.ts';
import { problems } from './problems.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-safety-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('output folders and files', () => {
  it('a keycast folder is replaced while it holds only what keycast wrote; a file the user added there stops it', () => {
    const out = path.join(dir, 'run');
    writeDirAtomic(out, (tmp) => fs.writeFileSync(path.join(tmp, 'summary.json'), '{}'));
    expect(() => assertOutDir(out)).not.toThrow();
    writeDirAtomic(out, (tmp) => fs.writeFileSync(path.join(tmp, 'summary.json'), '{"second":1}'));
    fs.writeFileSync(path.join(out, 'NOTES.txt'), 'mine');
    const p = problems(() => assertOutDir(out));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^<cli>: --out: .*keycast did not write \(NOTES\.txt\)/);
    expect(() => writeDirAtomic(out, () => {})).toThrow();
    expect(fs.readFileSync(path.join(out, 'NOTES.txt'), 'utf8')).toBe('mine');
    expect(() => assertOutDir(out, { force: true })).not.toThrow();
  });

  it("a user's file deep in a report counts, a file browser's does not; a folder of outputs is never replaced whole", () => {
    const out = path.join(dir, 'deep');
    writeDirAtomic(out, (tmp) => {
      fs.mkdirSync(path.join(tmp, 'static'));
      fs.writeFileSync(path.join(tmp, 'static', 'operations.csv'), '');
    });
    fs.writeFileSync(path.join(out, '.DS_Store'), '');
    fs.writeFileSync(path.join(out, 'static', '._operations.csv'), '');
    expect(() => assertOutDir(out)).not.toThrow();
    fs.writeFileSync(path.join(out, 'static', 'notes.txt'), 'mine');
    expect(problems(() => assertOutDir(out))[0]).toMatch(/keycast did not write \(static\/notes\.txt\)/);
    // runs/ holding two reports: a writer replacing it would delete both; one writing into it may
    const runs = path.join(dir, 'runs');
    for (const r of ['a', 'b']) writeDirAtomic(path.join(runs, r), (tmp) => fs.writeFileSync(path.join(tmp, 'summary.json'), '{"keycastVersion":"0"}'));
    expect(problems(() => assertOutDir(runs))[0]).toMatch(/holds keycast outputs in its subfolders/);
    expect(() => assertOutDir(runs, { container: true })).not.toThrow();
    ensureOutputParent(runs);
    expect(problems(() => assertOutDir(runs))[0]).toMatch(/holds keycast outputs in its subfolders/);
  });

  it('a folder written before the marker listed its files is still replaced (nothing to compare with)', () => {
    const out = path.join(dir, 'old');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, '.keycast-output'), 'This folder was written by keycast; the next run writing here replaces it whole.\n');
    fs.writeFileSync(path.join(out, 'summary.json'), '{"keycastVersion":"0.1.0"}');
    fs.writeFileSync(path.join(out, 'anything.csv'), '');
    expect(() => assertOutDir(out)).not.toThrow();
  });

  it('a path under a file, or a file output that is a folder, is refused before anything is written', () => {
    const file = path.join(dir, 'a-file.txt');
    fs.writeFileSync(file, 'x');
    expect(problems(() => assertOutDir(path.join(file, 'sub')))[0]).toMatch(/a-file\.txt is a file, so nothing can be created under it/);
    expect(problems(() => assertOutFile(dir, '--junit', () => true))[0]).toMatch(/^<cli>: --junit: .* is a folder; name a file/);
  });

  it('an output file is overwritten only when it is empty or keycast wrote it (or with force)', () => {
    const f = path.join(dir, 'out.xml');
    const ours = (head: string) => head.includes('<testsuites');
    expect(() => assertOutFile(f, '--junit', ours)).not.toThrow(); // not there yet
    fs.writeFileSync(f, '<?xml version="1.0"?>\n<testsuites>\n');
    expect(() => assertOutFile(f, '--junit', ours)).not.toThrow();
    fs.writeFileSync(f, 'my essay');
    expect(problems(() => assertOutFile(f, '--junit', ours))[0]).toMatch(/out\.xml is an existing file keycast did not write: refusing to overwrite it/);
    expect(() => assertOutFile(f, '--junit', ours, true)).not.toThrow();
    fs.writeFileSync(f, '');
    expect(() => assertOutFile(f, '--junit', ours)).not.toThrow();
  });

  it("an interrupted writer's temporary sibling is removed by the next writer of the target, a live one's is not", () => {
    const target = path.join(dir, 'rep');
    const dead = path.join(dir, `.rep.tmp-2147483646-abcDEF`); // no such process
    const live = path.join(dir, `.rep.tmp-${process.ppid}-abcDEF`);
    const other = path.join(dir, `.report.tmp-2147483646-abcDEF`);
    for (const d of [dead, live, other]) fs.mkdirSync(d);
    removeStaleSiblings(target);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
  });
});

describe('inputs read back', () => {
  it('compare: the problems of both summaries at once', () => {
    const p = problems(() => readSummaries([path.join(dir, 'nothing1'), path.join(dir, 'nothing2')]));
    expect(p).toHaveLength(2);
    expect(p[1]).toMatch(/nothing2: no summary\.json here/);
  });

  it('merge: a shard whose sweep.json is not JSON, or whose results.csv has a bad row, is named at that file', () => {
    const s = path.join(dir, 'shard');
    fs.mkdirSync(s);
    fs.writeFileSync(path.join(s, 'sweep.json'), '{"sweepId": ');
    fs.writeFileSync(path.join(s, 'results.csv'), '');
    expect(problems(() => readSweepShards([s]))[0]).toMatch(/shard\/sweep\.json: not valid JSON/);
    const t = path.join(dir, 'shard2');
    fs.mkdirSync(t);
    fs.writeFileSync(path.join(t, 'sweep.json'), '{"sweepId": "x", "runs": [0, 1], "total": 2}');
    fs.writeFileSync(path.join(t, 'results.csv'), 'run,cluster.nodes,seed,policy,records\n0,2,1,static,5\n1,2\n');
    expect(problems(() => readSweepShards([s, t]))).toEqual([expect.stringMatching(/shard\/sweep\.json: not valid JSON/), expect.stringMatching(/shard2\/results\.csv:3:1 2 fields, header has 5$/)]);
    const u = path.join(dir, 'shard3');
    fs.mkdirSync(u);
    fs.writeFileSync(path.join(u, 'sweep.json'), '{"sweepId": "x"}');
    fs.writeFileSync(path.join(u, 'results.csv'), 'run,cluster.nodes,seed,policy,records\n');
    expect(problems(() => readSweepShards([u]))[0]).toMatch(/shard3\/sweep\.json: runs: not a keycast sweep\.json \(runs should be a list of run numbers\)/);
  });
});

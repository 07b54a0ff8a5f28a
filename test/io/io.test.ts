import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepManifest } from '../../src/experiment/run-sweep.ts';
import { resultsHeader } from '../../src/experiment/sweep.ts';
import { scenarioFiles } from '../../src/io/scenario-files.ts';
import { readSummary } from '../../src/io/summary-file.ts';
import { readSweepShards, writeSweepDir } from '../../src/io/sweep-dir.ts';
import { problems } from './problems.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-io-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the user’s files', () => {
  it('scenario files: a folder gives its *.yaml sorted; a missing name or an empty folder is bad input', () => {
    const sc = path.join(dir, 'sc');
    fs.mkdirSync(sc);
    for (const f of ['b.yaml', 'a.yml', 'notes.txt']) fs.writeFileSync(path.join(sc, f), '');
    expect(scenarioFiles([sc])).toEqual([path.join(sc, 'a.yml'), path.join(sc, 'b.yaml')]);
    expect(problems(() => scenarioFiles([path.join(dir, 'nothing-here.yaml')]))[0]).toMatch(/no such file or folder/);
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(problems(() => scenarioFiles([empty]))[0]).toMatch(/no \*\.yaml scenario in this folder/);
  });

  it('a summary is read from a run folder or the file; anything else is bad input naming the file', () => {
    const run = path.join(dir, 'run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'summary.json'), JSON.stringify({ policies: { a: {} } }));
    expect(readSummary(run).policies).toEqual({ a: {} });
    expect(readSummary(path.join(run, 'summary.json')).policies).toEqual({ a: {} });
    fs.writeFileSync(path.join(dir, 'x.json'), '{"nope": 1}');
    expect(problems(() => readSummary(path.join(dir, 'x.json')))[0]).toMatch(/not a keycast summary\.json/);
    expect(problems(() => readSummary(path.join(dir, 'none')))[0]).toMatch(/no summary\.json here/);
  });

  it('a sweep folder is written whole and read back as a shard; a folder that is not one is bad input', () => {
    const manifest: SweepManifest = { sweepId: 's1', scenario: 't', scenarioHash: 'h', fields: ['cluster.nodes'], total: 1, runs: [0] };
    const header = resultsHeader(['cluster.nodes']);
    const results = `${header}\n${header.split(',').map((c, i) => (c === 'policy' ? 'static' : String(i))).join(',')}\n`;
    const out = path.join(dir, 'sweep');
    writeSweepDir(out, manifest, results);
    expect(fs.readdirSync(out).sort()).toEqual(['.keycast-output', 'aggregate.csv', 'index.html', 'results.csv', 'sweep.json']);
    const [shard] = readSweepShards([out]);
    expect(shard.manifest).toEqual(manifest);
    expect(shard.text).toBe(results);
    expect(problems(() => readSweepShards([dir]))).toEqual([`${dir}: not a sweep folder (needs sweep.json and results.csv)`]);
  });
});

/**
 * Reading scenario files (io/load-scenario.ts, io/bundled.ts): a path is read from disk, a bare
 * name falls back to the bundled scenarios, a trace is looked for on disk, and what cannot be read
 * is bad input naming the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/io/load-scenario.ts';
import { BUNDLED_SCENARIOS, bundledScenarioNames, resolveScenarioArg } from '../../src/io/bundled.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { problems } from './problems.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TINY = path.join(ROOT, 'test/fixtures/tiny.yaml');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-load-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loading scenario files', () => {
  it('reads and validates a file, the same as parsing its text with its folder', () => {
    const loaded = loadScenario(TINY, { seed: 9, sets: ['cluster.nodes=4'] });
    const parsed = parseScenario(fs.readFileSync(TINY, 'utf8'), TINY, path.dirname(TINY), { seed: 9, sets: ['cluster.nodes=4'] });
    expect(loaded.scenario).toEqual(parsed.scenario);
    expect(loaded.hash).toBe(parsed.hash);
    expect([loaded.file, loaded.dir]).toEqual([TINY, path.dirname(TINY)]);
    expect(loaded.scenario.seed).toBe(9);
  });

  it('a bare name is a bundled scenario; an existing path wins over it', () => {
    expect(bundledScenarioNames()).toContain('follow-the-sun');
    expect(resolveScenarioArg('follow-the-sun')).toBe(path.join(BUNDLED_SCENARIOS, 'follow-the-sun.yaml'));
    expect(resolveScenarioArg('follow-the-sun.yaml')).toMatch(/follow-the-sun\.yaml$/);
    expect(loadScenario('follow-the-sun').scenario.name).toBe('follow-the-sun');
    expect(resolveScenarioArg(TINY)).toBe(TINY);
    expect(resolveScenarioArg('../not a name')).toBe('../not a name');
  });

  it('a missing file, a folder and a missing trace are bad input naming the file', () => {
    expect(problems(() => loadScenario('no-such-scenario'))[0]).toMatch(/^no-such-scenario: cannot read the file \(ENOENT\); no bundled scenario of that name either \(.*follow-the-sun.*\)/);
    expect(problems(() => loadScenario(path.join(dir, 'x/none.yaml')))[0]).not.toMatch(/bundled/);
    expect(problems(() => loadScenario(dir))[0]).toMatch(/is a folder, not a scenario file/);
    const traced = path.join(dir, 'traced.yaml');
    fs.writeFileSync(traced, fs.readFileSync(TINY, 'utf8').replace('kind: user-id', 'kind: range').replace('workload:\n', 'workload:\n  trace: { file: gone.csv }\n'));
    expect(problems(() => loadScenario(traced)).join('\n')).toContain(`no such file: ${path.join(dir, 'gone.csv')}`);
  });
});

/**
 * CI regression: every shipped scenario (`scenarios/*.yaml`) passes `keycast check scenarios`
 * (its expectations hold, its invariants too), with JUnit XML written. The trace scenarios read
 * data/ (inside the repository).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliEnv } from '../fixtures/cli.ts';

const ROOT = path.join(__dirname, '../..');

describe('shipped scenarios', () => {
  it('keycast check scenarios passes and writes one JUnit testsuite per scenario', () => {
    const junit = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kc-sc-')), 'junit.xml');
    const r = spawnSync(path.join(ROOT, 'bin/keycast'), ['check', 'scenarios', '--junit', junit], { cwd: ROOT, encoding: 'utf8', env: cliEnv() });
    expect(r.stderr).toBe('');
    expect(r.status, r.stdout).toBe(0);
    const files = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuite /g)?.length).toBe(files.length);
    expect(xml).not.toMatch(/<failure|<error/);
  }, 900_000);
});

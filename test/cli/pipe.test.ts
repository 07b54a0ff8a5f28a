/**
 * A reader that leaves early (`keycast sweep … | head -1`): the command finishes its folder and
 * exits as it would have, without Node's unhandled EPIPE stack trace.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, SMALL, cliEnv } from '../fixtures/cli.ts';


describe('stdout closed by its reader', () => {
  it('sweep finishes its folder and exits 0 with nothing on stderr', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-pipe-'));
    fs.writeFileSync(path.join(dir, 'sw.yaml'), SMALL);
    const out = path.join(dir, 'out');
    const child = spawn(BIN, ['sweep', path.join(dir, 'sw.yaml'), '--workers', '1', '--out', out], { cwd: ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Like `| true` (or `| head -1` when the reader exits before the next line): the pipe is closed before the sweep prints.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(expect.arrayContaining(['aggregate.csv', 'index.html', 'results.csv', 'sweep.json']));
    expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 3); // one run × three policies
  }, 60_000);
});

/** The lanes' spool files in a folder (io/spool-files.ts): buffered lines, a folder per lane, removal. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderSpool, LineFile } from '../../src/io/spool-files.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-spoolfiles-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('spool files', () => {
  it('a line file holds every line in order, across its 1 MB buffer', () => {
    const f = path.join(dir, 'lines.txt');
    const lf = new LineFile(f);
    const lines = Array.from({ length: 30_000 }, (_, i) => `${i},${'x'.repeat(i % 97)}`);
    for (const l of lines) lf.line(l);
    lf.close();
    expect(fs.readFileSync(f, 'utf8')).toBe(lines.join('\n') + '\n');
  });

  it('a folder spool opens `<lane>/<name>` (creating the folder, emptying the file) and removes files', () => {
    const s = folderSpool(dir);
    expect(s.dir).toBe(dir);
    fs.mkdirSync(path.join(dir, 'a'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 't.csv'), 'old content\n');
    const t = s.open('a', 't.csv');
    t.line('h');
    t.close();
    const p = s.open('b', 'plans.jsonl');
    p.close();
    expect(fs.readFileSync(path.join(dir, 'a', 't.csv'), 'utf8')).toBe('h\n');
    expect(fs.existsSync(path.join(dir, 'b', 'plans.jsonl'))).toBe(true);
    s.remove('b', 'plans.jsonl');
    s.remove('b', 'never-there');
    expect(fs.existsSync(path.join(dir, 'b', 'plans.jsonl'))).toBe(false);
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { displayName, fileIdentity, openByteSource } from '../../src/workload/trace/byte-source.ts';
import { problems } from '../io/problems.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-bytes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function readAll(file: string): Buffer {
  const src = openByteSource(file);
  const parts: Buffer[] = [];
  for (let c = src.read(); c; c = src.read()) parts.push(Buffer.from(c));
  src.close();
  return Buffer.concat(parts);
}

describe('the trace byte source', () => {
  // 3 MiB of varied text: several slot-fulls through the gunzip worker
  const text = Buffer.from(Array.from({ length: 120_000 }, (_, i) => `row ${i},${(i * 7919) % 1000}\n`).join(''));

  it('reads a plain file and a gzip one (recognised by its magic bytes) to the same bytes', () => {
    const plain = path.join(dir, 'a.csv');
    const gz = path.join(dir, 'a.data');
    fs.writeFileSync(plain, text);
    fs.writeFileSync(gz, zlib.gzipSync(text));
    expect(readAll(plain).equals(text)).toBe(true);
    expect(readAll(gz).equals(text)).toBe(true);
  });

  it('a corrupt or truncated gzip file is bad input naming the file (exit 2), not a hang', () => {
    const bad = path.join(dir, 'bad.gz');
    const gz = zlib.gzipSync(text);
    fs.writeFileSync(bad, Buffer.concat([gz.subarray(0, 5000), Buffer.alloc(5000, 7)]));
    expect(problems(() => readAll(bad))[0]).toMatch(/bad\.gz: workload\.trace\.file: cannot decompress: /);
    const cut = path.join(dir, 'cut.gz');
    fs.writeFileSync(cut, gz.subarray(0, gz.length - 100));
    expect(problems(() => readAll(cut))[0]).toMatch(/cut\.gz: workload\.trace\.file: cannot decompress: unexpected end of file/);
  });

  it('closing before the end stops the worker (reading again gives nothing)', () => {
    const gz = path.join(dir, 'b.gz');
    fs.writeFileSync(gz, zlib.gzipSync(text));
    const src = openByteSource(gz);
    expect(src.read()).not.toBeNull();
    src.close();
    expect(src.read()).toBeNull();
  });

  it('identifies a file by path, size and time; names it relative to the working directory when inside it', () => {
    const f = path.join(dir, 'a.csv');
    expect(fileIdentity(f)).toBe(fileIdentity(f));
    fs.appendFileSync(f, 'x');
    expect(JSON.parse(fileIdentity(f))[1]).toBe(text.length + 1);
    expect(displayName(path.join(process.cwd(), 'x', 'y.csv'))).toBe(path.join('x', 'y.csv'));
    const outside = path.resolve(process.cwd(), '..', 'elsewhere', 'y.csv');
    expect(displayName(outside)).toBe(outside);
  });
});

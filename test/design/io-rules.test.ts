/**
 * Where the file system, the process and threads are reached: only in cli/ (the shell), io/ (the
 * user's files and the worker threads, for the CLI and the API: scenario loading, output folders,
 * the lanes' spool files, lane and task threads), the library API files in src/ itself, the report writer
 * (the files that write a report folder and read its own data files back), and the trace's
 * byte source (a trace is streamed while the run reads it, so it cannot be handed over as a
 * whole). Everything else receives what it needs as values, readers or callbacks. A file is
 * counted when it imports node:fs, node:fs/promises, node:child_process, node:worker_threads or
 * piscina, or uses `process.` cwd/exit/env/argv/stdout/stderr/stdin/on/exitCode/kill.
 * Offenders not yet moved are PENDING, each with why; the test fails on a new one and on a
 * pending one that is gone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** Folders and files allowed to reach fs, process and threads, with why. */
export const ALLOWED: readonly [RegExp, string][] = [
  [/^cli\//, 'the shell: flags, exit codes, terminal'],
  [/^io\//, 'the user’s files and the worker threads, for the CLI and the API'],
  [/^[a-z-]+\.ts$/, 'src/api.ts and src/index.ts: the programmatic API, the CLI’s equal'],
  [/^report\/(write-report|rerender|run-data|page-assets|live-report)\.ts$/, 'the report writer: writes a report folder, reads its own data files and the inlined Vega bundles'],
  [/^workload\/trace\/(byte-source|gunzip-worker)\.ts$/, 'the trace’s byte source: streamed while the run reads it, gzip in a worker thread'],
];

/** Offenders to move (issue 20), each with why they are still here. */
export const PENDING: Record<string, string> = {};

const PATTERN = /from ['"](node:fs|node:fs\/promises|node:child_process|node:worker_threads|piscina)['"]|import\(\s*['"](node:fs|node:child_process|node:worker_threads|piscina)['"]\s*\)|\bprocess\.(cwd|exit|env|argv|stdout|stderr|stdin|on|exitCode|kill)\b/;

/** Whether a source reaches fs, process or threads (comments ignored). */
export function reachesOutside(text: string): boolean {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return PATTERN.test(code);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('fs, process and threads below the shell', () => {
  it('recognises the ways in', () => {
    expect(reachesOutside(`import * as fs from 'node:fs';`)).toBe(true);
    expect(reachesOutside(`import { Worker } from 'node:worker_threads';`)).toBe(true);
    expect(reachesOutside(`const { Piscina } = await import('piscina');`)).toBe(true);
    expect(reachesOutside(`const rel = path.relative(process.cwd(), f);`)).toBe(true);
    expect(reachesOutside(`import * as path from 'node:path';\n// process.exit(1)\nconst t = performance.now();`)).toBe(false);
  });

  it('only the allowed files and the pending ones reach them', () => {
    const found = sources(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => reachesOutside(readFileSync(join(SRC, f), 'utf8')));
    const allowed = (f: string) => ALLOWED.some(([re]) => re.test(f));
    expect(found.filter((f) => !allowed(f) && !(f in PENDING))).toEqual([]);
    expect(Object.keys(PENDING).filter((f) => !found.includes(f))).toEqual([]);
  });
});

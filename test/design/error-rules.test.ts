/**
 * One error base (STYLE.md "Errors people can act on"): every error class in src/ extends
 * `KeycastError` (model/errors.ts), directly or through another of ours, so every error keycast
 * throws on purpose carries a stable `code` and a `cause`. Checked on the sources: a class that
 * extends `Error` (or `TypeError`, …) itself is reported, `KeycastError` being the one exception.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeycastError } from '../../src/model/errors.ts';

const SRC = resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Classes in `text` that extend one of JavaScript's own error classes, as `Name extends Base`. */
export function ownErrorBases(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/\bclass\s+(\w+)\s+extends\s+((?:Eval|Range|Reference|Syntax|Type|URI|Aggregate)?Error)\b/g)].map((m) => `${m[1]} extends ${m[2]}`);
}

describe('one error base', () => {
  it('finds classes extending a built-in error', () => {
    expect(ownErrorBases('class A extends Error {}\nexport class B extends TypeError {\n}\nclass C extends KeycastError {}\n// class D extends Error {}')).toEqual(['A extends Error', 'B extends TypeError']);
  });

  it('every error class of src/ but KeycastError extends KeycastError', () => {
    const found = sources(SRC).flatMap((f) => ownErrorBases(readFileSync(f, 'utf8')).map((c) => `${relative(SRC, f)}: ${c}`));
    expect(found).toEqual(['model/errors.ts: KeycastError extends Error']);
    const e = new KeycastError('SOME_CODE', 'message', { cause: 'why' });
    expect([e.code, e.cause, e instanceof Error]).toEqual(['SOME_CODE', 'why', true]);
  });
});

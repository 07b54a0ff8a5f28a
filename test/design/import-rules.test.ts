/**
 * The import rules of DESIGN.md ("Folders (src/) and who may import whom"), checked on the
 * sources: every relative import (static, re-export or dynamic `import()`) in src/ is an arrow
 * from its file's folder to the imported file's folder, and each arrow must be allowed by the
 * table. Arrows that break the table today are listed below with the issue that removes them, so
 * this test fails on any new one (and on a listed one that is gone, so the list stays true). The
 * same for import cycles between files (type-only imports count: a cycle is a design knot even
 * when it vanishes at run time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** DESIGN.md's table: the folders each folder may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  engine: [],
  model: [],
  scenario: ['model'],
  workload: ['engine', 'model'],
  cluster: ['engine', 'model'],
  profiler: ['engine', 'model'],
  planner: ['model'],
  manager: ['engine', 'model'],
  policies: ['profiler', 'planner', 'manager', 'model', 'engine'],
  experiment: ['engine', 'model', 'scenario', 'workload', 'cluster', 'profiler', 'planner', 'manager', 'policies'],
  // "experiment result types": report may import types from experiment, not its code
  report: ['model', 'experiment (types)'],
  // the user's files for the CLI and the API (output folders, summaries, sweep folders, scenario
  // lists): the file side of the shell, so only cli/ and '.' import it (test/design/io-rules.test.ts)
  io: ['model', 'scenario', 'experiment', 'report'],
  // the CLI is a thin shell over the programmatic API (src/api.ts, '.')
  cli: ['engine', 'model', 'scenario', 'workload', 'cluster', 'profiler', 'planner', 'manager', 'policies', 'experiment', 'report', 'io', '.'],
  // src/index.ts and src/api.ts: the library API over everything
  '.': ['engine', 'model', 'scenario', 'workload', 'cluster', 'profiler', 'planner', 'manager', 'policies', 'experiment', 'report', 'io', 'cli'],
};

/**
 * Arrows that break the table today, `from-file -> to-folder`, each with the issue that removes
 * it (none now; report → experiment result types stays allowed by the table itself).
 */
const KNOWN_VIOLATIONS: Record<string, string> = {};

/** Import cycles that exist today, each as a pattern every file of the cycle matches, with the issue that removes it. */
const KNOWN_CYCLES: readonly [RegExp, string][] = [];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** One relative import of a source file: its specifier and whether it brings in types only. */
export interface RelativeImport {
  readonly spec: string;
  readonly typeOnly: boolean;
}

/**
 * The relative imports of a TypeScript source: `import … from '…'`, `export … from '…'`,
 * `import('…')` and bare `import '…'`. Type-only: `import type`/`export type`, or braces whose
 * every name is marked `type`.
 */
export function relativeImports(text: string): RelativeImport[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: RelativeImport[] = [];
  const pattern = /\b(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"](\.[^'"]+)['"]|\bimport\s*\(\s*['"](\.[^'"]+)['"]\s*\)|^\s*import\s+['"](\.[^'"]+)['"]/gm;
  for (const m of code.matchAll(pattern)) {
    if (m[4] === undefined) {
      out.push({ spec: m[5] ?? m[6], typeOnly: false });
      continue;
    }
    const braces = /^\{([^}]*)\}$/.exec(m[3].trim());
    const names = braces ? braces[1].split(',').map((n) => n.trim()).filter((n) => n.length > 0) : [];
    out.push({ spec: m[4], typeOnly: m[2] !== undefined || (names.length > 0 && names.every((n) => n.startsWith('type '))) });
  }
  return out;
}

/** The top folder of a path under src/ ('.' for files directly in src/). */
function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0] : '.';
}

/** Every arrow between folders, as `from-file -> to-folder`, sorted. */
function arrows(): string[] {
  const out = new Set<string>();
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    for (const { spec, typeOnly } of relativeImports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + '/')) {
        out.add(`${relative(SRC, file)} -> outside src (${spec})`);
        continue;
      }
      const to = folderOf(target);
      if (to !== from) out.add(`${relative(SRC, file)} -> ${to}${typeOnly ? ' (types)' : ''}`);
    }
  }
  return [...out].sort();
}

/** The file-level import graph of src/ (paths relative to src/). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    graph.set(
      relative(SRC, file),
      relativeImports(readFileSync(file, 'utf8')).map(({ spec }) => relative(SRC, resolve(dirname(file), spec))),
    );
  }
  return graph;
}

/** The strongly connected components of more than one file (Tarjan), each sorted. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** True when the table does not allow the arrow (an arrow of types only is allowed wherever its folder is). */
function forbidden(arrow: string): boolean {
  const [file, to] = arrow.split(' -> ');
  const from = file.includes('/') ? file.split('/')[0] : '.';
  const allowed = MAY_IMPORT[from];
  if (allowed === undefined) return true;
  return !(allowed.includes(to) || (to.endsWith(' (types)') && allowed.includes(to.slice(0, -' (types)'.length))));
}

describe('import rules of DESIGN.md', () => {
  it('finds static, re-export and dynamic imports, ignoring comments', () => {
    const text = `import a from './a.ts';\nexport * from '../b/index.ts';\nimport type { C } from "../c.ts";\n// import x from '../commented.ts';\n/* import y from '../block.ts' */\nconst d = await import('../d/e.ts');\nimport './side-effect.ts';\nimport z from 'rxjs';`;
    expect(relativeImports(text).map((i) => i.spec)).toEqual(['./a.ts', '../b/index.ts', '../c.ts', '../d/e.ts', './side-effect.ts']);
    expect(relativeImports(text).map((i) => i.typeOnly)).toEqual([false, false, true, false, false]);
    expect(relativeImports(`import { type A, type B } from '../x.ts';\nimport { type A, b } from '../y.ts';\nexport type { C } from '../z.ts';`).map((i) => i.typeOnly)).toEqual([true, false, true]);
    expect(forbidden('planner/x.ts -> cluster')).toBe(true);
    expect(forbidden('policies/x.ts -> planner')).toBe(false);
    expect(forbidden('policies/x.ts -> planner (types)')).toBe(false);
    expect(forbidden('model/x.ts -> engine')).toBe(true);
    expect(forbidden('report/x.ts -> experiment (types)')).toBe(false);
    expect(forbidden('report/x.ts -> experiment')).toBe(true);
  });

  it('no folder imports one the table does not allow, besides the listed known violations', () => {
    const bad = arrows().filter(forbidden);
    expect(bad.filter((a) => !(a in KNOWN_VIOLATIONS))).toEqual([]);
    // a listed violation that is fixed must leave the list
    expect(Object.keys(KNOWN_VIOLATIONS).filter((a) => !bad.includes(a))).toEqual([]);
  });

  it('finds import cycles', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('no import cycle between files, besides the listed known ones', () => {
    const found = cycles(importGraph());
    const known = (c: string[]) => KNOWN_CYCLES.some(([re]) => c.every((f) => re.test(f)));
    expect(found.filter((c) => !known(c))).toEqual([]);
    expect(KNOWN_CYCLES.filter(([re]) => !found.some((c) => c.every((f) => re.test(f)))).map(([, why]) => why)).toEqual([]);
  });
});

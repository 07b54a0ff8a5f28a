/**
 * keycast stands alone: no tracked file (scenarios, tests, docs' commands, bench scripts, sources,
 * package.json, CI) names a path outside the repository or an absolute path of some machine, so a
 * fresh clone with nothing beside it runs everything it ships. `pathProblems` is the rule; the
 * tests run it on every tracked text file, and on the offenders this rule was written against.
 *
 * The rule, by file type:
 * - `../` paths in code, scenarios, scripts and JSON resolve against the file's folder (how
 *   imports, `import.meta.dirname` and scenario `file:` fields resolve) and must stay inside.
 * - Markdown: link targets and prose resolve against the file's folder; inline code and shell
 *   blocks are commands run from the repository root, so they must stay inside from both; YAML
 *   and code examples in fenced blocks resolve against the file's folder.
 * - Absolute paths (`/seg/seg…`) are refused unless they are system paths (`/dev/null`,
 *   `/usr/bin/env`, `/tmp/…`) or listed in ABSOLUTE_OK with a reason.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');

/** First segments of absolute paths that exist on any Unix machine. */
const SYSTEM = new Set(['dev', 'usr', 'bin', 'proc', 'sys', 'etc', 'tmp']);
/** Deliberate absolute paths: file → path prefixes allowed there, and why. */
const ABSOLUTE_OK: Record<string, readonly string[]> = {
  'docs/ci/k8s-indexed-job.yaml': ['/results/'], // a volume mounted inside the example's pods
  'test/scenario/validation.test.ts': ['/nonexistent/'], // a path that must not exist
};

/** Files the rule reads: tracked text files, not data. */
function checkedFile(rel: string): boolean {
  // This file quotes the offenders it was written against.
  if (rel.startsWith('data/') || rel === 'package-lock.json' || rel === 'test/repo/paths.test.ts') return false;
  if (rel.startsWith('test/fixtures/') && !rel.endsWith('.md')) return false;
  return /\.(ts|ya?ml|md|json)$/.test(rel) || rel === '.ci/run' || rel === 'bin/keycast';
}

const ABS = /(?<![\w.:/~\\-])\/([A-Za-z][\w.-]*)\/(?!\.)[\w.-]+/g; // `/x/.test(` is a regex
const REL = /(?<![\w./-])(?:\.\.\/)+[\w.-]*/g;

/** Problems of one file's text, as `rel:line: message`. */
export function pathProblems(rel: string, text: string): string[] {
  const out: string[] = [];
  const dir = path.dirname(rel);
  const escapes = (base: string, p: string) => {
    const r = path.posix.normalize(path.posix.join(base, p));
    return r === '..' || r.startsWith('../');
  };
  const lines = text.split('\n');
  let fence: string | null = null;
  lines.forEach((line, i) => {
    const at = `${rel}:${i + 1}`;
    const md = rel.endsWith('.md');
    if (md) {
      const m = /^\s*```(\w*)/.exec(line);
      if (m) {
        fence = fence === null ? m[1] || 'sh' : null;
        return;
      }
    }
    for (const m of line.matchAll(ABS)) {
      const allowed = SYSTEM.has(m[1]) || (ABSOLUTE_OK[rel] ?? []).some((p) => m[0].startsWith(p));
      if (!allowed) out.push(`${at}: absolute path ${m[0]}`);
    }
    for (const m of line.matchAll(REL)) {
      const p = m[0];
      const before = line.slice(0, m.index);
      let fromRoot = !md && (rel === 'package.json' || rel === '.ci/run');
      if (md) {
        const inLink = /\]\($/.test(before);
        const inCode = (before.split('`').length - 1) % 2 === 1;
        const shell = fence !== null && /^(sh|bash|console|shell|text)$/.test(fence);
        fromRoot = !inLink && (shell || (fence === null && inCode));
      }
      if (escapes(dir, p) || (fromRoot && escapes('.', p))) out.push(`${at}: path outside the repository ${p}`);
    }
  });
  return out;
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
}

describe('the repository stands alone', () => {
  it('no tracked file names a path outside the repository or an absolute path', () => {
    const files = trackedFiles().filter(checkedFile);
    expect(files.length).toBeGreaterThan(50);
    const problems = files.flatMap((f) => pathProblems(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('every trace a scenario replays is a file inside the repository, relative to the scenario', () => {
    const scenarios = trackedFiles().filter((f) => /^scenarios\/.*\.ya?ml$/.test(f));
    let traces = 0;
    for (const f of scenarios) {
      const doc = parseYaml(fs.readFileSync(path.join(ROOT, f), 'utf8')) as { workload?: { trace?: { file?: string } } };
      const file = doc.workload?.trace?.file;
      if (file === undefined) continue;
      traces++;
      expect(path.isAbsolute(file), f).toBe(false);
      const abs = path.resolve(ROOT, path.dirname(f), file);
      expect(path.relative(ROOT, abs).startsWith('..'), f).toBe(false);
      expect(fs.existsSync(abs), `${f}: ${file}`).toBe(true);
    }
    expect(traces).toBeGreaterThanOrEqual(3);
  });

  it('catches the offenders the rule was written against', () => {
    // The old offenders' text, assembled here so that this file itself names no outside path.
    const shared = ['..', 'shared'].join('/');
    const abs = ['', 'work', 'shared'].join('/');
    expect(pathProblems('scenarios/flights-routes.yaml', `    file: ../${shared}/data/flights-2001/flights-2001-01-to-05.csv.gz`)).toHaveLength(1);
    expect(pathProblems('test/planner/snapshot.test.ts', `const CONTRACT = '${abs}/contract/snapshot.json';`)).toHaveLength(1);
    expect(pathProblems('bench/forecast.ts', `const dataDir = path.resolve(import.meta.dirname, '../${shared}/data');`)).toHaveLength(1);
    expect(pathProblems('README.md', `\`\`\`sh\n./bin/keycast plan --input ${shared}/contract/snapshot.json --schedule\n\`\`\``)).toHaveLength(1);
    expect(pathProblems('docs/workload.md', `**Example scenarios** (real data from \`${shared}/data\`, each runs in a few seconds):`)).toHaveLength(1);
    expect(pathProblems('docs/planner.md', `$ keycast plan --input ${abs}/contract/snapshot.json`)).toHaveLength(1);
    expect(pathProblems('package.json', '"start": "./bin/keycast run ../scenarios/x.yaml"')).toHaveLength(1);
    expect(pathProblems('.ci/run', `cp -r ${shared}/data data`)).toHaveLength(1);
  });

  it('accepts paths that stay inside', () => {
    expect(pathProblems('scenarios/x.yaml', 'file: ../data/flights-2001/flights-2001-01.csv.gz')).toEqual([]);
    expect(pathProblems('test/planner/x.test.ts', "import { a } from '../../src/planner/index.ts';")).toEqual([]);
    expect(pathProblems('examples/README.md', 'see [the data](../data/README.md)')).toEqual([]);
    expect(pathProblems('docs/x.md', '```yaml\n  trace: { file: ../data/trace.csv.gz }\n```')).toEqual([]);
    expect(pathProblems('bin/keycast', '#!/usr/bin/env node')).toEqual([]);
    expect(pathProblems('src/x.ts', "if (!/^[a-z]/.test(name)) return; const re = /buckets/; /threshold/.test(k);")).toEqual([]);
  });
});

/**
 * The scenario files a command names: files as they are, folders as their `*.yaml` (not
 * recursive, sorted), bare names as bundled scenarios; a name that is none of these is bad input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../model/errors.ts';
import { resolveScenarioArg } from './bundled.ts';

/** Expands files and folders (`*.yaml` of a folder, not recursive, sorted). */
export function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    const at = resolveScenarioArg(p);
    try {
      st = fs.statSync(at);
    } catch {
      throw new InputError([{ file: p, path: '', message: 'no such file or folder, and no bundled scenario of that name' }]);
    }
    if (st.isDirectory()) {
      const files = fs.readdirSync(at).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (files.length === 0) throw new InputError([{ file: p, path: '', message: 'no *.yaml scenario in this folder' }]);
      out.push(...files.map((f) => path.join(at, f)));
    } else out.push(at);
  }
  return out;
}

/**
 * Reading a scenario file for the CLI and the API: the argument names a file, or a bundled
 * scenario (bundled.ts); the text is validated by scenario/load.ts `parseScenario`, with the
 * trace file looked for on disk. A file that cannot be read is bad input (exit 2) naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../model/errors.ts';
import { parseScenario, type LoadedScenario, type LoadOptions } from '../scenario/load.ts';
import { bundledScenarioNames, resolveScenarioArg } from './bundled.ts';

/** Reads and validates a scenario file (`ScenarioLoader`); throws `InputError` listing every problem. */
export function loadScenario(arg: string, opts: LoadOptions = {}): LoadedScenario {
  const file = resolveScenarioArg(arg);
  let text: string;
  try {
    if (fs.statSync(file).isDirectory()) throw new InputError([{ file, path: '', message: 'is a folder, not a scenario file' }]);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const hint = code === 'ENOENT' && !arg.includes('/') ? `; no bundled scenario of that name either (${bundledScenarioNames().join(', ')})` : '';
    throw new InputError([{ file, path: '', message: `cannot read the file (${code})${hint}` }]);
  }
  return parseScenario(text, file, path.dirname(path.resolve(file)), { ...opts, exists: opts.exists ?? fs.existsSync });
}

/**
 * Reading a run's `summary.json` back (for `compare`): from a run folder or the file itself,
 * checked to be a keycast summary, bad input as exit 2 naming the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Summary } from '../experiment/summary.ts';
import { InputError, allProblems } from '../model/errors.ts';

/** Reads the summaries of every folder (or file) of `wheres`; the problems of all of them in one InputError. */
export function readSummaries(wheres: readonly string[]): Summary[] {
  return allProblems<Summary[]>(...wheres.map((w) => () => readSummary(w)));
}

/** Reads `summary.json` from a run folder (or the file itself). */
export function readSummary(where: string): Summary {
  const file = fs.existsSync(where) && fs.statSync(where).isDirectory() ? path.join(where, 'summary.json') : where;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new InputError([{ file, path: '', message: 'no summary.json here (a keycast run folder is needed)' }]);
  }
  try {
    const s = JSON.parse(text) as Summary;
    if (!s || typeof s !== 'object' || typeof s.policies !== 'object') throw new Error('no policies');
    return s;
  } catch (err) {
    throw new InputError([{ file, path: '', message: `not a keycast summary.json (${(err as Error).message.replace(/\s+/g, ' ')})` }]);
  }
}

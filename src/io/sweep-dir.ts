/**
 * Sweep output folders: writing one (`results.csv`, `aggregate.csv`, `sweep.json` and the page,
 * atomically) and reading a shard back for `merge` (its rows are checked against its sweep.json
 * by `mergeShards`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SweepManifest, SweepShard } from '../experiment/run-sweep.ts';
import { aggregateCsv, parseResults } from '../experiment/sweep.ts';
import { InputError, gather } from '../model/errors.ts';
import { renderSweepHtml } from '../report/sweep-report.ts';
import { writeDirAtomic } from './atomic-dir.ts';

/** Writes a sweep folder from its manifest and results text. */
export function writeSweepDir(out: string, manifest: SweepManifest, resultsText: string, file = 'results.csv', force = false): void {
  const { fields, rows } = parseResults(resultsText, path.join(out, file));
  writeDirAtomic(out, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'results.csv'), resultsText);
    fs.writeFileSync(path.join(tmp, 'aggregate.csv'), aggregateCsv(fields, rows));
    fs.writeFileSync(path.join(tmp, 'sweep.json'), JSON.stringify(manifest, null, 2) + '\n');
    fs.writeFileSync(path.join(tmp, 'index.html'), renderSweepHtml(manifest, fields, rows));
  }, { force });
}

/** What makes `m` no keycast sweep manifest, or null (the fields `merge` reads). */
function manifestProblem(m: unknown): { path: string; message: string } | null {
  if (!m || typeof m !== 'object') return { path: '', message: 'not an object' };
  const o = m as Record<string, unknown>;
  if (typeof o.sweepId !== 'string') return { path: 'sweepId', message: 'no sweepId' };
  if (!Array.isArray(o.runs) || !o.runs.every((r) => Number.isInteger(r) && (r as number) >= 0)) return { path: 'runs', message: 'runs should be a list of run numbers' };
  if (!Number.isInteger(o.total) || (o.total as number) < 1) return { path: 'total', message: 'total should be a whole number ≥ 1' };
  // Absent in folders of older keycast versions (merging then reads the policies off the rows).
  if (o.policies !== undefined && !(Array.isArray(o.policies) && o.policies.length > 0 && o.policies.every((p) => typeof p === 'string' && p !== ''))) {
    return { path: 'policies', message: 'policies should be a list of policy names' };
  }
  return null;
}

/** Reads shard folders (each needs sweep.json and results.csv); every missing one is a problem. */
export function readSweepShards(dirs: readonly string[]): SweepShard[] {
  const problems: InputError['problems'][number][] = [];
  const parts = dirs.map((d) => {
    const mf = path.join(d, 'sweep.json');
    const rf = path.join(d, 'results.csv');
    if (!fs.existsSync(mf) || !fs.existsSync(rf)) {
      problems.push({ file: d, path: '', message: 'not a sweep folder (needs sweep.json and results.csv)' });
      return null;
    }
    let manifest: SweepManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(mf, 'utf8')) as SweepManifest;
    } catch (err) {
      problems.push({ file: mf, path: '', message: `not valid JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` });
      return null;
    }
    const bad = manifestProblem(manifest);
    if (bad) {
      problems.push({ file: mf, path: bad.path, message: `not a keycast sweep.json (${bad.message})` });
      return null;
    }
    const text = fs.readFileSync(rf, 'utf8');
    // Each shard's rows checked where they are (a bad row is that file's line, not the merge's).
    return gather(problems, () => parseResults(text, rf)) ? { dir: d, manifest, text } : null;
  });
  if (problems.length) throw new InputError(problems);
  return parts as SweepShard[];
}

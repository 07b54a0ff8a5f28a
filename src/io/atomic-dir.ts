/**
 * Output folders (`run`, `sweep`, `merge`, `capacity`, `check --out`): written atomically into a
 * temporary sibling that replaces the target at the end, and never at the cost of a user's
 * files. A folder is replaced only if it does not exist, is empty, or is a keycast output: it
 * holds the marker file `.keycast-output` that every output folder gets, or (folders written
 * before the marker existed) a `summary.json` with `keycastVersion`, a `sweep.json` with a
 * `sweepId`, or a `capacity.json` with `points`; a `check --out` folder whose entries are all
 * keycast outputs counts too. Anything else (a folder with other files, a file) is refused with
 * exit 2 unless `--force` is given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../model/errors.ts';

/** The marker file of a keycast output folder. */
export const OUTPUT_MARKER = '.keycast-output';
const MARKER_TEXT = 'This folder was written by keycast; the next run writing here replaces it whole.\n';

/** Options of the output-folder writers. */
export interface OutDirOptions {
  /** Replace whatever is at the target (the user said `--force`). */
  readonly force?: boolean;
  /** The flag named in the refusal (default `--out`). */
  readonly flag?: string;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** True when `dir` is a folder keycast wrote (marker, or an older run/sweep/capacity/check folder). */
export function isKeycastOutput(dir: string, depth = 0): boolean {
  if (fs.existsSync(path.join(dir, OUTPUT_MARKER))) return true;
  if (typeof readJson(path.join(dir, 'summary.json'))?.keycastVersion === 'string') return true;
  if (typeof readJson(path.join(dir, 'sweep.json'))?.sweepId === 'string') return true;
  if (Array.isArray(readJson(path.join(dir, 'capacity.json'))?.points)) return true;
  if (depth > 0) return false;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.length > 0 && entries.every((e) => e.isDirectory() && isKeycastOutput(path.join(dir, e.name), depth + 1));
}

/** Throws InputError (exit 2) unless writing a keycast folder at `outDir` destroys nothing of the user's. */
export function assertOutDir(outDir: string, opts: OutDirOptions = {}): void {
  if (opts.force) return;
  const flag = opts.flag ?? '--out';
  let st: fs.Stats;
  try {
    st = fs.statSync(outDir);
  } catch {
    return; // nothing there
  }
  const refuse = (what: string) => {
    throw new InputError([{ file: '<cli>', path: flag, message: `${outDir} ${what}: refusing to replace it (name a new or empty folder, or a previous keycast output; --force replaces anything)` }]);
  };
  if (!st.isDirectory()) refuse('is an existing file, not a folder');
  const entries = fs.readdirSync(outDir);
  if (entries.length === 0 || isKeycastOutput(outDir)) return;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  refuse(`is a folder that is not a keycast output (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${shown})`);
}

/** Creates `dir` as a keycast output folder that other outputs go into (`check --out`). */
export function ensureOutputParent(dir: string, opts: OutDirOptions = {}): void {
  assertOutDir(dir, opts);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) fs.rmSync(dir, { force: true }); // --force on a file
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, OUTPUT_MARKER), MARKER_TEXT);
}

/** A folder being written atomically (`openDirAtomic`): fill `dir`, then `commit()` or `abort()`. */
export interface StagedDir {
  /** The temporary sibling folder to write into. */
  readonly dir: string;
  /** Adds the marker and renames the folder over the target. */
  commit(): void;
  /** Removes the temporary folder (nothing of the target changes). */
  abort(): void;
}

/**
 * Starts writing `outDir` atomically: checks it (assertOutDir) and creates the temporary sibling
 * to write into. A run that streams its files while it goes writes them there from the start.
 */
export function openDirAtomic(outDir: string, opts: OutDirOptions = {}): StagedDir {
  assertOutDir(outDir, opts);
  const parent = path.dirname(path.resolve(outDir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.tmp-`));
  const abort = () => fs.rmSync(tmp, { recursive: true, force: true });
  return {
    dir: tmp,
    abort,
    commit() {
      try {
        assertOutDir(outDir, opts); // again: the target may have changed during a long run
        fs.writeFileSync(path.join(tmp, OUTPUT_MARKER), MARKER_TEXT);
        if (fs.existsSync(outDir)) {
          const old = `${tmp}.old`;
          fs.renameSync(outDir, old);
          fs.renameSync(tmp, outDir);
          fs.rmSync(old, { recursive: true, force: true });
        } else fs.renameSync(tmp, outDir);
      } catch (err) {
        abort();
        throw err;
      }
    },
  };
}

/** Writes a folder atomically: into a temporary sibling (with the marker), renamed over the target at the end. */
export function writeDirAtomic(outDir: string, fill: (tmpDir: string) => void, opts: OutDirOptions = {}): void {
  const staged = openDirAtomic(outDir, opts);
  try {
    fill(staged.dir);
  } catch (err) {
    staged.abort();
    throw err;
  }
  staged.commit();
}

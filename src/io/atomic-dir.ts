/**
 * Output folders (`run`, `sweep`, `merge`, `capacity`, `check --out`): written atomically into a
 * temporary sibling that replaces the target at the end, and never at the cost of a user's
 * files. A folder is replaced only if it does not exist, is empty, or is a keycast output: it
 * holds the marker file `.keycast-output` that every output folder gets, or (folders written
 * before the marker existed) a `summary.json` with `keycastVersion`, a `sweep.json` with a
 * `sweepId`, or a `capacity.json` with `points`; a `check --out` folder whose entries are all
 * keycast outputs counts too. Anything else (a folder with other files, a file) is refused with
 * exit 2 unless `--force` is given. The marker lists what keycast wrote there, so a keycast
 * folder that has gained files since (the user's notes, the scenario itself) is refused too: the
 * replacement would delete them. A target whose path cannot be a folder (under a file, in a place
 * that cannot be written) is refused before anything runs. A run stopped by Ctrl-C leaves its
 * temporary sibling (`.NAME.tmp-PID-…`, never the target); the next run writing the same target
 * removes it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../model/errors.ts';
import { CONTAINER_TEXT, OUTPUT_MARKER, foreignPaths, hasPathList, isContainer, markerFor } from './output-marker.ts';

export { OUTPUT_MARKER } from './output-marker.ts';

/** Whether process `pid` is alive (EPERM: alive, another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what an interrupted writer of `target` left beside it: the temporary siblings
 * `.NAME.tmp-PID…` of processes that are gone (Ctrl-C stops a run at once, before it can clean up;
 * the next writer of the same target does).
 */
export function removeStaleSiblings(target: string): void {
  const parent = path.dirname(path.resolve(target));
  const base = path.basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `.NAME.tmp-PID` (a file), `.NAME.tmp-PID-XXXXXX` (a folder) and its `.old`: nothing else.
  const mine = new RegExp(`^\\.${base}\\.tmp-(\\d+)(-[A-Za-z0-9]{6}(\\.old)?)?$`);
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(mine.exec(n)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(parent, n), { recursive: true, force: true });
  }
}

/** `p`'s stats, or undefined when it cannot be read (absent, under a file, not permitted). */
function statOrNone(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** Throws InputError naming `flag` when `target` cannot be created: a file on its way, or a parent that cannot be written. */
export function assertCreatable(target: string, flag: string, kind: 'folder' | 'file', into = false): void {
  const refuse = (why: string) => {
    throw new InputError([{ file: '<cli>', path: flag, message: `${target}: ${why}` }]);
  };
  const abs = path.resolve(target);
  const st = statOrNone(abs);
  if (st && kind === 'file' && st.isDirectory()) refuse('is a folder; name a file');
  // A folder written into (never replaced) needs only its own write permission.
  if (st && into && st.isDirectory()) {
    try {
      fs.accessSync(abs, fs.constants.W_OK);
    } catch {
      refuse('cannot write in it');
    }
    return;
  }
  // The nearest existing ancestor must be a writable folder (the target and its parents are created in it).
  let up = path.dirname(abs);
  for (;;) {
    const a = statOrNone(up);
    if (a) {
      if (!a.isDirectory()) refuse(`${up} is a file, so nothing can be created under it`);
      try {
        fs.accessSync(up, fs.constants.W_OK);
      } catch {
        refuse(`cannot write in ${up}`);
      }
      return;
    }
    const next = path.dirname(up);
    if (next === up) refuse('no folder on its path exists');
    up = next;
  }
}

/** Options of the output-folder writers. */
export interface OutDirOptions {
  /** Replace whatever is at the target (the user said `--force`). */
  readonly force?: boolean;
  /** The flag named in the refusal (default `--out`). */
  readonly flag?: string;
  /** The caller writes into the folder and never replaces it whole (`check --out`, the study). */
  readonly container?: boolean;
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
  if (fs.existsSync(path.join(dir, OUTPUT_MARKER)) || hasOwnFiles(dir)) return true;
  if (depth > 0) return false;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.length > 0 && entries.every((e) => e.isDirectory() && isKeycastOutput(path.join(dir, e.name), depth + 1));
}

/** Whether `dir` holds the file of one keycast output: a run's summary, a sweep's manifest or a capacity search. */
function hasOwnFiles(dir: string): boolean {
  if (typeof readJson(path.join(dir, 'summary.json'))?.keycastVersion === 'string') return true;
  if (typeof readJson(path.join(dir, 'sweep.json'))?.sweepId === 'string') return true;
  return Array.isArray(readJson(path.join(dir, 'capacity.json'))?.points);
}

/**
 * Whether `dir` is one keycast output by its own files (or a marker listing its paths), not a
 * folder of outputs: a marker alone, without them, is an older `check --out` folder's.
 */
function ownOutput(dir: string): boolean {
  return hasOwnFiles(dir) || hasPathList(dir);
}

/** Throws InputError (exit 2) unless writing a keycast folder at `outDir` destroys nothing of the user's. */
export function assertOutDir(outDir: string, opts: OutDirOptions = {}): void {
  const flag = opts.flag ?? '--out';
  assertCreatable(outDir, flag, 'folder', opts.container);
  if (opts.force) return;
  const st = statOrNone(outDir);
  if (!st) return; // nothing there
  const refuse = (what: string) => {
    throw new InputError([{ file: '<cli>', path: flag, message: `${outDir} ${what}: refusing to replace it (name a new or empty folder, or a previous keycast output; --force replaces anything)` }]);
  };
  if (!st.isDirectory()) refuse('is an existing file, not a folder');
  const entries = fs.readdirSync(outDir);
  if (entries.length === 0) return;
  if (isKeycastOutput(outDir)) {
    if (opts.container) return;
    // A folder of keycast outputs (a `check --out`, the study's, or one recognised only by its
    // subfolders) is never replaced whole: that would delete every output in it.
    if (isContainer(outDir) || !ownOutput(outDir)) refuse('holds keycast outputs in its subfolders, which replacing it would delete (name one of them or a new folder)');
    const foreign = foreignPaths(outDir);
    if (foreign.length === 0) return;
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', …' : '');
    refuse(`is a keycast output that now holds ${foreign.length} entr${foreign.length === 1 ? 'y' : 'ies'} keycast did not write (${shown}), which replacing it would delete`);
  }
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  refuse(`is a folder that is not a keycast output (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${shown})`);
}

/**
 * Throws InputError (exit 2) unless writing output file `file` destroys nothing of the user's: it
 * may not exist yet, be empty, or be one keycast wrote (`ours` recognises its first bytes);
 * anything else is refused unless `force`. Its path must be creatable (assertCreatable).
 */
export function assertOutFile(file: string, flag: string, ours: (head: string) => boolean, force = false): void {
  assertCreatable(file, flag, 'file');
  if (force) return;
  let head = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(512);
      head = buf.subarray(0, fs.readSync(fd, buf, 0, 512, 0)).toString('latin1');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return; // nothing there
  }
  if (head.length === 0 || ours(head)) return;
  throw new InputError([{ file: '<cli>', path: flag, message: `${file} is an existing file keycast did not write: refusing to overwrite it (name a new file; --force overwrites)` }]);
}

/** Creates `dir` as a keycast output folder that other outputs go into (`check --out`). */
export function ensureOutputParent(dir: string, opts: OutDirOptions = {}): void {
  assertOutDir(dir, { ...opts, container: true });
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) fs.rmSync(dir, { force: true }); // --force on a file
  fs.mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, OUTPUT_MARKER);
  // A folder keycast replaces whole keeps its marker (its listed paths are still keycast's).
  if (!fs.existsSync(marker)) fs.writeFileSync(marker, CONTAINER_TEXT);
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
  removeStaleSiblings(outDir);
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.tmp-${process.pid}-`));
  const abort = () => fs.rmSync(tmp, { recursive: true, force: true });
  return {
    dir: tmp,
    abort,
    commit() {
      try {
        assertOutDir(outDir, opts); // again: the target may have changed during a long run
        fs.writeFileSync(path.join(tmp, OUTPUT_MARKER), markerFor(tmp));
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

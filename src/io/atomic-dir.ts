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

/** The marker file of a keycast output folder. */
export const OUTPUT_MARKER = '.keycast-output';
const MARKER_TEXT = 'This folder was written by keycast; the next run writing here replaces it whole.\n';
/** The marker's line before the names of the entries keycast wrote (one per line). */
const WROTE = 'Written here by keycast:';

/** The marker's text for a folder holding `entries`. */
function markerText(entries: readonly string[]): string {
  return `${MARKER_TEXT}${WROTE}\n${entries.map((e) => `${e}\n`).join('')}`;
}

/** Entries of keycast folder `dir` that its marker does not list (none when the marker lists nothing: older folders). */
function foreignEntries(dir: string, entries: readonly string[]): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, OUTPUT_MARKER), 'utf8');
  } catch {
    return [];
  }
  const at = text.indexOf(`${WROTE}\n`);
  if (at < 0) return [];
  const wrote = new Set(text.slice(at + WROTE.length + 1).split('\n').filter(Boolean));
  return entries.filter((e) => e !== OUTPUT_MARKER && !wrote.has(e));
}

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
  const prefix = `.${path.basename(target)}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)/.exec(n.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(parent, n), { recursive: true, force: true });
  }
}

/** Throws InputError naming `flag` when `target` cannot be created: a file on its way, or a parent that cannot be written. */
export function assertCreatable(target: string, flag: string, kind: 'folder' | 'file'): void {
  const refuse = (why: string) => {
    throw new InputError([{ file: '<cli>', path: flag, message: `${target}: ${why}` }]);
  };
  const abs = path.resolve(target);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch {
    st = undefined;
  }
  if (st && kind === 'file' && st.isDirectory()) refuse('is a folder; name a file');
  // The nearest existing ancestor must be a writable folder (the target and its parents are created in it).
  let up = path.dirname(abs);
  for (;;) {
    let a: fs.Stats | undefined;
    try {
      a = fs.statSync(up);
    } catch {
      a = undefined;
    }
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
  const flag = opts.flag ?? '--out';
  assertCreatable(outDir, flag, 'folder');
  if (opts.force) return;
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
  if (entries.length === 0) return;
  if (isKeycastOutput(outDir)) {
    const foreign = foreignEntries(outDir, entries);
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
  removeStaleSiblings(outDir);
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.tmp-${process.pid}-`));
  const abort = () => fs.rmSync(tmp, { recursive: true, force: true });
  return {
    dir: tmp,
    abort,
    commit() {
      try {
        assertOutDir(outDir, opts); // again: the target may have changed during a long run
        fs.writeFileSync(path.join(tmp, OUTPUT_MARKER), markerText(fs.readdirSync(tmp).sort()));
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

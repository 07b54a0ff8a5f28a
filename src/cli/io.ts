/** Small I/O helpers shared by the commands: report problems on stderr, write files atomically. */
import { InputError, formatProblem } from '../model/errors.ts';
import { ExitCode } from './exit-codes.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeStaleSiblings } from '../io/atomic-dir.ts';

/**
 * File-system refusals that come from where the user asked keycast to write (no permission, a
 * read-only or full disk), not from a bug: bad input (exit 2). Paths are vetted before a run
 * (io/atomic-dir.ts `assertCreatable`), so a missing or clashing path later is keycast's (exit 4).
 */
const FS_INPUT_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENAMETOOLONG']);

/** Prints an error the way DESIGN.md asks (one line per problem, no stack) and returns its exit code. */
export function reportError(err: unknown): number {
  if (err instanceof InputError) {
    for (const p of err.problems) process.stderr.write(formatProblem(p) + '\n');
    return ExitCode.badInput;
  }
  const fsErr = err as NodeJS.ErrnoException;
  if (fsErr && typeof fsErr.code === 'string' && typeof fsErr.path === 'string' && FS_INPUT_CODES.has(fsErr.code)) {
    // The file system refused a path the user gave (a folder that cannot be made, no permission, disk full).
    process.stderr.write(formatProblem({ file: fsErr.path, path: '', message: `cannot ${fsErr.syscall ?? 'use'} it: ${(fsErr.message ?? fsErr.code).split('\n')[0]}` }) + '\n');
    return ExitCode.badInput;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`keycast: internal error: ${msg.split('\n')[0]}\n`);
  if (process.env.KEYCAST_DEBUG && err instanceof Error) process.stderr.write(String(err.stack) + '\n');
  return ExitCode.internal;
}

/** Writes `text` to `file` through a temporary sibling and a rename, so readers never see half a file. */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  removeStaleSiblings(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

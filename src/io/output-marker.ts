/**
 * The `.keycast-output` marker of output folders: what keycast wrote there, so that replacing a
 * folder never deletes anything else. A replaced folder's marker lists every path it holds
 * (recursively: a user's file in a policy's subfolder counts too); a folder keycast writes into
 * but never replaces whole (`check --out`, the study's `--out`) gets a container marker instead,
 * which marks it as keycast's without letting a replacing writer take it. Files that systems and
 * keycast's own interrupted writers leave anywhere (`.DS_Store`, `._*`, `*.tmp`) never count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The marker file of a keycast output folder. */
export const OUTPUT_MARKER = '.keycast-output';
/** The marker's first line: a folder keycast replaces whole. */
export const MARKER_TEXT = 'This folder was written by keycast; the next run writing here replaces it whole.\n';
/** The marker's heading before the paths keycast wrote (one per line, `/`-separated, folders ending in `/`). */
const WROTE = 'Written here by keycast (every path):';
/** The marker of a folder keycast writes into but never replaces whole. */
export const CONTAINER_TEXT = 'This folder holds keycast outputs (one per subfolder) and files keycast wrote beside them; keycast writes into it and never replaces it whole.\n';

/** Names that never count as the user's: written by file browsers, or by keycast's own interrupted writers. */
function ignorable(name: string): boolean {
  return name === '.DS_Store' || name.startsWith('._') || name.endsWith('.tmp') || name === 'Thumbs.db';
}

/**
 * Paths under `dir`, relative (folders end in `/`), in readdir order: every entry of each folder
 * walked, and the folders `descend` accepts walked in turn (all of them by default).
 */
function tree(dir: string, descend: (rel: string) => boolean = () => true, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = `${prefix}${e.name}${e.isDirectory() ? '/' : ''}`;
    out.push(rel);
    if (e.isDirectory() && descend(rel)) out.push(...tree(dir, descend, rel));
  }
  return out;
}

/** The marker's text for a replaced folder `dir` as it is now. */
export function markerFor(dir: string): string {
  return `${MARKER_TEXT}${WROTE}\n${tree(dir).sort().map((p) => `${p}\n`).join('')}`;
}

/** Whether `dir`'s marker is a container marker. */
export function isContainer(dir: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, OUTPUT_MARKER), 'utf8').startsWith(CONTAINER_TEXT.slice(0, 40));
  } catch {
    return false;
  }
}

/** Whether `dir`'s marker lists the paths keycast wrote (a replaced folder of this version). */
export function hasPathList(dir: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, OUTPUT_MARKER), 'utf8').includes(`${WROTE}\n`);
  } catch {
    return false;
  }
}

/**
 * The paths `dir`'s marker lists as written by keycast (relative, `/`-separated, folders ending in
 * `/`; the ignorable names left out); undefined when there is no marker or it lists nothing
 * (folders written before it did).
 */
export function listedPaths(dir: string): string[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, OUTPUT_MARKER), 'utf8');
  } catch {
    return undefined;
  }
  const at = text.indexOf(`${WROTE}\n`);
  return at < 0 ? undefined : text.slice(at + WROTE.length + 1).split('\n').filter((rel) => rel && !ignorable(path.posix.basename(rel)));
}

/**
 * Paths under keycast folder `dir` that its marker does not list (a folder not listed is named
 * once, not its contents); none when the marker lists nothing (folders written before it did).
 */
export function foreignPaths(dir: string): string[] {
  const listed = listedPaths(dir);
  if (!listed) return [];
  const wrote = new Set(listed);
  const name = (rel: string) => path.posix.basename(rel);
  // Only listed folders are walked into: an unlisted one is named once, not its contents.
  return tree(dir, (rel) => wrote.has(rel) && !ignorable(name(rel))).filter((rel) => rel !== OUTPUT_MARKER && !wrote.has(rel) && !ignorable(name(rel)));
}

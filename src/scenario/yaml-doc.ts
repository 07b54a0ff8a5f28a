/**
 * The scenario file as a YAML document with positions: parsing it with line numbers (every YAML
 * problem, and aliases naming no anchor, reported at once), `--set path=value` overrides applied to
 * the document, and the line and column of any field path, so that every problem found later
 * (schema, cross-field checks) points at the user's text.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, parse as parseYaml, visit, type Document, type Node } from 'yaml';
import { InputError, type Problem } from '../model/errors.ts';

/** A parsed scenario document and its line counter. */
export interface ScenarioDoc {
  readonly doc: Document;
  readonly lc: LineCounter;
}

/**
 * Parses scenario text into a document whose contents are a mapping; throws `InputError` with
 * every YAML problem (and each alias naming no anchor defined before it).
 */
export function parseScenarioYaml(text: string, file: string): ScenarioDoc {
  const problems: Problem[] = [];
  const add = (p: Omit<Problem, 'file'>) => problems.push({ file, ...p });
  if (text.trim() === '') throw new InputError([{ file, path: '', message: 'the file is empty' }]);
  const lc = new LineCounter();
  // Merge keys (`<<: *base`) are allowed: they let policies share settings.
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, merge: true });
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = e.linePos?.[0];
    add({ path: '', line: pos?.line, col: pos?.col, message: `YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` });
  }
  // An alias whose anchor is missing (or comes after it) would throw inside toJS.
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        const pos = node.range ? lc.linePos(node.range[0]) : undefined;
        add({ path: '', line: pos?.line, col: pos?.col, message: `YAML: alias *${node.source} names no anchor &${node.source} defined before it` });
      }
    },
  });
  if (problems.length) throw new InputError(dedupe(problems));
  if (!isMap(doc.contents)) {
    add({ path: '', line: 1, col: 1, message: 'the document must be a mapping of fields (name:, duration:, …)' });
    throw new InputError(problems);
  }
  return { doc, lc };
}

/** A field the command line set, and the flag that set it. */
export interface CliField {
  readonly path: string;
  readonly flag: string;
  /** The shallowest part of `path` the file did not have (the set created it), if any. */
  readonly created?: string;
}

/**
 * Applies `--set` overrides and `--seed` to the document; returns the fields they set (so that
 * problems in them are reported as flag problems). Problems go to `problems`.
 */
export function applyOverrides(doc: Document, sets: readonly string[], seed: number | undefined, problems: Problem[], file: string): CliField[] {
  const fromCli: CliField[] = [];
  for (const s of sets) {
    // The shallowest part of the path the file does not have, read before the set creates it.
    const parts = setPath(s);
    let k = 1;
    while (parts && k < parts.length && doc.hasIn(parts.slice(0, k))) k++;
    const created = parts && k < parts.length ? pathText(parts.slice(0, k)) : undefined;
    const p = applySet(doc, s, problems, file);
    if (p) fromCli.push({ path: pathText(p), flag: `--set ${s}`, ...(created !== undefined ? { created } : {}) });
  }
  if (seed !== undefined) {
    const viaSet = fromCli.find((c) => c.path === 'seed');
    if (viaSet) problems.push({ file: '<cli>', path: '--seed', message: `and ${viaSet.flag} both set the seed: give one` });
    doc.setIn(['seed'], seed);
    fromCli.push({ path: 'seed', flag: '--seed' });
  }
  return fromCli;
}

/**
 * `sets` without those that set the seed: for the runs a multi-seed command derives from the
 * scenario's seed (seed, seed + 1, …), each given its own seed, where the user's `--set seed=…`
 * already chose the first and would otherwise clash with it.
 */
export function withoutSeedSets(sets: readonly string[]): string[] {
  return sets.filter((s) => {
    const p = setPath(s);
    return !(p && p.length === 1 && p[0] === 'seed');
  });
}

/** The path of `path=value` (`keys.1.share` and `keys[1].share` alike), or undefined without one. */
function setPath(spec: string): (string | number)[] | undefined {
  const eq = spec.indexOf('=');
  if (eq <= 0) return undefined;
  return spec
    .slice(0, eq)
    .trim()
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Applies one `--set path=value` to the YAML document; returns the path set (undefined if it could not). */
export function applySet(doc: Document, spec: string, problems: Problem[], file: string): (string | number)[] | undefined {
  const eq = spec.indexOf('=');
  if (eq <= 0) {
    problems.push({ file: '<cli>', path: '--set', message: `'${spec}' should be path=value` });
    return undefined;
  }
  const p = setPath(spec)!;
  // An index past a list's end would leave holes that the file seems to have: refuse it.
  for (let k = 0; k < p.length; k++) {
    const i = p[k];
    if (typeof i !== 'number') continue;
    const seq = doc.getIn(p.slice(0, k), true);
    if (isSeq(seq) && i > seq.items.length) {
      problems.push({ file: '<cli>', path: `--set ${spec}`, message: `${pathText(p.slice(0, k))} has ${seq.items.length} entr${seq.items.length === 1 ? 'y' : 'ies'}: index ${i} is past its end (${seq.items.length} appends one)` });
      return undefined;
    }
  }
  let value: unknown;
  try {
    value = parseYaml(spec.slice(eq + 1));
  } catch {
    value = spec.slice(eq + 1);
  }
  try {
    doc.setIn(p, value);
  } catch (err) {
    problems.push({ file: '<cli>', path: `--set ${spec}`, message: `cannot set ${p.join('.')} (${(err as Error).message})` });
    return undefined;
  }
  return p;
}

/** Path marker: point at the key of the path's last field (unknown fields). */
export const KEY = Symbol('key');

/** Line and column of the node at `p` (or its closest existing parent). */
export function position(doc: Document, lc: LineCounter, p: readonly PropertyKey[]): { line?: number; col?: number } {
  const keyOnly = p[p.length - 1] === KEY;
  const segs = keyOnly ? p.slice(0, -1) : p;
  let node: unknown = doc.contents;
  let best: Node | undefined = node as Node;
  for (let si = 0; si < segs.length; si++) {
    const seg = segs[si];
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      // Point at a scalar value itself; at the key for collections and missing values.
      best = (pair.key as Node) ?? best;
      if (keyOnly && si === segs.length - 1) break;
      node = pair.value;
      if (node && isScalar(node) && (node as Node).range) best = node as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) break;
      best = node as Node;
    } else break;
  }
  const off = best?.range?.[0];
  if (off === undefined) return {};
  const pos = lc.linePos(off);
  return { line: pos.line, col: pos.col };
}

/** A field path as text: `a.b[2].c`. */
export function pathText(p: readonly PropertyKey[]): string {
  let s = '';
  for (const seg of p) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${String(seg)}` : String(seg);
  return s;
}

/** Drops repeated problems and orders them by position in the file. */
export function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  const order = (p: Problem) => (p.line ?? 0) * 10_000 + (p.col ?? 0);
  return [...ps].sort((a, b) => order(a) - order(b)).filter((p) => {
    const k = `${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

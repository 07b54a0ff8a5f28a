/**
 * Loading scenario files: YAML with line numbers (the `yaml` package), `--set path=value`
 * overrides, schema validation (zod) and the cross-field checks a schema cannot express. Every
 * problem is collected and reported at once as `FILE:LINE:COL field.path: message`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, parse as parseYaml, type Document, type Node } from 'yaml';
import { InputError, type Problem } from '../model/errors.ts';
import { didYouMean } from './did-you-mean.ts';
import { parseExpectation, references, type Expectation } from './expect.ts';
import { metricPathProblem } from './metrics.ts';
import { POLICY_KINDS, scenarioJsonSchema, scenarioSchema, type PolicySpec, type Scenario } from './schema.ts';

/** A validated scenario with where it came from. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file as named by the user (for messages). */
  readonly file: string;
  /** Folder that relative paths in the scenario resolve against. */
  readonly dir: string;
  /** sha256 (hex, 16 chars) of the validated scenario, seed excluded. */
  readonly hash: string;
  /** Parsed `expect:` lines. */
  readonly expectations: readonly Expectation[];
  /** Policies that run, in order (the scenario's, or the defaults). */
  readonly policies: readonly [string, PolicySpec][];
  /**
   * True when the scenario replays a trace and sets no `duration` (neither in the file nor by
   * `--set`): the run then lasts the trace's span ÷ speed, which building the workload resolves
   * into `scenario.duration` (until then it holds the schema default, 1d).
   */
  readonly durationFromTrace?: boolean;
}

/** Options of `loadScenario`. */
export interface LoadOptions {
  /** `path=value` overrides (values are YAML scalars or flow collections). */
  readonly sets?: readonly string[];
  /** Replaces the scenario's seed. */
  readonly seed?: number;
  /** Policy names to keep (must exist). */
  readonly policies?: readonly string[];
}

/** Policy kinds a run can execute today; the default policy list is filtered by it. */
export const IMPLEMENTED_POLICY_KINDS: ReadonlySet<string> = new Set<string>(['static', 'reactive-threshold', 'reactive', 'predictive', 'oracle', 'perfect-forecast', 'mean-oracle']);

const DEFAULT_POLICIES: [string, PolicySpec['kind']][] = [
  ['static', 'static'],
  ['reactive', 'reactive'],
  ['predictive', 'predictive'],
  ['oracle', 'oracle'],
];

/** Reads and validates a scenario file; throws `InputError` listing every problem. */
export function loadScenario(file: string, opts: LoadOptions = {}): LoadedScenario {
  let text: string;
  try {
    if (fs.statSync(file).isDirectory()) throw new InputError([{ file, path: '', message: 'is a folder, not a scenario file' }]);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError([{ file, path: '', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  return parseScenario(text, file, path.dirname(path.resolve(file)), opts);
}

/** Validates scenario text; `file` names it in messages and `dir` resolves relative paths. */
export function parseScenario(text: string, file: string, dir: string, opts: LoadOptions = {}): LoadedScenario {
  const problems: Problem[] = [];
  const add = (p: Omit<Problem, 'file'>) => problems.push({ file, ...p });
  if (text.trim() === '') throw new InputError([{ file, path: '', message: 'the file is empty' }]);

  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    add({ path: '', line: pos?.line, col: pos?.col, message: `YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` });
  }
  if (problems.length) throw new InputError(problems);
  if (!isMap(doc.contents)) {
    add({ path: '', line: 1, col: 1, message: 'the document must be a mapping of fields (name:, duration:, …)' });
    throw new InputError(problems);
  }

  for (const s of opts.sets ?? []) applySet(doc, s, problems, file);
  if (opts.seed !== undefined) doc.setIn(['seed'], opts.seed);
  if (problems.length) throw new InputError(problems);

  const where = (p: readonly PropertyKey[]) => position(doc, lc, p);
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const schema = scenarioJsonSchema();
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const p = [...issue.path, key];
          const hint = didYouMean(key, knownKeys(schema, issue.path, raw));
          add({ path: pathText(p), ...where([...p, KEY]), message: `unknown field${hint ? ` (did you mean '${hint}'?)` : ''}` });
        }
        continue;
      }
      add({ path: pathText(issue.path), ...where(issue.path), message: friendly(issue as never) });
    }
    throw new InputError(dedupe(problems));
  }
  const sc = parsed.data;

  // ---- cross-field checks ----
  const shares = sc.workload.keys.reduce((s, k) => s + k.share, 0);
  if (!sc.workload.trace && Math.abs(shares - 1) > 1e-6) {
    add({ path: 'workload.keys', ...where(['workload', 'keys']), message: `shares sum to ${round(shares)}, not 1` });
  }
  if (sc.cluster.partitions > sc.cluster.maxPartitions) {
    add({ path: 'cluster.partitions', ...where(['cluster', 'partitions']), message: `${sc.cluster.partitions} is above maxPartitions (${sc.cluster.maxPartitions})` });
  }
  if (sc.cluster.partitions > sc.keyspace.buckets) {
    add({ path: 'cluster.partitions', ...where(['cluster', 'partitions']), message: `${sc.cluster.partitions} partitions do not fit in ${sc.keyspace.buckets} buckets` });
  }
  if (sc.cluster.maxPartitions > sc.keyspace.buckets && sc.cluster.maxPartitions !== 1024) {
    add({ path: 'cluster.maxPartitions', ...where(['cluster', 'maxPartitions']), message: `above the ${sc.keyspace.buckets} buckets of the key space` });
  }
  const durationFromTrace = sc.workload.trace !== undefined && (raw as Record<string, unknown>).duration === undefined;
  if (sc.warmup >= sc.duration && !durationFromTrace) {
    add({ path: 'warmup', ...where(['warmup']), message: 'must be shorter than duration' });
  }
  if (sc.tick > 60_000) add({ path: 'tick', ...where(['tick']), message: 'must be at most 1m' });
  if (sc.tick > sc.duration && !durationFromTrace) add({ path: 'tick', ...where(['tick']), message: 'longer than duration' });
  if (sc.duration / sc.tick > 50_000_000) add({ path: 'tick', ...where(['tick']), message: 'more than 50 million ticks: use a longer tick' });
  sc.cluster.faults.crashes.forEach((c, i) => {
    if (c.node >= sc.cluster.nodes) add({ path: `cluster.faults.crashes[${i}].node`, ...where(['cluster', 'faults', 'crashes', i, 'node']), message: `no node ${c.node} (nodes are 0..${sc.cluster.nodes - 1})` });
  });
  sc.cluster.events.forEach((e, i) => {
    if ('removeNode' in e && e.removeNode.node >= sc.cluster.nodes + sc.cluster.events.filter((x) => 'addNode' in x).length) {
      add({ path: `cluster.events[${i}].removeNode.node`, ...where(['cluster', 'events', i, 'removeNode', 'node']), message: `no node ${e.removeNode.node}` });
    }
  });
  sc.workload.keys.forEach((k, i) => {
    if (k.uniform && k.uniform.from >= k.uniform.to) {
      add({ path: `workload.keys[${i}].uniform`, ...where(['workload', 'keys', i, 'uniform']), message: 'from must be below to' });
    }
  });
  const tr = sc.workload.trace;
  if (tr) {
    const abs = path.resolve(dir, tr.file);
    if (!fs.existsSync(abs)) add({ path: 'workload.trace.file', ...where(['workload', 'trace', 'file']), message: `no such file: ${abs}` });
    if (tr.keyPattern !== undefined) {
      try {
        new RegExp(tr.keyPattern);
      } catch {
        add({ path: 'workload.trace.keyPattern', ...where(['workload', 'trace', 'keyPattern']), message: 'not a valid regular expression' });
      }
    }
    if (tr.timezone !== undefined && !validTimezone(tr.timezone)) {
      add({ path: 'workload.trace.timezone', ...where(['workload', 'trace', 'timezone']), message: `unknown time zone '${tr.timezone}' (use Area/City)` });
    }
    if (sc.keyspace.kind !== 'range' && sc.keyspace.kind !== 'hashed') {
      add({ path: 'keyspace.kind', ...where(['keyspace', 'kind']), message: `a trace needs keyspace kind range or hashed, not ${sc.keyspace.kind}` });
    }
  } else if (sc.keyspace.kind === 'range') {
    add({ path: 'keyspace.kind', ...where(['keyspace', 'kind']), message: 'range needs a workload.trace (its keys in string order)' });
  }

  // policies
  let policies: [string, PolicySpec][];
  if (sc.policies) {
    policies = Object.entries(sc.policies);
    for (const [name, spec] of policies) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) add({ path: `policies.${name}`, ...where(['policies', name]), message: 'policy names match [a-z][a-z0-9_]*' });
      else if (!IMPLEMENTED_POLICY_KINDS.has(spec.kind)) {
        add({ path: `policies.${name}.kind`, ...where(['policies', name, 'kind']), message: `policy kind '${spec.kind}' is not implemented yet (available: ${[...IMPLEMENTED_POLICY_KINDS].join(', ')})` });
      }
    }
  } else {
    policies = DEFAULT_POLICIES.filter(([, k]) => IMPLEMENTED_POLICY_KINDS.has(k)).map(([n, k]) => [n, scenarioSchema.shape.policies.unwrap().valueType.parse({ kind: k })]);
  }
  if (opts.policies && opts.policies.length) {
    const known = new Set(policies.map(([n]) => n));
    for (const p of opts.policies) {
      if (!known.has(p)) problems.push({ file: '<cli>', path: '--policies', message: `no policy '${p}' in the scenario (policies: ${[...known].join(', ')})` });
    }
    policies = policies.filter(([n]) => opts.policies!.includes(n));
  }

  // expectations
  const expectations: Expectation[] = [];
  sc.expect.forEach((line, i) => {
    const at = where(['expect', i]);
    try {
      const e = parseExpectation(line);
      for (const r of references(e)) {
        const m = metricPathProblem(r.path);
        if (m) add({ path: `expect[${i}]`, ...at, message: m });
      }
      expectations.push(e);
    } catch (err) {
      add({ path: `expect[${i}]`, ...at, message: `malformed expectation '${line}': ${(err as Error).message}` });
    }
  });

  // sweep grid paths must name scalar fields that exist in the scenario schema
  for (const key of Object.keys(sc.sweep.grid)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) add({ path: `sweep.grid.${key}`, ...where(['sweep', 'grid', key]), message: 'not a field path' });
  }

  if (problems.length) throw new InputError(dedupe(problems));
  const { seed: _seed, ...rest } = sc;
  const hash = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
  return { scenario: sc, file, dir, hash, expectations, policies, ...(durationFromTrace ? { durationFromTrace } : {}) };
}

/** Applies one `--set path=value` to the YAML document. */
function applySet(doc: Document, spec: string, problems: Problem[], file: string): void {
  const eq = spec.indexOf('=');
  if (eq <= 0) {
    problems.push({ file: '<cli>', path: '--set', message: `'${spec}' should be path=value` });
    return;
  }
  const p = spec.slice(0, eq).trim().split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  let value: unknown;
  try {
    value = parseYaml(spec.slice(eq + 1));
  } catch {
    value = spec.slice(eq + 1);
  }
  try {
    doc.setIn(p, value);
  } catch (err) {
    problems.push({ file, path: p.join('.'), message: `--set cannot set this path (${(err as Error).message})` });
  }
}

/** Path marker: point at the key of the path's last field (unknown fields). */
const KEY = Symbol('key');

/** Line and column of the node at `p` (or its closest existing parent). */
function position(doc: Document, lc: LineCounter, p: readonly PropertyKey[]): { line?: number; col?: number } {
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

function pathText(p: readonly PropertyKey[]): string {
  let s = '';
  for (const seg of p) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${String(seg)}` : String(seg);
  return s;
}

/** Field names allowed at `p` according to the JSON Schema (for did-you-mean). */
function knownKeys(schema: Record<string, unknown>, p: readonly PropertyKey[], raw: unknown): string[] {
  const defs = (schema.$defs ?? {}) as Record<string, Record<string, unknown>>;
  const deref = (s: Record<string, unknown>): Record<string, unknown> => {
    const ref = s.$ref as string | undefined;
    return ref && ref.startsWith('#/$defs/') ? deref(defs[ref.slice(8)]) : s;
  };
  let nodes: Record<string, unknown>[] = [schema];
  let value: unknown = raw;
  for (const seg of p) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[seg as string] : undefined;
    const next: Record<string, unknown>[] = [];
    for (const n0 of nodes) {
      for (const n of expand(deref(n0), deref)) {
        if (typeof seg === 'number' && n.items) next.push(n.items as Record<string, unknown>);
        const props = n.properties as Record<string, Record<string, unknown>> | undefined;
        if (typeof seg === 'string' && props?.[seg]) next.push(props[seg]);
        else if (typeof seg === 'string' && n.additionalProperties && typeof n.additionalProperties === 'object') {
          next.push(n.additionalProperties as Record<string, unknown>);
        }
      }
    }
    nodes = next;
  }
  const keys = new Set<string>();
  for (const n0 of nodes) for (const n of expand(deref(n0), deref)) for (const k of Object.keys((n.properties as object) ?? {})) keys.add(k);
  return [...keys];
}

function expand(s: Record<string, unknown>, deref: (s: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown>[] {
  const alts = (s.anyOf ?? s.oneOf ?? s.allOf) as Record<string, unknown>[] | undefined;
  if (!alts) return [s];
  return alts.flatMap((a) => expand(deref(a), deref));
}

/** A zod issue in words a scenario author acts on. */
function friendly(issue: { code: string; message: string; expected?: string; input?: unknown; values?: unknown[]; options?: unknown[] } & Record<string, unknown>): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `should be ${issue.expected === 'number' ? 'a number' : `of type ${issue.expected}`}, not ${describe(issue.input)}`;
    case 'too_small':
      return `${issue.inclusive === false ? 'must be greater than' : 'must be at least'} ${issue.minimum}${issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_big':
      return `${issue.inclusive === false ? 'must be less than' : 'must be at most'} ${issue.maximum}`;
    case 'invalid_value':
      return `should be one of ${(issue.values ?? []).map((v) => String(v)).join(', ')}`;
    case 'invalid_union': {
      const note = issue.note as string | undefined;
      if (note === 'No matching discriminator') return `kind should be one of ${POLICY_KINDS.join(', ')}`;
      return `not a valid value (${issue.message})`;
    }
    case 'not_multiple_of':
      return `must be a whole number`;
    default:
      return issue.message;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `'${v.length > 30 ? v.slice(0, 30) + '…' : v}'`;
  return String(v);
}

/** Drops repeated problems and orders them by position in the file. */
function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  const order = (p: Problem) => (p.line ?? 0) * 10_000 + (p.col ?? 0);
  return [...ps].sort((a, b) => order(a) - order(b)).filter((p) => {
    const k = `${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

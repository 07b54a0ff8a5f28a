/**
 * Loading scenario files: YAML with line numbers (the `yaml` package), `--set path=value`
 * overrides, schema validation (zod) and the cross-field checks a schema cannot express. Every
 * problem is collected and reported at once as `FILE:LINE:COL field.path: message`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, parse as parseYaml, visit, type Document, type Node } from 'yaml';
import { InputError, type Problem } from '../model/errors.ts';
import { didYouMean } from '../model/did-you-mean.ts';
import { bundledScenarioNames, resolveScenarioArg } from './bundled.ts';
import { parseExpectation, references, type Expectation } from './expect.ts';
import { metricPathProblem } from './metrics.ts';
import { scenarioJsonSchema, scenarioSchema, type PolicySpec, type Scenario } from './schema.ts';

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
  /** Expectations left out because they need a policy that `--policies` did not select. */
  readonly skippedExpectations?: readonly SkippedExpectation[];
}

/** An expectation not evaluated, and the policies it needs that did not run. */
export interface SkippedExpectation {
  readonly expr: string;
  readonly notRun: readonly string[];
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
export const IMPLEMENTED_POLICY_KINDS: ReadonlySet<string> = new Set<string>(['static', 'reactive-threshold', 'reactive', 'predictive', 'oracle']);

const DEFAULT_POLICIES: [string, PolicySpec['kind']][] = [
  ['static', 'static'],
  ['reactive', 'reactive'],
  ['predictive', 'predictive'],
  ['oracle', 'oracle'],
];

/** Reads and validates a scenario file; throws `InputError` listing every problem. */
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
  return parseScenario(text, file, path.dirname(path.resolve(file)), opts);
}

/** Validates scenario text; `file` names it in messages and `dir` resolves relative paths. */
export function parseScenario(text: string, file: string, dir: string, opts: LoadOptions = {}): LoadedScenario {
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

  // Fields the command line sets: their problems are reported as flag problems (`<cli>: --set …`).
  const fromCli: { path: string; flag: string }[] = [];
  for (const s of opts.sets ?? []) {
    const p = applySet(doc, s, problems, file);
    if (p) fromCli.push({ path: pathText(p), flag: `--set ${s}` });
  }
  if (opts.seed !== undefined) {
    const viaSet = fromCli.find((c) => c.path === 'seed');
    if (viaSet) problems.push({ file: '<cli>', path: '--seed', message: `and ${viaSet.flag} both set the seed: give one` });
    doc.setIn(['seed'], opts.seed);
    fromCli.push({ path: 'seed', flag: '--seed' });
  }
  if (problems.length) throw new InputError(problems);
  const toCli = (p: Problem): Problem => {
    if (p.file !== file) return p;
    const c = fromCli.find((c) => p.path === c.path || p.path.startsWith(`${c.path}.`) || p.path.startsWith(`${c.path}[`));
    return c ? { file: '<cli>', path: c.flag, message: `${p.path}: ${p.message}` } : p;
  };
  const fail = () => new InputError(dedupe(problems.map(toCli)));

  const where = (p: readonly PropertyKey[]) => position(doc, lc, p);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // e.g. too many aliases, a merge key on something that is not a mapping
    throw new InputError([{ file, path: '', line: 1, col: 1, message: `YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
  // With field errors, the checks below still run on every top-level section that is valid on
  // its own, so that independent problems are reported together.
  let sc: Partial<Scenario>;
  if (parsed.success) sc = parsed.data;
  else {
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
    sc = partialScenario(raw);
  }
  const { workload, cluster, keyspace } = sc;
  const rawDuration = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).duration : undefined;

  // ---- cross-field checks (each where the fields it reads are valid) ----
  if (workload && !workload.trace) {
    const shares = workload.keys.reduce((s, k) => s + k.share, 0);
    if (Math.abs(shares - 1) > 1e-6) add({ path: 'workload.keys', ...where(['workload', 'keys']), message: `shares sum to ${round(shares)}, not 1` });
  }
  if (cluster && cluster.partitions > cluster.maxPartitions) {
    add({ path: 'cluster.partitions', ...where(['cluster', 'partitions']), message: `${cluster.partitions} is above maxPartitions (${cluster.maxPartitions})` });
  }
  if (cluster && keyspace && cluster.partitions > keyspace.buckets) {
    add({ path: 'cluster.partitions', ...where(['cluster', 'partitions']), message: `${cluster.partitions} partitions do not fit in ${keyspace.buckets} buckets` });
  }
  if (cluster && keyspace && cluster.maxPartitions > keyspace.buckets && cluster.maxPartitions !== 1024) {
    add({ path: 'cluster.maxPartitions', ...where(['cluster', 'maxPartitions']), message: `above the ${keyspace.buckets} buckets of the key space` });
  }
  const durationFromTrace = workload !== undefined && workload.trace !== undefined && rawDuration === undefined;
  if (sc.warmup !== undefined && sc.duration !== undefined && sc.warmup >= sc.duration && !durationFromTrace) {
    add({ path: 'warmup', ...where(['warmup']), message: 'must be shorter than duration' });
  }
  if (sc.tick !== undefined) {
    if (sc.tick > 60_000) add({ path: 'tick', ...where(['tick']), message: 'must be at most 1m' });
    if (sc.duration !== undefined && sc.tick > sc.duration && !durationFromTrace) add({ path: 'tick', ...where(['tick']), message: 'longer than duration' });
    if (sc.duration !== undefined && sc.duration / sc.tick > 50_000_000) add({ path: 'tick', ...where(['tick']), message: 'more than 50 million ticks: use a longer tick' });
  }
  if (cluster) {
    cluster.faults.crashes.forEach((c, i) => {
      if (c.node >= cluster.nodes) add({ path: `cluster.faults.crashes[${i}].node`, ...where(['cluster', 'faults', 'crashes', i, 'node']), message: `no node ${c.node} (nodes are 0..${cluster.nodes - 1})` });
    });
    cluster.events.forEach((e, i) => {
      if ('removeNode' in e && e.removeNode.node >= cluster.nodes + cluster.events.filter((x) => 'addNode' in x).length) {
        add({ path: `cluster.events[${i}].removeNode.node`, ...where(['cluster', 'events', i, 'removeNode', 'node']), message: `no node ${e.removeNode.node}` });
      }
    });
  }
  workload?.keys.forEach((k, i) => {
    if (k.uniform && k.uniform.from >= k.uniform.to) {
      add({ path: `workload.keys[${i}].uniform`, ...where(['workload', 'keys', i, 'uniform']), message: 'from must be below to' });
    }
  });
  const tr = workload?.trace;
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
    if (keyspace && keyspace.kind !== 'range' && keyspace.kind !== 'hashed') {
      add({ path: 'keyspace.kind', ...where(['keyspace', 'kind']), message: `a trace needs keyspace kind range or hashed, not ${keyspace.kind}` });
    }
  } else if (workload && keyspace?.kind === 'range') {
    add({ path: 'keyspace.kind', ...where(['keyspace', 'kind']), message: 'range needs a workload.trace (its keys in string order)' });
  }

  // policies (the scenario's, or the defaults when it names none); unknown when `policies:` is invalid
  let policies: [string, PolicySpec][] | undefined;
  const policiesInvalid = raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).policies !== undefined && sc.policies === undefined;
  if (sc.policies) {
    policies = Object.entries(sc.policies);
    for (const [name, spec] of policies) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) add({ path: `policies.${name}`, ...where(['policies', name]), message: 'policy names match [a-z][a-z0-9_]*' });
      else if (!IMPLEMENTED_POLICY_KINDS.has(spec.kind)) {
        add({ path: `policies.${name}.kind`, ...where(['policies', name, 'kind']), message: `policy kind '${spec.kind}' is not implemented yet (available: ${[...IMPLEMENTED_POLICY_KINDS].join(', ')})` });
      }
    }
  } else if (!policiesInvalid) {
    policies = DEFAULT_POLICIES.filter(([, k]) => IMPLEMENTED_POLICY_KINDS.has(k)).map(([n, k]) => [n, scenarioSchema.shape.policies.unwrap().valueType.parse({ kind: k })]);
  }
  const defined = new Set((policies ?? []).map(([n]) => n));
  if (policies && opts.policies && opts.policies.length) {
    for (const p of opts.policies) {
      if (!defined.has(p)) problems.push({ file: '<cli>', path: '--policies', message: `no policy '${p}' in the scenario (policies: ${[...defined].join(', ')})` });
    }
    policies = policies.filter(([n]) => opts.policies!.includes(n));
  }
  const running = new Set((policies ?? []).map(([n]) => n));

  // expectations: well-formed, naming known metrics of defined policies; with --policies, the
  // ones that need a policy not run are skipped (and said so)
  const expectations: Expectation[] = [];
  const skippedExpectations: SkippedExpectation[] = [];
  (sc.expect ?? []).forEach((line, i) => {
    const at = where(['expect', i]);
    try {
      const e = parseExpectation(line);
      let ok = true;
      for (const r of references(e)) {
        const m = metricPathProblem(r.path);
        if (m) {
          add({ path: `expect[${i}]`, ...at, message: m });
          ok = false;
        }
      }
      const named = [...new Set(references(e).map((r) => r.policy))];
      const undefinedPolicies = policies ? named.filter((n) => !defined.has(n)) : [];
      for (const n of undefinedPolicies) {
        add({ path: `expect[${i}]`, ...at, message: `no policy '${n}' in the scenario (policies: ${[...defined].join(', ')})` });
        ok = false;
      }
      const notRun = named.filter((n) => defined.has(n) && !running.has(n));
      if (ok && notRun.length) skippedExpectations.push({ expr: e.expr, notRun });
      else expectations.push(e);
    } catch (err) {
      add({ path: `expect[${i}]`, ...at, message: `malformed expectation '${line}': ${(err as Error).message}` });
    }
  });

  // sweep grid paths must name scalar fields that exist in the scenario schema
  for (const key of Object.keys(sc.sweep?.grid ?? {})) {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) add({ path: `sweep.grid.${key}`, ...where(['sweep', 'grid', key]), message: 'not a field path' });
  }

  if (problems.length || !parsed.success || !policies) throw fail();
  const full = parsed.data;
  const { seed: _seed, ...rest } = full;
  const hash = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
  return {
    scenario: full,
    file,
    dir,
    hash,
    expectations,
    policies,
    ...(skippedExpectations.length ? { skippedExpectations } : {}),
    ...(durationFromTrace ? { durationFromTrace } : {}),
  };
}

/** Each top-level section of `raw` that is valid on its own, parsed (the others left out). */
function partialScenario(raw: unknown): Partial<Scenario> {
  const out: Record<string, unknown> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [key, field] of Object.entries(scenarioSchema.shape)) {
    const r = (field as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse((raw as Record<string, unknown>)[key]);
    if (r.success) out[key] = r.data;
  }
  return out as Partial<Scenario>;
}

/** Applies one `--set path=value` to the YAML document; returns the path set (undefined if it could not). */
function applySet(doc: Document, spec: string, problems: Problem[], file: string): (string | number)[] | undefined {
  const eq = spec.indexOf('=');
  if (eq <= 0) {
    problems.push({ file: '<cli>', path: '--set', message: `'${spec}' should be path=value` });
    return undefined;
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
    problems.push({ file: '<cli>', path: `--set ${spec}`, message: `cannot set ${p.join('.')} (${(err as Error).message})` });
    return undefined;
  }
  return p;
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
      if (note === 'No matching discriminator') return `kind should be one of ${['static', 'reactive', 'reactive-threshold', 'predictive', 'oracle'].join(', ')}`;
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

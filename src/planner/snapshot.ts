/**
 * The `keycast plan` snapshot: parsing and checking a user's JSON (every problem at once, with
 * `FILE:LINE:COL field.path` positions) into a `PlanInput`, and rendering a `PlanResult` as the
 * contract's JSON or as a readable table. Pure functions: no file system, no clock.
 */
import { InputError, makePartitionMap, type Impact, type PlanAction, type Problem } from '../model/index.ts';
import { JsonSyntaxError, parseJsonWithPositions } from './json-positions.ts';
import { planInputProblems } from './plan-repartition.ts';
import type { ClusterSpec, Goals, PlanInput, PlanResult } from './types.ts';

/** Defaults of optional snapshot fields (the scenario defaults). */
export const SNAPSHOT_DEFAULTS = {
  maxPartitions: 1024,
  goals: { imbalance: 1, movement: 0.2, latency: 0.1 },
  threshold: 0.05,
} as const;

const FIELDS: Record<string, readonly string[]> = {
  '': ['buckets', 'load', 'windows', 'upper', 'stateBytes', 'partitions', 'cluster', 'goals', 'threshold'],
  partitions: ['boundaries', 'nodes', 'ids'],
  cluster: ['nodes', 'nodeCapacity', 'maxPartitions', 'partitionCapacity', 'moveBandwidth', 'pauses', 'maxConcurrentOps'],
  'cluster.pauses': ['split', 'merge', 'move'],
  goals: ['imbalance', 'movement', 'latency', 'partitionCount'],
};

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

const SIZE: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const DUR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Bytes/s from a number or `50MB/s`. */
function bandwidth(v: unknown): number | undefined {
  if (typeof v === 'number') return v > 0 && Number.isFinite(v) ? v : undefined;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\/s\s*$/.exec(v) : null;
  return m ? Number(m[1]) * SIZE[m[2]] : undefined;
}

/** Milliseconds from a number (ms) or `50ms`, `1.5s`. */
function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v >= 0 && Number.isFinite(v) ? v : undefined;
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v) : null;
  return m ? Number(m[1]) * DUR[m[2]] : undefined;
}

/**
 * Parses snapshot JSON `text` (named `file` in messages) into a `PlanInput`. Throws `InputError`
 * listing every problem: syntax, unknown fields (with a did-you-mean), wrong types, lengths that
 * do not match `buckets`, and anything `planInputProblems` finds.
 */
export function parseSnapshot(text: string, file: string): PlanInput {
  let root: unknown;
  let positions: Map<string, { line: number; col: number }>;
  try {
    ({ value: root, positions } = parseJsonWithPositions(text));
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new InputError([{ file, line: e.line, col: e.col, path: '', message: `invalid JSON: ${e.message}` }]);
    throw e;
  }
  const problems: Problem[] = [];
  const add = (path: string, message: string) => {
    // Point at the deepest recorded position on the path.
    let p = path;
    let at = positions.get(p);
    while (!at && p) {
      p = p.replace(/(\[\d+\]|\.[^.[\]]+|^[^.[\]]+)$/, '');
      at = positions.get(p);
    }
    problems.push({ file, path, message, line: at?.line, col: at?.col });
  };
  const obj = (v: unknown, path: string): Record<string, unknown> | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      add(path, 'must be an object');
      return undefined;
    }
    const o = v as Record<string, unknown>;
    const known = FIELDS[path] ?? [];
    for (const key of Object.keys(o)) {
      if (known.includes(key)) continue;
      const sub = path ? `${path}.${key}` : key;
      const close = known.map((k) => [k, editDistance(key, k)] as const).sort((a, b) => a[1] - b[1])[0];
      const hint = close && close[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean ${close[0]}?)` : '';
      const at = positions.get(`${sub}#key`);
      problems.push({ file, path: sub, message: `unknown field${hint}`, line: at?.line, col: at?.col });
    }
    return o;
  };
  const num = (v: unknown, path: string, opt: { required?: boolean; int?: boolean; min?: number } = {}): number | undefined => {
    if (v === undefined) {
      if (opt.required) add(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return add(path, 'must be a number'), undefined;
    if (opt.int && !Number.isInteger(v)) return add(path, 'must be an integer'), undefined;
    if (opt.min !== undefined && v < opt.min) return add(path, `must be ≥ ${opt.min}`), undefined;
    return v;
  };
  const vector = (v: unknown, path: string, len: number | undefined): Float64Array | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return add(path, 'must be an array of numbers'), undefined;
    if (len !== undefined && v.length !== len) return add(path, `has ${v.length} values, want buckets = ${len}`), undefined;
    const out = new Float64Array(v.length);
    for (let j = 0; j < v.length; j++) {
      const x = v[j];
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) return add(`${path}[${j}]`, 'must be a number ≥ 0'), undefined;
      out[j] = x;
    }
    return out;
  };
  const matrix = (v: unknown, path: string, len: number | undefined): Float64Array[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0) return add(path, 'must be a non-empty array of windows (arrays of numbers)'), undefined;
    const out: Float64Array[] = [];
    v.forEach((w, i) => {
      const r = vector(w, `${path}[${i}]`, len);
      if (r) out.push(r);
    });
    return out.length === v.length ? out : undefined;
  };

  const o = obj(root, '');
  if (!o) return fail(problems);
  const buckets = num(o.buckets, 'buckets', { required: true, int: true, min: 1 });
  let windows: Float64Array[] | undefined;
  if (o.load !== undefined && o.windows !== undefined) add('windows', 'give either load or windows, not both');
  else if (o.load !== undefined) {
    const l = vector(o.load, 'load', buckets);
    if (l) windows = [l];
  } else if (o.windows !== undefined) windows = matrix(o.windows, 'windows', buckets);
  else add('load', 'is required (or windows)');
  const upper = matrix(o.upper, 'upper', buckets);
  if (upper && windows && upper.length !== windows.length) add('upper', `has ${upper.length} windows, the loads have ${windows.length}`);
  const stateBytes = vector(o.stateBytes, 'stateBytes', buckets);

  const p = obj(o.partitions, 'partitions');
  if (o.partitions === undefined) add('partitions', 'is required');
  let boundaries: number[] | undefined;
  let nodes: number[] | undefined;
  let ids: string[] | undefined;
  if (p) {
    const ints = (v: unknown, path: string): number[] | undefined => {
      if (!Array.isArray(v)) return add(path, v === undefined ? 'is required' : 'must be an array of integers'), undefined;
      let ok = true;
      v.forEach((x, j) => {
        if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
          if (ok) add(`${path}[${j}]`, 'must be an integer ≥ 0');
          ok = false;
        }
      });
      return ok ? (v as number[]) : undefined;
    };
    boundaries = ints(p.boundaries, 'partitions.boundaries');
    nodes = ints(p.nodes, 'partitions.nodes');
    if (p.ids !== undefined) {
      if (!Array.isArray(p.ids) || !p.ids.every((x) => typeof x === 'string' && x.length > 0)) add('partitions.ids', 'must be an array of non-empty strings');
      else ids = p.ids as string[];
    }
    if (boundaries) {
      if (boundaries.length < 2) add('partitions.boundaries', 'needs at least two values (0 and buckets)');
      else {
        if (boundaries[0] !== 0) add('partitions.boundaries[0]', 'must be 0');
        if (buckets !== undefined && boundaries[boundaries.length - 1] !== buckets) {
          add(`partitions.boundaries[${boundaries.length - 1}]`, `must be buckets = ${buckets}`);
        }
        for (let j = 1; j < boundaries.length; j++) {
          if (boundaries[j] <= boundaries[j - 1]) {
            add(`partitions.boundaries[${j}]`, `must be greater than the previous boundary ${boundaries[j - 1]}`);
            break;
          }
        }
      }
      const k = boundaries.length - 1;
      if (nodes && nodes.length !== k) add('partitions.nodes', `has ${nodes.length} values for ${k} partitions`);
      if (ids && ids.length !== k) add('partitions.ids', `has ${ids.length} values for ${k} partitions`);
      if (ids && new Set(ids).size !== ids.length) add('partitions.ids', 'must be unique');
    }
  }

  const c = obj(o.cluster, 'cluster');
  if (o.cluster === undefined) add('cluster', 'is required');
  let cluster: ClusterSpec | undefined;
  if (c) {
    const nodeCount = num(c.nodes, 'cluster.nodes', { required: true, int: true, min: 1 });
    const nodeCapacity = num(c.nodeCapacity, 'cluster.nodeCapacity', { required: true });
    if (nodeCapacity !== undefined && nodeCapacity <= 0) add('cluster.nodeCapacity', 'must be positive');
    const maxPartitions = num(c.maxPartitions, 'cluster.maxPartitions', { int: true, min: 1 }) ?? SNAPSHOT_DEFAULTS.maxPartitions;
    const partitionCapacity = num(c.partitionCapacity, 'cluster.partitionCapacity');
    if (partitionCapacity !== undefined && partitionCapacity <= 0) add('cluster.partitionCapacity', 'must be positive');
    let moveBandwidth: number | undefined;
    if (c.moveBandwidth !== undefined) {
      moveBandwidth = bandwidth(c.moveBandwidth);
      if (moveBandwidth === undefined) add('cluster.moveBandwidth', 'must be bytes/s (a positive number) or like 50MB/s');
    }
    const maxConcurrentOps = num(c.maxConcurrentOps, 'cluster.maxConcurrentOps', { int: true, min: 1 });
    const pz = obj(c.pauses, 'cluster.pauses');
    const pauses: Record<string, number> = {};
    if (pz) {
      for (const k of ['split', 'merge', 'move']) {
        if (pz[k] === undefined) continue;
        const ms = durationMs(pz[k]);
        if (ms === undefined) add(`cluster.pauses.${k}`, 'must be milliseconds (a number ≥ 0) or like 50ms');
        else pauses[k] = ms;
      }
    }
    // Partition nodes ≥ cluster.nodes are allowed: the planner moves partitions off removed nodes.
    if (nodeCount !== undefined && nodeCapacity !== undefined && nodeCapacity > 0) {
      cluster = { nodes: nodeCount, nodeCapacity, maxPartitions, partitionCapacity, moveBandwidth, pauses, maxConcurrentOps };
    }
  }
  const g = obj(o.goals, 'goals');
  const goals: Goals = {
    imbalance: num(g?.imbalance, 'goals.imbalance', { min: 0 }) ?? SNAPSHOT_DEFAULTS.goals.imbalance,
    movement: num(g?.movement, 'goals.movement', { min: 0 }) ?? SNAPSHOT_DEFAULTS.goals.movement,
    latency: num(g?.latency, 'goals.latency', { min: 0 }) ?? SNAPSHOT_DEFAULTS.goals.latency,
    partitionCount: num(g?.partitionCount, 'goals.partitionCount', { int: true, min: 1 }),
  };
  const threshold = num(o.threshold, 'threshold', { min: 0 }) ?? SNAPSHOT_DEFAULTS.threshold;
  if (threshold > 1) add('threshold', 'must be a fraction in [0, 1]');
  if (problems.length > 0 || !windows || !boundaries || !nodes || !cluster || buckets === undefined) return fail(problems);

  const input: PlanInput = {
    map: makePartitionMap(buckets, boundaries, nodes, ids),
    windows,
    upper,
    stateBytes,
    cluster,
    goals,
    threshold,
  };
  for (const pr of planInputProblems(input)) add(pr.path.replace(/^map$/, 'partitions'), pr.message);
  if (problems.length > 0) return fail(problems);
  return input;
}

function fail(problems: Problem[]): never {
  throw new InputError(problems);
}

/** The contract's `Impact` fields (and the extra estimates). */
function impactJson(i: Impact): Record<string, number> {
  return {
    maxPartitionLoad: i.maxPartitionLoad,
    maxNodeLoad: i.maxNodeLoad,
    movedBytes: i.movedBytes,
    imbalance: i.imbalance,
    overloadedWindows: i.overloadedWindows ?? 0,
    disruptionMs: i.disruptionMs ?? 0,
    durationMs: i.durationMs ?? 0,
    cost: i.cost ?? 0,
  };
}

function actionJson(a: PlanAction, deps: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: a.kind, partition: a.partition };
  if (a.kind === 'split' || a.kind === 'create') out.at = a.at;
  if (a.kind === 'move' || a.kind === 'create') out.node = a.node;
  if (a.kind === 'merge') out.with = a.with;
  if (a.kind === 'split' || a.kind === 'create') out.newId = a.newId;
  out.dependsOn = [...deps];
  return out;
}

/**
 * The `keycast plan --json` document. When nothing is proposed, `partitions` is the current map,
 * `actions` is empty and `predicted` equals `current`; the best plan found is under `candidate`
 * and `savings` is its saving (why it was not proposed).
 */
export function planResultJson(r: PlanResult): Record<string, unknown> {
  const plan = r.plan;
  const mapJson = (m: typeof plan.after) => ({ boundaries: [...m.boundaries], nodes: [...m.nodes], ids: [...m.ids] });
  const actions = plan.actions.map((a, i) => actionJson(a, plan.dependsOn[i]));
  const out: Record<string, unknown> = {
    proposed: r.proposed,
    reason: r.reason,
    partitions: mapJson(r.proposed ? plan.after : plan.before),
    actions: r.proposed ? actions : [],
    predicted: impactJson(r.proposed ? r.predicted : r.current),
    current: impactJson(r.current),
    savings: r.savings,
    terms: r.terms,
    optimizer: r.stats,
  };
  if (!r.proposed && plan.actions.length > 0) {
    out.candidate = { partitions: mapJson(plan.after), actions, predicted: impactJson(r.predicted) };
  }
  return out;
}

const fmt = (x: number) => (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : Number(x.toFixed(3)).toString());
function bytes(b: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${u[i]}`;
}

/** One line per action: `3. create p2 at 120 → p9 on node 1  (after 1, 2)`. */
export function describeAction(a: PlanAction): string {
  switch (a.kind) {
    case 'split':
      return `split ${a.partition} at ${a.at} → ${a.newId}`;
    case 'create':
      return `create ${a.partition} at ${a.at} → ${a.newId} on node ${a.node}`;
    case 'merge':
      return `merge ${a.partition} + ${a.with}`;
    case 'move':
      return `move ${a.partition} → node ${a.node}`;
  }
}

/** The readable `keycast plan` output. */
export function formatPlanTable(r: PlanResult): string {
  const plan = r.plan;
  const cur = r.current;
  const pred = r.predicted;
  const lines: string[] = [];
  lines.push(`${r.proposed ? 'PROPOSED' : 'not proposed'}: ${r.reason}`);
  lines.push(`optimizer ${r.stats.optimizer}, ${r.stats.iterations} iterations (${r.stats.ended})`);
  lines.push('');
  const rows: [string, string, string][] = [
    ['', 'current', r.proposed ? 'predicted' : 'best plan'],
    ['partitions', String(plan.before.ids.length), String(plan.after.ids.length)],
    ['max partition load (rec/s)', fmt(cur.maxPartitionLoad), fmt(pred.maxPartitionLoad)],
    ['max node load (rec/s)', fmt(cur.maxNodeLoad), fmt(pred.maxNodeLoad)],
    ['imbalance (max/mean)', fmt(cur.imbalance), fmt(pred.imbalance)],
    ['overloaded windows', String(cur.overloadedWindows ?? 0), String(pred.overloadedWindows ?? 0)],
    ['moved', '-', bytes(pred.movedBytes)],
    ['pauses (ms)', '-', fmt(pred.disruptionMs ?? 0)],
    ['est. duration (s)', '-', fmt((pred.durationMs ?? 0) / 1000)],
    ['cost', fmt(cur.cost ?? 0), fmt(pred.cost ?? 0)],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  for (const [a, b, c] of rows) lines.push(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  lines.push('');
  lines.push(`savings ${(100 * r.savings).toFixed(2)}%`);
  if (plan.actions.length > 0) {
    lines.push('');
    lines.push(`${r.proposed ? 'actions' : 'actions of the best plan (not proposed)'} (${plan.actions.length}):`);
    plan.actions.forEach((a, i) => {
      const deps = plan.dependsOn[i].length > 0 ? `  (after ${plan.dependsOn[i].map((d) => d + 1).join(', ')})` : '';
      lines.push(`  ${String(i + 1).padStart(3)}. ${describeAction(a)}${deps}`);
    });
  }
  return lines.join('\n') + '\n';
}

/**
 * The `keycast plan` snapshot: parsing and checking a user's JSON (every problem at once, with
 * `FILE:LINE:COL field.path` positions) into a `PlanInput`. Pure: no file system, no clock. The
 * output side is `plan-output.ts`.
 */
import { InputError, makePartitionMap, type Problem } from '../model/index.ts';
import { parseBandwidth, parseDuration } from '../model/units.ts';
import { JsonSyntaxError, parseJsonWithPositions, type Position } from './json-positions.ts';
import { planInputProblems } from './plan-repartition.ts';
import { FieldReader } from './snapshot-fields.ts';
import type { ClusterSpec, Goals, PlanInput } from './types.ts';

/** Defaults of optional snapshot fields (the scenario defaults). */
export const SNAPSHOT_DEFAULTS = {
  maxPartitions: 1024,
  goals: { imbalance: 1, movement: 0.2, latency: 0.1 },
  threshold: 0.05,
} as const;

/** The known fields of each object of a snapshot, by the object's path. */
const FIELDS: Record<string, readonly string[]> = {
  '': ['buckets', 'load', 'windows', 'upper', 'stateBytes', 'partitions', 'cluster', 'goals', 'threshold'],
  partitions: ['boundaries', 'nodes', 'ids'],
  cluster: ['nodes', 'inactive', 'nodeCapacity', 'maxPartitions', 'partitionCapacity', 'moveBandwidth', 'pauses', 'maxConcurrentOps'],
  'cluster.pauses': ['split', 'merge', 'move'],
  goals: ['imbalance', 'movement', 'latency', 'partitionCount'],
};

/** Bytes/s from a number or a bandwidth like `50MB/s`. */
function bandwidth(v: unknown): number | undefined {
  return typeof v === 'number' || typeof v === 'string' ? parseBandwidth(v) : undefined;
}

/** Milliseconds from a number (ms) or a duration like `50ms`, `1.5s`, `1m30s`. */
function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v >= 0 && Number.isFinite(v) ? v : undefined;
  return typeof v === 'string' ? parseDuration(v) : undefined;
}

/**
 * Parses snapshot JSON `text` (named `file` in messages) into a `PlanInput`. Throws `InputError`
 * listing every problem: syntax, unknown fields (with a did-you-mean), wrong types, lengths that
 * do not match `buckets`, and anything `planInputProblems` finds.
 */
export function parseSnapshot(text: string, file: string): PlanInput {
  const { root, positions } = parseJson(text, file);
  const r = new FieldReader(file, positions, FIELDS);
  const o = r.object(root, '');
  if (!o) return fail(r.problems);
  const buckets = r.number(o.buckets, 'buckets', { required: true, int: true, min: 1 });
  const { windows, upper, stateBytes } = readLoads(r, o, buckets);
  if (o.partitions === undefined) r.add('partitions', 'is required');
  const partitions = readPartitions(r, r.object(o.partitions, 'partitions'), buckets);
  if (o.cluster === undefined) r.add('cluster', 'is required');
  const cluster = readCluster(r, r.object(o.cluster, 'cluster'));
  const goals = readGoals(r, r.object(o.goals, 'goals'));
  const threshold = r.number(o.threshold, 'threshold', { min: 0 }) ?? SNAPSHOT_DEFAULTS.threshold;
  if (threshold > 1) r.add('threshold', 'must be a fraction in [0, 1]');
  if (r.problems.length > 0 || !windows || !partitions || !cluster || buckets === undefined) return fail(r.problems);
  const input: PlanInput = {
    map: makePartitionMap(buckets, partitions.boundaries, partitions.nodes, partitions.ids),
    windows,
    upper,
    stateBytes,
    cluster,
    goals,
    threshold,
  };
  for (const pr of planInputProblems(input)) r.add(pr.path.replace(/^map$/, 'partitions'), pr.message);
  if (r.problems.length > 0) return fail(r.problems);
  return input;
}

function parseJson(text: string, file: string): { root: unknown; positions: Map<string, Position> } {
  try {
    const { value, positions } = parseJsonWithPositions(text);
    return { root: value, positions };
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new InputError([{ file, line: e.line, col: e.col, path: '', message: `invalid JSON: ${e.message}` }]);
    throw e;
  }
}

/** `load` (one window) or `windows`, and the optional `upper` and `stateBytes`. */
function readLoads(r: FieldReader, o: Record<string, unknown>, buckets: number | undefined) {
  let windows: Float64Array[] | undefined;
  if (o.load !== undefined && o.windows !== undefined) r.add('windows', 'give either load or windows, not both');
  else if (o.load !== undefined) {
    const l = r.vector(o.load, 'load', buckets);
    if (l) windows = [l];
  } else if (o.windows !== undefined) windows = r.windows(o.windows, 'windows', buckets);
  else r.add('load', 'is required (or windows)');
  const upper = r.windows(o.upper, 'upper', buckets);
  if (upper && windows && upper.length !== windows.length) r.add('upper', `has ${upper.length} windows, the loads have ${windows.length}`);
  const stateBytes = r.vector(o.stateBytes, 'stateBytes', buckets);
  return { windows, upper, stateBytes };
}

type PartitionFields = { boundaries: number[]; nodes: number[]; ids: string[] | undefined };

/** `partitions`: boundaries from 0 to `buckets`, increasing; one node (and id, if given) per partition. */
function readPartitions(r: FieldReader, p: Record<string, unknown> | undefined, buckets: number | undefined): PartitionFields | undefined {
  if (!p) return undefined;
  const boundaries = r.integers(p.boundaries, 'partitions.boundaries');
  const nodes = r.integers(p.nodes, 'partitions.nodes');
  let ids: string[] | undefined;
  if (p.ids !== undefined) {
    if (!Array.isArray(p.ids) || !p.ids.every((x) => typeof x === 'string' && x.length > 0)) r.add('partitions.ids', 'must be an array of non-empty strings');
    else ids = p.ids as string[];
  }
  if (boundaries) {
    checkBoundaries(r, boundaries, buckets);
    const k = boundaries.length - 1;
    if (nodes && nodes.length !== k) r.add('partitions.nodes', `has ${nodes.length} values for ${k} partitions`);
    if (ids && ids.length !== k) r.add('partitions.ids', `has ${ids.length} values for ${k} partitions`);
    if (ids && new Set(ids).size !== ids.length) r.add('partitions.ids', 'must be unique');
  }
  return boundaries && nodes ? { boundaries, nodes, ids } : undefined;
}

function checkBoundaries(r: FieldReader, boundaries: readonly number[], buckets: number | undefined): void {
  if (boundaries.length < 2) return r.add('partitions.boundaries', 'needs at least two values (0 and buckets)');
  if (boundaries[0] !== 0) r.add('partitions.boundaries[0]', 'must be 0');
  if (buckets !== undefined && boundaries[boundaries.length - 1] !== buckets) {
    r.add(`partitions.boundaries[${boundaries.length - 1}]`, `must be buckets = ${buckets}`);
  }
  const j = boundaries.findIndex((b, i) => i > 0 && b <= boundaries[i - 1]);
  if (j > 0) r.add(`partitions.boundaries[${j}]`, `must be greater than the previous boundary ${boundaries[j - 1]}`);
}

/** `cluster`; undefined (with problems recorded) when a required field is missing or bad. */
function readCluster(r: FieldReader, c: Record<string, unknown> | undefined): ClusterSpec | undefined {
  if (!c) return undefined;
  const nodeCount = r.number(c.nodes, 'cluster.nodes', { required: true, int: true, min: 1 });
  const nodeCapacity = r.number(c.nodeCapacity, 'cluster.nodeCapacity', { required: true });
  if (nodeCapacity !== undefined && nodeCapacity <= 0) r.add('cluster.nodeCapacity', 'must be positive');
  const maxPartitions = r.number(c.maxPartitions, 'cluster.maxPartitions', { int: true, min: 1 }) ?? SNAPSHOT_DEFAULTS.maxPartitions;
  const partitionCapacity = r.number(c.partitionCapacity, 'cluster.partitionCapacity');
  if (partitionCapacity !== undefined && partitionCapacity <= 0) r.add('cluster.partitionCapacity', 'must be positive');
  let moveBandwidth: number | undefined;
  if (c.moveBandwidth !== undefined) {
    moveBandwidth = bandwidth(c.moveBandwidth);
    if (moveBandwidth === undefined) r.add('cluster.moveBandwidth', 'must be bytes/s (a positive number) or like 50MB/s');
  }
  const maxConcurrentOps = r.number(c.maxConcurrentOps, 'cluster.maxConcurrentOps', { int: true, min: 1 });
  const pauses = readPauses(r, r.object(c.pauses, 'cluster.pauses'));
  const inactive = readInactive(r, c.inactive, nodeCount);
  // Partition nodes ≥ cluster.nodes (or inactive) are allowed: the planner moves partitions off removed nodes.
  if (nodeCount === undefined || nodeCapacity === undefined || nodeCapacity <= 0) return undefined;
  return { nodes: nodeCount, ...(inactive ? { inactive } : {}), nodeCapacity, maxPartitions, partitionCapacity, moveBandwidth, pauses, maxConcurrentOps };
}

/** `cluster.inactive`: node ids below `cluster.nodes` that take no partition (removed or down), at least one node left. */
function readInactive(r: FieldReader, v: unknown, nodes: number | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0 && (nodes === undefined || x < nodes))) {
    r.add('cluster.inactive', `must be an array of node ids below cluster.nodes${nodes !== undefined ? ` (${nodes})` : ''}`);
    return undefined;
  }
  if (nodes !== undefined && new Set(v).size >= nodes) r.add('cluster.inactive', 'must leave at least one node active');
  return v as number[];
}

function readPauses(r: FieldReader, pz: Record<string, unknown> | undefined): Record<string, number> {
  const pauses: Record<string, number> = {};
  if (!pz) return pauses;
  for (const k of ['split', 'merge', 'move']) {
    if (pz[k] === undefined) continue;
    const ms = durationMs(pz[k]);
    if (ms === undefined) r.add(`cluster.pauses.${k}`, 'must be milliseconds (a number ≥ 0) or like 50ms');
    else pauses[k] = ms;
  }
  return pauses;
}

function readGoals(r: FieldReader, g: Record<string, unknown> | undefined): Goals {
  return {
    imbalance: r.number(g?.imbalance, 'goals.imbalance', { min: 0 }) ?? SNAPSHOT_DEFAULTS.goals.imbalance,
    movement: r.number(g?.movement, 'goals.movement', { min: 0 }) ?? SNAPSHOT_DEFAULTS.goals.movement,
    latency: r.number(g?.latency, 'goals.latency', { min: 0 }) ?? SNAPSHOT_DEFAULTS.goals.latency,
    partitionCount: r.number(g?.partitionCount, 'goals.partitionCount', { int: true, min: 1 }),
  };
}

function fail(problems: Problem[]): never {
  throw new InputError(problems);
}

/**
 * The partition map: `k + 1` increasing bucket boundaries from 0 to B, an id and a node per
 * partition. Values only; the cluster and the planner both transform maps through the pure
 * functions here so that the "covers the key space exactly once" invariant is kept in one place.
 */
import { KeycastError } from './errors.ts';

/** An immutable partition map. Partition `i` owns buckets `[boundaries[i], boundaries[i+1])`. */
export interface PartitionMap {
  /** Increases by one with every change. */
  readonly version: number;
  /** Number of fine buckets B of the key space. */
  readonly buckets: number;
  /** `k + 1` strictly increasing integers, `boundaries[0] = 0`, `boundaries[k] = buckets`. */
  readonly boundaries: readonly number[];
  /** Partition ids, unique, `k` of them (`p0`, `p1`, …). */
  readonly ids: readonly string[];
  /** 0-based node index of each partition. */
  readonly nodes: readonly number[];
  /** Next number for a fresh id `p<n>` (ids are never reused). */
  readonly nextId: number;
}

/** `k` equal ranges (on bucket boundaries), round-robin over `nodeCount` nodes. */
export function equalPartitionMap(buckets: number, k: number, nodeCount: number): PartitionMap {
  if (k < 1 || k > buckets) throw new RangeError(`partitions must be in 1..${buckets}, got ${k}`);
  const boundaries: number[] = [];
  for (let i = 0; i <= k; i++) boundaries.push(Math.round((i * buckets) / k));
  const ids = Array.from({ length: k }, (_, i) => `p${i}`);
  const nodes = Array.from({ length: k }, (_, i) => i % nodeCount);
  return { version: 0, buckets, boundaries, ids, nodes, nextId: k };
}

/** Builds a map from explicit fields (ids default to `p0…`); call `mapProblems` to check it. */
export function makePartitionMap(
  buckets: number,
  boundaries: readonly number[],
  nodes: readonly number[],
  ids?: readonly string[],
): PartitionMap {
  const k = boundaries.length - 1;
  const theIds = ids ?? Array.from({ length: k }, (_, i) => `p${i}`);
  let next = k;
  for (const id of theIds) {
    const m = /^p(\d+)$/.exec(id);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return { version: 0, buckets, boundaries: [...boundaries], ids: [...theIds], nodes: [...nodes], nextId: next };
}

/**
 * Invariant check: the partitions cover `[0, buckets)` exactly once, ids are unique, nodes are
 * valid. Returns the problems found (empty when the map is sound).
 */
export function mapProblems(map: PartitionMap, nodeCount?: number): string[] {
  const p: string[] = [];
  const b = map.boundaries;
  const k = b.length - 1;
  if (k < 1) p.push('a map needs at least one partition');
  if (b[0] !== 0) p.push(`first boundary is ${b[0]}, not 0`);
  if (b[k] !== map.buckets) p.push(`last boundary is ${b[k]}, not ${map.buckets}`);
  for (let i = 1; i <= k; i++) {
    if (!(b[i] > b[i - 1])) p.push(`boundaries not increasing at ${i}: ${b[i - 1]} then ${b[i]}`);
    if (!Number.isInteger(b[i])) p.push(`boundary ${i} is not an integer: ${b[i]}`);
  }
  if (map.ids.length !== k) p.push(`${map.ids.length} ids for ${k} partitions`);
  if (map.nodes.length !== k) p.push(`${map.nodes.length} nodes for ${k} partitions`);
  if (new Set(map.ids).size !== map.ids.length) p.push('partition ids are not unique');
  for (const n of map.nodes) {
    if (!Number.isInteger(n) || n < 0 || (nodeCount !== undefined && n >= nodeCount)) {
      p.push(`invalid node ${n}`);
      break;
    }
  }
  return p;
}

/** Number of partitions. */
export function partitionCount(map: PartitionMap): number {
  return map.boundaries.length - 1;
}

/** Index of the partition with this id, or -1. */
export function indexOfPartition(map: PartitionMap, id: string): number {
  return map.ids.indexOf(id);
}

/** Index of the partition that owns `bucket` (binary search). */
export function partitionOfBucket(map: PartitionMap, bucket: number): number {
  const b = map.boundaries;
  let lo = 0;
  let hi = b.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b[mid] <= bucket) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Per-bucket owner index table (length B), for O(1) lookups in hot loops. */
export function ownerTable(map: PartitionMap, out?: Int32Array): Int32Array {
  const t = out ?? new Int32Array(map.buckets);
  const b = map.boundaries;
  for (let i = 0; i + 1 < b.length; i++) t.fill(i, b[i], b[i + 1]);
  return t;
}

/** Load of each partition from a per-bucket load (or count) vector. */
export function partitionLoads(map: PartitionMap, load: ArrayLike<number>): Float64Array {
  const b = map.boundaries;
  const out = new Float64Array(b.length - 1);
  for (let i = 0; i + 1 < b.length; i++) {
    let s = 0;
    for (let j = b[i]; j < b[i + 1]; j++) s += load[j];
    out[i] = s;
  }
  return out;
}

/** Load of each node (`nodeCount` of them) from per-partition loads. */
export function nodeLoads(map: PartitionMap, perPartition: ArrayLike<number>, nodeCount: number): Float64Array {
  const out = new Float64Array(nodeCount);
  for (let i = 0; i < map.nodes.length; i++) out[map.nodes[i]] += perPartition[i];
  return out;
}

// ---- pure transformations (each returns a new map with version + 1, or throws MapError) ----

/** A request that would break the map (unknown id, bad split point, merge across nodes…). */
export class MapError extends KeycastError {
  /** `noop`: the map already is as the action would leave it (e.g. a move to the node it is on). */
  constructor(
    message: string,
    readonly noop = false,
  ) {
    super('MAP', message);
    this.name = 'MapError';
  }
}

function bump(map: PartitionMap, boundaries: number[], ids: string[], nodes: number[], nextId: number): PartitionMap {
  return { version: map.version + 1, buckets: map.buckets, boundaries, ids, nodes, nextId };
}

function indexOrThrow(map: PartitionMap, id: string): number {
  const i = map.ids.indexOf(id);
  if (i < 0) throw new MapError(`no partition ${id}`);
  return i;
}

/**
 * Splits partition `id` at bucket `at` (strictly inside it). The left half keeps the id; the right
 * half gets `newId` (default: the next fresh id) and `node` (default: the same node).
 */
export function splitPartition(map: PartitionMap, id: string, at: number, newId?: string, node?: number): PartitionMap {
  const i = indexOrThrow(map, id);
  const b = map.boundaries;
  if (!Number.isInteger(at) || at <= b[i] || at >= b[i + 1]) {
    throw new MapError(`split point ${at} is not inside ${id} [${b[i]}, ${b[i + 1]})`);
  }
  const fresh = newId ?? `p${map.nextId}`;
  if (map.ids.includes(fresh)) throw new MapError(`partition id ${fresh} already exists`);
  const m = /^p(\d+)$/.exec(fresh);
  const nextId = Math.max(map.nextId, m ? Number(m[1]) + 1 : map.nextId);
  const boundaries = [...b.slice(0, i + 1), at, ...b.slice(i + 1)];
  const ids = [...map.ids.slice(0, i + 1), fresh, ...map.ids.slice(i + 1)];
  const nodes = [...map.nodes.slice(0, i + 1), node ?? map.nodes[i], ...map.nodes.slice(i + 1)];
  return bump(map, boundaries, ids, nodes, nextId);
}

/** Merges adjacent partitions `left` and `right` (left directly below right, same node); left's id survives. */
export function mergePartitions(map: PartitionMap, left: string, right: string): PartitionMap {
  const i = indexOrThrow(map, left);
  const j = indexOrThrow(map, right);
  if (j !== i + 1) throw new MapError(`${left} and ${right} are not adjacent (left then right)`);
  if (map.nodes[i] !== map.nodes[j]) {
    throw new MapError(`${left} (node ${map.nodes[i]}) and ${right} (node ${map.nodes[j]}) are on different nodes`);
  }
  const boundaries = [...map.boundaries.slice(0, j), ...map.boundaries.slice(j + 1)];
  const ids = [...map.ids.slice(0, j), ...map.ids.slice(j + 1)];
  const nodes = [...map.nodes.slice(0, j), ...map.nodes.slice(j + 1)];
  return bump(map, boundaries, ids, nodes, map.nextId);
}

/** Reassigns partition `id` to `node`. */
export function movePartition(map: PartitionMap, id: string, node: number): PartitionMap {
  const i = indexOrThrow(map, id);
  if (!Number.isInteger(node) || node < 0) throw new MapError(`invalid node ${node}`);
  if (map.nodes[i] === node) throw new MapError(`${id} is already on node ${node}`, true);
  const nodes = [...map.nodes];
  nodes[i] = node;
  return bump(map, [...map.boundaries], [...map.ids], nodes, map.nextId);
}

/** Whether some partition of `map` is on a node not in `active` (down, or removed and not yet drained). */
export function onInactiveNode(map: PartitionMap, active: readonly number[]): boolean {
  return map.nodes.some((n) => !active.includes(n));
}

const sameArray = (x: readonly (number | string)[], y: readonly (number | string)[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/** True when two maps have the same boundaries and nodes, ids aside (a plan's new partitions get whatever ids its actions make). */
export function sameCut(a: PartitionMap, b: PartitionMap): boolean {
  return a.buckets === b.buckets && sameArray(a.boundaries, b.boundaries) && sameArray(a.nodes, b.nodes);
}

/** True when two maps have the same boundaries, ids and nodes (versions may differ). */
export function sameLayout(a: PartitionMap, b: PartitionMap): boolean {
  return sameCut(a, b) && sameArray(a.ids, b.ids);
}

/**
 * A layout is what the searches work on: boundaries and a node per partition, without ids. The
 * actions that reach it from the current map (and the ids they create) are derived afterwards.
 */
import type { PartitionMap } from '../model/index.ts';

/** `boundaries`: k + 1 strictly increasing bucket positions from 0 to B; `nodes`: k node ids. */
export interface Layout {
  readonly boundaries: Int32Array;
  readonly nodes: Int32Array;
}

export function layoutOfMap(map: PartitionMap): Layout {
  return { boundaries: Int32Array.from(map.boundaries), nodes: Int32Array.from(map.nodes) };
}

export function copyLayout(l: Layout): Layout {
  return { boundaries: l.boundaries.slice(), nodes: l.nodes.slice() };
}

export function sameLayoutArrays(a: Layout, b: Layout): boolean {
  if (a.boundaries.length !== b.boundaries.length) return false;
  for (let i = 0; i < a.boundaries.length; i++) if (a.boundaries[i] !== b.boundaries[i]) return false;
  for (let i = 0; i < a.nodes.length; i++) if (a.nodes[i] !== b.nodes[i]) return false;
  return true;
}

/** Problems with a layout for `buckets` and `nodeCount` (empty when sound). */
export function layoutProblems(l: Layout, buckets: number, nodeCount: number): string[] {
  const p: string[] = [];
  const b = l.boundaries;
  const k = b.length - 1;
  if (k < 1) return ['no partitions'];
  if (b[0] !== 0 || b[k] !== buckets) p.push('boundaries do not span the key space');
  for (let i = 1; i <= k; i++) if (b[i] <= b[i - 1]) p.push(`boundaries not increasing at ${i}`);
  if (l.nodes.length !== k) p.push('one node per partition needed');
  for (const n of l.nodes) if (n < 0 || n >= nodeCount) p.push(`invalid node ${n}`);
  return p;
}

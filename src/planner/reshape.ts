/** Layout reshaping that changes the partition count: split one partition, merge an adjacent pair. */
import type { PlanContext } from './context.ts';
import type { Layout } from './layout.ts';

/** Splits partition `i` at `x` (strictly inside); the upper half goes to `node`. */
export function splitLayout(_ctx: PlanContext, l: Layout, i: number, x: number, node: number): Layout {
  const b = l.boundaries;
  if (!(x > b[i] && x < b[i + 1])) throw new RangeError(`split point ${x} not inside partition ${i}`);
  const nb = new Int32Array(b.length + 1);
  nb.set(b.subarray(0, i + 1), 0);
  nb[i + 1] = x;
  nb.set(b.subarray(i + 1), i + 2);
  const nn = new Int32Array(l.nodes.length + 1);
  nn.set(l.nodes.subarray(0, i + 1), 0);
  nn[i + 1] = node;
  nn.set(l.nodes.subarray(i + 1), i + 2);
  return { boundaries: nb, nodes: nn };
}

/** Merges partitions `i` and `i + 1`; the merged partition keeps partition i's node. */
export function mergeLayout(_ctx: PlanContext, l: Layout, i: number): Layout {
  const b = l.boundaries;
  const nb = new Int32Array(b.length - 1);
  nb.set(b.subarray(0, i + 1), 0);
  nb.set(b.subarray(i + 2), i + 1);
  const nn = new Int32Array(l.nodes.length - 1);
  nn.set(l.nodes.subarray(0, i + 1), 0);
  nn.set(l.nodes.subarray(i + 2), i + 1);
  return { boundaries: nb, nodes: nn };
}

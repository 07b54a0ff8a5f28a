/**
 * Node placement for a given cut: longest-processing-time first (the heaviest partition goes to
 * the least-loaded node), optionally preferring each partition's home node (where most of its
 * state already is) while that node stays under the fair share, so balance costs few moves.
 */
import { homeNode, leastLoaded, type PlanContext } from './context.ts';

/**
 * Nodes for the partitions of `boundaries`, balancing mean expected load. With `preferHome`, a
 * partition stays on its home node while that node's load stays within `1 + slack` of the fair share.
 */
export function assignNodes(ctx: PlanContext, boundaries: Int32Array, preferHome: boolean, slack = 0.02): Int32Array {
  const k = boundaries.length - 1;
  const N = ctx.nodeCount;
  const usable = ctx.usable;
  const load = new Float64Array(k);
  for (let i = 0; i < k; i++) load[i] = ctx.meanPrefix[boundaries[i + 1]] - ctx.meanPrefix[boundaries[i]];
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => load[b] - load[a] || a - b);
  const nodeLoad = new Float64Array(N);
  const fair = (ctx.meanTotal / ctx.usableCount) * (1 + slack);
  const nodes = new Int32Array(k);
  for (const i of order) {
    let n = -1;
    if (preferHome) {
      const h = homeNode(ctx, boundaries[i], boundaries[i + 1]);
      if (h >= 0 && h < N && usable[h] === 1 && nodeLoad[h] + load[i] <= fair) n = h;
    }
    if (n < 0) n = leastLoaded(ctx, nodeLoad);
    nodes[i] = n;
    nodeLoad[n] += load[i];
  }
  return nodes;
}

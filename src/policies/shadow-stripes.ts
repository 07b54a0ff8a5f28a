/**
 * A striped candidate of the spread strategy (spread.ts) as the strategy would run it if it held
 * it: after each scored window its stripes are re-placed between nodes by stripe-placement.ts, on
 * that window (the strategy scores what happened, so the picture is the window itself, the
 * persistence of a reactive policy, whatever the policy forecasts), when the moves pay within it.
 * The moves of one placement run side by side, each taking its stripe's state over the move
 * bandwidth plus the cut-over pause; the stripes count on their old nodes until the last of them
 * ends, and no new placement starts meanwhile (the held layout is re-placed only when no plan
 * runs). Scored this way, the candidate says what holding stripes would give against chasing,
 * not what round-robin alone gives; a switch then migrates to the placed stripes.
 */
import { partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { ClusterFacts } from './policy.ts';
import { placeStripes } from './stripe-placement.ts';

export class ShadowStripes {
  /** The stripes as placed now (moves of a running placement not yet in). */
  map: PartitionMap;
  private pending: { readonly nodes: readonly number[]; readonly atMs: number } | null = null;

  constructor(start: PartitionMap) {
    this.map = start;
  }

  /** Brings in the running placement's moves when they have all ended by `nowMs`. */
  advance(nowMs: number): void {
    if (this.pending && this.pending.atMs <= nowMs) {
      this.map = { ...this.map, nodes: this.pending.nodes };
      this.pending = null;
    }
  }

  /**
   * Starts a placement for `rates` (records/s per bucket of the window just observed, `windowMs`
   * long) when none runs and some moves pay (`threshold` of what waits without them).
   */
  place(
    nowMs: number,
    rates: Float64Array,
    windowMs: number,
    state: () => Float64Array,
    nodes: readonly number[],
    cluster: Pick<ClusterFacts, 'nodeCapacity' | 'moveBandwidth' | 'moveLoad' | 'pauses' | 'maxConcurrentOps'>,
    threshold: number,
  ): void {
    if (this.pending) return;
    const p = placeStripes({ map: this.map, picture: { windows: [rates], windowMs }, state, nodes, cluster, threshold });
    if (!p) return;
    const bytes = partitionLoads(this.map, state());
    let longest = 0;
    for (let s = 0; s < bytes.length; s++) {
      if (p.map.nodes[s] !== this.map.nodes[s]) longest = Math.max(longest, cluster.pauses.move + (1000 * bytes[s]) / Math.max(1, cluster.moveBandwidth));
    }
    this.pending = { nodes: p.map.nodes, atMs: nowMs + longest };
  }
}

/**
 * A striped candidate of the spread strategy (spread.ts) as the strategy would run it if it held
 * it: after each scored window its stripes are re-placed between nodes by stripe-placement.ts, on
 * that window (the strategy scores what happened, so the picture is the window itself, the
 * persistence of a reactive policy, whatever the policy forecasts), when the moves pay within it.
 * The moves of one placement run side by side, each taking its stripe's state over the move
 * bandwidth plus the cut-over pause; the stripes count on their old nodes until the last of them
 * ends, and no new placement starts meanwhile (the held layout is re-placed only when no plan
 * runs). Until then the nodes they send from and to are `moving`: the score takes `moveLoad` of
 * their capacity, as it does for the actual layout's nodes that transfer state. Scored this way,
 * the candidate says what holding stripes would give against chasing, not what round-robin alone
 * gives (a switch still migrates to the round-robin stripes).
 */
import type { PartitionMap } from '../model/partition-map.ts';
import { placeStripes, type PlacementInput } from './stripe-placement.ts';

export class ShadowStripes {
  /** The stripes as placed now (moves of a running placement not yet in). */
  map: PartitionMap;
  private pending: { readonly nodes: readonly number[]; readonly atMs: number } | null = null;
  /** The nodes sending or receiving a stripe of the running placement (empty when none runs). */
  moving: ReadonlySet<number> = new Set();

  constructor(start: PartitionMap) {
    this.map = start;
  }

  /** Brings in the running placement's moves when they have all ended by `nowMs`. */
  advance(nowMs: number): void {
    if (this.pending && this.pending.atMs <= nowMs) {
      this.map = { ...this.map, nodes: this.pending.nodes };
      this.pending = null;
      this.moving = new Set();
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
    cluster: PlacementInput['cluster'],
    threshold: number,
  ): void {
    if (this.pending) return;
    const p = placeStripes({ map: this.map, picture: { windows: [rates], windowMs }, noise: 0, state, nodes, cluster, threshold });
    if (!p) return;
    this.pending = { nodes: p.map.nodes, atMs: nowMs + p.longestMs };
    const moving = new Set<number>();
    p.map.nodes.forEach((n, s) => n !== this.map.nodes[s] && moving.add(n).add(this.map.nodes[s]));
    this.moving = moving;
  }
}

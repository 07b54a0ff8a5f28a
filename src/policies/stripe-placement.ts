/**
 * Held stripes placed ahead of the load. Round-robin stripes spread a contiguous hot range over
 * every node, but not evenly: a band ten stripes wide covers some nodes twice and others once,
 * and a hot key's stripe sits where round-robin put it. While the spread strategy holds its
 * stripes (spread.ts), each regular decision may move a few of them between nodes — the cut stays
 * — for the load the policy's picture shows coming (forecast, truth or persistence, as the policy
 * plans), and only where a move pays within that picture: a stripe moves in its state's bytes
 * over `moveBandwidth`, so a stripe still cold (little state) moves in a minute or two, while one
 * that is already hot takes longer than it helps. That is what the PRE's cost terms say for
 * chasing, done on the held cut, where the PRE would re-cut.
 *
 * The cost is the records expected to wait, over the picture's windows (the last one held to
 * `PLACE_HORIZON_MS`): a node over capacity delays all its records, and its load is normal around
 * the picture's expected load with the spread of its tick noise (`noise`: the p90 relative excess
 * of a tick's load over its window's mean, as the policy's source measures or knows it; at least
 * `MIN_SPREAD` of the load), so each node counts load × P(load > capacity) per second. The
 * picture's tail (p90) is not read: besides the tick noise, a forecast's tail is its uncertainty
 * about where the load will be, shared by every node, which moving a stripe does not reduce; read
 * as each node's own risk, it made nodes well under capacity look at risk and moves that only
 * added their own load look worth it (docs/study.md, "Stripes placed on the expected load").
 * A move is counted on the old node until its state has been copied and on the new one after;
 * meanwhile both nodes lose `moveLoad` of their capacity, and its cut-over pause delays the
 * stripe's records. Greedy: the best single move, then the next, each
 * from a node where records are expected to wait, each node in at most one move per decision (so
 * moves run side by side at full bandwidth), while one lowers the cost. Proposed only when the
 * moves together save `threshold` of what doing nothing costs and at least `PLACE_MIN_SAVING` of
 * the picture's records: a move is a real disruption, and a saving in the noise of the picture is
 * not worth one (and when less than that waits at all, the search is skipped).
 */
import { cumulativeNormal } from 'vega-statistics';
import { nodeLoads, partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { ClusterFacts } from './policy.ts';
import { Z90 } from './truth-source.ts';

/** The span a placement pays back over: the picture's last window holds until then, ms. */
export const PLACE_HORIZON_MS = 30 * 60_000;
/** Share of the picture's records a placement must save (expected waiting records). */
export const PLACE_MIN_SAVING = 0.001;
/** The least spread (standard deviation) of a node's load, as a share of its expected load. */
export const MIN_SPREAD = 0.02;

export interface PlacementInput {
  /** The held layout as the cluster has it now. */
  readonly map: PartitionMap;
  /** Per-window expected records/s per bucket, and each window's length. */
  readonly picture: { readonly windows: readonly Float64Array[]; readonly windowMs: number };
  /** The p90 relative excess of a tick's load over its window's mean (the source's `tickExcess`; 0: unknown). */
  readonly noise: number;
  /** State bytes per bucket now (read only when some move may pay). */
  readonly state: () => Float64Array;
  /** The nodes that may hold stripes. */
  readonly nodes: readonly number[];
  /** Capacity, move bandwidth and load, cut-over pause; `maxConcurrentOps` bounds the moves of one decision. */
  readonly cluster: Pick<ClusterFacts, 'nodeCapacity' | 'moveBandwidth' | 'moveLoad' | 'pauses' | 'maxConcurrentOps'>;
  /** Share of the do-nothing cost the moves must save. */
  readonly threshold: number;
}

export interface Placement {
  /** The stripes' nodes after the moves (the cut and ids are `map`'s). */
  readonly map: PartitionMap;
  readonly moves: number;
  /** How long the moves take side by side: the longest one's copy and cut-over pause, ms. */
  readonly longestMs: number;
  /** Expected waiting records over the horizon without the moves, and with them. */
  readonly before: number;
  readonly after: number;
}

/** Expected records/s waiting on a node of expected load `m`, spread `rel` × m (at least `MIN_SPREAD` × m), capacity `cap`. */
export function waiting(m: number, rel: number, cap: number): number {
  if (m <= 0) return 0;
  return m * (1 - cumulativeNormal(cap, m, Math.max(rel, MIN_SPREAD) * m));
}

/** A better placement of `map`'s stripes for the picture, or null when no set of moves saves enough. */
export function placeStripes(p: PlacementInput): Placement | null {
  const m = new Model(p);
  // No set of moves saves more than what waits without them.
  const need = Math.max(p.threshold * m.before, PLACE_MIN_SAVING * m.records);
  if (m.before <= 0 || m.before < need) return null;
  m.timings(p.state());
  const nodes = [...p.map.nodes];
  const used = new Set<number>();
  let after = m.before;
  let moves = 0;
  while (moves < p.cluster.maxConcurrentOps) {
    let best: { s: number; b: number; d: number } | null = null;
    for (let s = 0; s < nodes.length; s++) {
      const a = nodes[s];
      // Only a node where records are expected to wait gives up a stripe, and a move saves at most
      // what waits there (adding load does not lower the target's waiting while its stripes'
      // spreads are in proportion to their loads): skip what cannot beat the best.
      if (used.has(a) || m.dur[s] >= m.horizon || m.pause(s) - m.gain[a] >= (best?.d ?? 0)) continue;
      m.timing(s);
      // A move's change splits into the source's part and the target's, which is never below 0.
      const from = m.sourceDelta(s, a);
      if (from >= (best?.d ?? 0)) continue;
      for (const b of p.nodes) {
        if (b === a || used.has(b)) continue;
        const d = from + m.targetDelta(s, b);
        if (d < (best?.d ?? 0)) best = { s, b, d };
      }
    }
    if (!best) break;
    const a = nodes[best.s];
    m.timing(best.s);
    after += m.delta(best.s, a, best.b);
    m.move(best.s, a, best.b);
    nodes[best.s] = best.b;
    used.add(a).add(best.b);
    moves++;
  }
  if (moves === 0 || m.before - after < need) return null;
  let longestMs = 0;
  for (let s = 0; s < nodes.length; s++) if (nodes[s] !== p.map.nodes[s]) longestMs = Math.max(longestMs, m.dur[s]);
  return { map: { ...p.map, nodes }, moves, longestMs, before: m.before, after };
}

/** The picture per segment: each stripe's and node's expected load and spread, and the moves' timing. */
class Model {
  readonly seg: Segment[];
  readonly horizon: number;
  /** Per segment, per stripe: expected load; per node: their sums. */
  private readonly lm: Float64Array[];
  private readonly nm: Float64Array[];
  /** Per segment, per node: records/s expected to wait, at full capacity and while moving state. */
  private readonly w: Float64Array[];
  private readonly wl: Float64Array[];
  /** Per node: records expected to wait on it over the horizon (what moving off it can save at most). */
  readonly gain: Float64Array;
  /** Each stripe's move, ms: its state over the bandwidth, and the cut-over pause. */
  readonly dur: Float64Array;
  /** The picture's records, and those expected to wait without a move. */
  readonly records: number = 0;
  readonly before: number = 0;
  /** Each segment's share after the copy of the move being priced. */
  private readonly fa: Float64Array;
  private readonly cap: number;
  private readonly low: number;
  /** A node's load spread as a share of its load. */
  private readonly rel: number;

  constructor(private readonly p: PlacementInput) {
    const c = p.cluster;
    const map = p.map;
    this.cap = c.nodeCapacity;
    this.low = c.nodeCapacity * (1 - (c.moveLoad ?? 0));
    this.rel = Math.max(0, p.noise) / Z90;
    this.seg = segments(p.picture.windows.length, p.picture.windowMs);
    this.horizon = this.seg[this.seg.length - 1].end;
    this.fa = new Float64Array(this.seg.length);
    const dim = Math.max(...p.nodes, ...map.nodes) + 1;
    this.lm = this.seg.map((_, j) => partitionLoads(map, p.picture.windows[j]));
    this.nm = this.lm.map((l) => nodeLoads(map, l, dim));
    this.w = this.seg.map(() => new Float64Array(dim));
    this.wl = this.seg.map(() => new Float64Array(dim));
    this.gain = new Float64Array(dim);
    for (let n = 0; n < dim; n++) this.update(n);
    for (let j = 0; j < this.seg.length; j++) {
      for (let n = 0; n < dim; n++) {
        this.records += this.seg[j].len * this.nm[j][n];
        this.before += this.seg[j].len * this.w[j][n];
      }
    }
    this.dur = new Float64Array(map.nodes.length);
  }

  /** Each stripe's move time from the state per bucket. */
  timings(state: Float64Array): void {
    const c = this.p.cluster;
    const bytes = partitionLoads(this.p.map, state);
    for (let s = 0; s < this.dur.length; s++) this.dur[s] = c.pauses.move + (1000 * bytes[s]) / Math.max(1, c.moveBandwidth);
  }

  /** Records stripe `s`'s cut-over pause delays. */
  pause(s: number): number {
    return this.lm[0][s] * (this.p.cluster.pauses.move / 1000);
  }

  /** Node `n`'s waiting records/s per segment, and its bound on a move's saving. */
  private update(n: number): void {
    let g = 0;
    for (let j = 0; j < this.seg.length; j++) {
      this.w[j][n] = waiting(this.nm[j][n], this.rel, this.cap);
      this.wl[j][n] = waiting(this.nm[j][n], this.rel, this.low);
      g += this.seg[j].len * this.w[j][n];
    }
    this.gain[n] = g;
  }

  /** Sets each segment's share after stripe `s`'s copy, started now. */
  timing(s: number): void {
    for (let j = 0; j < this.seg.length; j++) {
      const g = this.seg[j];
      this.fa[j] = Math.min(1, Math.max(0, (g.end - Math.max(g.start, this.dur[s])) / (g.end - g.start)));
    }
  }

  /** The change in expected waiting records of moving stripe `s` from node `a` to `b` (after `timing(s)`). */
  delta(s: number, a: number, b: number): number {
    return this.sourceDelta(s, a) + this.targetDelta(s, b);
  }

  /**
   * The source's part of `delta`: the cut-over pause, and node `a`'s waiting while it moves state
   * (less capacity) and after the copy (without the stripe), against its waiting now.
   */
  sourceDelta(s: number, a: number): number {
    const { lm, nm, w, wl, cap, rel } = this;
    let d = this.pause(s);
    for (let j = 0; j < this.seg.length; j++) {
      const f = this.fa[j];
      // Before the copy ends the stripe is still on a; no need to price what comes after it.
      const next = f > 0 ? waiting(nm[j][a] - lm[j][s], rel, cap) : 0;
      d += this.seg[j].len * ((1 - f) * wl[j][a] + f * next - w[j][a]);
    }
    return d;
  }

  /**
   * The target's part of `delta`: node `b`'s waiting while it takes state and after, with the
   * stripe, against now. Never below 0 (waiting grows with load and with less capacity), so
   * `sourceDelta` bounds a move's saving whatever its target.
   */
  targetDelta(s: number, b: number): number {
    const { lm, nm, w, wl, cap, rel } = this;
    let d = 0;
    for (let j = 0; j < this.seg.length; j++) {
      const f = this.fa[j];
      const next = f > 0 ? waiting(nm[j][b] + lm[j][s], rel, cap) : 0;
      d += this.seg[j].len * ((1 - f) * wl[j][b] + f * next - w[j][b]);
    }
    return d;
  }

  /** Records stripe `s` on node `b` instead of `a`. */
  move(s: number, a: number, b: number): void {
    const { lm, nm } = this;
    for (let j = 0; j < this.seg.length; j++) {
      nm[j][a] -= lm[j][s];
      nm[j][b] += lm[j][s];
    }
    this.update(a);
    this.update(b);
  }
}

interface Segment {
  readonly start: number;
  readonly end: number;
  /** Seconds. */
  readonly len: number;
}

/** The picture's windows as spans from now, the last one held to at least `PLACE_HORIZON_MS`. */
function segments(n: number, windowMs: number): Segment[] {
  return Array.from({ length: n }, (_, j) => {
    const start = j * windowMs;
    const end = j === n - 1 ? Math.max((j + 1) * windowMs, PLACE_HORIZON_MS) : (j + 1) * windowMs;
    return { start, end, len: (end - start) / 1000 };
  });
}

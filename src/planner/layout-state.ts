/**
 * A layout under evaluation, with the aggregates every cost term reads kept up to date
 * incrementally: per-window partition loads (max trees), node loads and the largest of them
 * (lazily), partitions above their cap, moved state bytes and the operation penalties. Moving one
 * boundary or one partition costs O(windows · log k); the searches rely on it to try tens of
 * thousands of moves per second.
 */
import { offNode, type PlanContext } from './context.ts';
import type { Layout } from './layout.ts';
import { addThrough, boundaryTerm, growShifts, moveDelta, nodeAdd, scanMax, shifts } from './layout-arith.ts';
import type { LayoutView } from './layout-view.ts';
import { MaxTree } from './max-tree.ts';

export type { LayoutView } from './layout-view.ts';
export { boundaryTerm, moveDelta } from './layout-arith.ts';

let partScratch = new Float64Array(64);
/** A scratch buffer of at least `k` values (the constructor's per-window partition loads). */
function partBuffer(k: number): Float64Array {
  if (partScratch.length < k) partScratch = new Float64Array(2 * k);
  return partScratch;
}

/**
 * One kind of load (expected or tail) of a new state, per window: the partitions' loads into a max
 * tree (the donor's rebuilt, else one in `store` from slot `slot0 + w`) and the node loads, adding
 * each partition in order to `squares` (sum of squares) and `excess` (over the partition cap)
 * when given.
 */
function fillLoads(
  ctx: PlanContext,
  prefixes: readonly Float64Array[],
  b: Int32Array,
  nodes: Int32Array,
  trees: MaxTree[],
  nodeLoads: Float64Array[],
  donorTrees: readonly MaxTree[] | undefined,
  donorNodes: readonly Float64Array[] | undefined,
  store: Float64Array | undefined,
  slot0: number,
  squares: Float64Array | undefined,
  excess: Float64Array | undefined,
): void {
  const k = b.length - 1;
  const cap = ctx.partitionCapacity;
  const part = partBuffer(k);
  const len = MaxTree.storageFor(k);
  for (let w = 0; w < prefixes.length; w++) {
    const p = prefixes[w];
    const nl = donorNodes ? donorNodes[w].fill(0) : new Float64Array(ctx.nodeSlots);
    for (let i = 0; i < k; i++) {
      part[i] = p[b[i + 1]] - p[b[i]];
      nl[nodes[i]] += part[i];
      if (squares) squares[w] += part[i] * part[i];
      if (excess) excess[w] += Math.max(0, part[i] - cap);
    }
    const slot = slot0 + w;
    trees.push(donorTrees ? donorTrees[w].rebuilt(part, k) : new MaxTree(part, k, store!.subarray(slot * len, (slot + 1) * len)));
    nodeLoads.push(nl);
  }
}

/** Mutable evaluation state of one layout (fixed k; changing k means building a new state). */
export class LayoutState implements LayoutView {
  readonly k: number;
  readonly boundaries: Int32Array;
  readonly nodes: Int32Array;
  movedBytes = 0;
  movedLoad = 0;
  boundaryPenalty = 0;
  invalidNodes = 0;
  /** Bytes each node slot sends or receives (see `LayoutView.through`); only when `ctx.moveLoad` > 0. */
  readonly through: Float64Array | undefined;
  private readonly trees: MaxTree[];
  private readonly upTrees: MaxTree[] | undefined;
  private readonly nodeLoad: Float64Array[];
  private readonly nodeUpper: Float64Array[] | undefined;
  private readonly excess: Float64Array;
  private readonly sumSq: Float64Array;
  /**
   * Per window, max(0, largest node load) (and of the tail loads) unless the window's dirty flag
   * is set: a node load that rises above it raises it, one that falls from it sets the flag, and
   * the next read scans the nodes again. The scan is the one the terms did themselves, so the
   * value is the same bit for bit; most moves leave the largest node alone.
   */
  private readonly maxLoad: Float64Array;
  private readonly maxUpper: Float64Array;
  private readonly maxDirty: Uint8Array;
  private readonly upperDirty: Uint8Array;

  /**
   * `donor`: a state the caller discards; its buffers (trees, node loads) are reused, so it must
   * not be used afterwards. The result is the same as without one. `squares`: keep
   * `sumSquares` (only the greedy search reads it; the others skip its upkeep).
   */
  constructor(
    readonly ctx: PlanContext,
    layout: Layout,
    donor?: LayoutState,
    readonly squares = false,
  ) {
    const b = (this.boundaries = layout.boundaries.slice());
    this.nodes = layout.nodes.slice();
    const k = (this.k = b.length - 1);
    const W = ctx.windowCount;
    const reuse = donor !== undefined && donor.ctx === ctx;
    const tail = ctx.upperPrefix !== undefined;
    this.excess = reuse ? donor.excess.fill(0) : new Float64Array(W);
    this.sumSq = reuse ? donor.sumSq.fill(0) : new Float64Array(W);
    // Without a donor, every tree of the state lives in one buffer (one allocation, not one per tree).
    const store = reuse ? undefined : new Float64Array(MaxTree.storageFor(k) * W * (tail ? 2 : 1));
    this.trees = [];
    this.nodeLoad = [];
    fillLoads(ctx, ctx.prefix, b, this.nodes, this.trees, this.nodeLoad, reuse ? donor.trees : undefined, reuse ? donor.nodeLoad : undefined, store, 0, squares ? this.sumSq : undefined, tail ? undefined : this.excess);
    this.maxLoad = new Float64Array(W);
    this.maxDirty = new Uint8Array(W).fill(1);
    this.maxUpper = tail ? new Float64Array(W) : this.maxLoad;
    this.upperDirty = tail ? new Uint8Array(W).fill(1) : this.maxDirty;
    if (tail) {
      this.upTrees = [];
      this.nodeUpper = [];
      fillLoads(ctx, ctx.upperPrefix!, b, this.nodes, this.upTrees, this.nodeUpper, reuse ? donor.upTrees : undefined, reuse ? donor.nodeUpper : undefined, store, W, undefined, this.excess);
    }
    this.through = ctx.moveLoad > 0 ? (reuse && donor.through ? donor.through.fill(0) : new Float64Array(ctx.nodeSlots)) : undefined;
    for (let i = 0; i < k; i++) {
      const n = this.nodes[i];
      if (this.through) addThrough(ctx, b[i], b[i + 1], n, 1, this.through);
      this.movedBytes += offNode(ctx, ctx.statePrefix, b[i], b[i + 1], n);
      this.movedLoad += offNode(ctx, ctx.meanPrefix, b[i], b[i + 1], n);
      if (ctx.usable[n] !== 1) this.invalidNodes++;
    }
    // Current boundaries that the layout drops are merges; new ones are splits.
    this.boundaryPenalty = ctx.mergeAllPenalty;
    for (let i = 1; i < k; i++) this.boundaryPenalty += this.boundaryTerm(b[i]);
  }

  /** Change in penalty when the layout has a boundary at `x` (vs not). */
  private boundaryTerm(x: number): number {
    return boundaryTerm(this.ctx, x);
  }

  maxPartitionLoad(w: number): number {
    return this.trees[w].max();
  }
  maxPartitionUpper(w: number): number {
    return (this.upTrees ?? this.trees)[w].max();
  }
  nodeLoads(w: number): Float64Array {
    return this.nodeLoad[w];
  }
  nodeUppers(w: number): Float64Array {
    return (this.nodeUpper ?? this.nodeLoad)[w];
  }
  maxNodeLoad(w: number): number {
    if (this.maxDirty[w] !== 0) {
      this.maxLoad[w] = scanMax(this.nodeLoad[w]);
      this.maxDirty[w] = 0;
    }
    return this.maxLoad[w];
  }
  maxNodeUpper(w: number): number {
    // Without a tail these are the expected loads' own maximum and flag (see the constructor).
    if (this.upperDirty[w] !== 0) {
      this.maxUpper[w] = scanMax(this.nodeUppers(w));
      this.upperDirty[w] = 0;
    }
    return this.maxUpper[w];
  }
  partitionExcess(w: number): number {
    return this.excess[w];
  }
  /** Σ of squared expected partition loads in window `w` (a smooth measure of heat, for tie-breaks). */
  sumSquares(w: number): number {
    if (!this.squares) throw new RangeError('sumSquares needs a LayoutState built with squares = true');
    return this.sumSq[w];
  }
  /** Expected load of partition `i` in window `w`. */
  partitionLoad(w: number, i: number): number {
    return this.trees[w].get(i);
  }
  /** Tail load of partition `i` in window `w` (expected when the input has no tail). */
  partitionUpper(w: number, i: number): number {
    return (this.upTrees ?? this.trees)[w].get(i);
  }
  /** Largest expected (`up`: tail) partition load in window `w` outside partitions `[lo, hi)`; −Infinity if none. */
  maxLoadOutside(w: number, lo: number, hi: number, up: boolean): number {
    const t = (up ? (this.upTrees ?? this.trees) : this.trees)[w];
    return Math.max(t.rangeMax(0, lo), t.rangeMax(hi, this.k));
  }
  /** Index of the partition with the largest expected load in window `w`. */
  hottestPartition(w: number): number {
    return this.trees[w].argmax();
  }
  /** Mean-over-windows expected load of partition `i`. */
  meanPartitionLoad(i: number): number {
    return this.ctx.meanPrefix[this.boundaries[i + 1]] - this.ctx.meanPrefix[this.boundaries[i]];
  }

  /**
   * Moves interior boundary `j` (1 ≤ j ≤ k − 1) to `x`, with `boundaries[j−1] < x < boundaries[j+1]`.
   * The buckets in between change owner between partitions j − 1 and j.
   */
  shiftBoundary(j: number, x: number): void {
    if (x === this.boundaries[j]) return;
    shifts.j[0] = j;
    shifts.x[0] = x;
    this.applyShifts(1);
  }

  /**
   * Applies the shifts `(shifts.j[t], shifts.x[t])`, t < n, in order, each as `shiftBoundary`
   * would (x ≠ the boundary's position, strictly between its neighbours when applied). Every
   * window's loads see the shifts in the same order, so each sum rounds exactly as it would one
   * shift at a time; the windows are visited once for all of them, and each max tree's inner
   * nodes are brought up to date once, over the leaves the shifts touched.
   */
  private applyShifts(n: number): void {
    const ctx = this.ctx;
    const b = this.boundaries;
    const nodes = this.nodes;
    growShifts(n);
    const { j: js, x: xs, lo, hi, gain, lose } = shifts;
    for (let t = 0; t < n; t++) {
      const j = js[t];
      const x = xs[t];
      const old = b[j];
      // Growing partition j−1 (x > old) takes [old, x) from j; else j takes [x, old) from j−1.
      lo[t] = x > old ? old : x;
      hi[t] = x > old ? x : old;
      gain[t] = x > old ? j - 1 : j;
      lose[t] = x > old ? j : j - 1;
      b[j] = x;
      this.boundaryPenalty += this.boundaryTerm(x) - this.boundaryTerm(old);
      const ng = nodes[gain[t]];
      const nl = nodes[lose[t]];
      if (ng !== nl) this.moveRange(lo[t], hi[t], ng, nl);
    }
    // The leaves touched: partitions j − 1 and j of every shift.
    let first = this.k;
    let last = -1;
    for (let t = 0; t < n; t++) {
      if (js[t] - 1 < first) first = js[t] - 1;
      if (js[t] > last) last = js[t];
    }
    const capped = ctx.partitionCapacity !== Infinity;
    const tail = this.upTrees !== undefined;
    for (let w = 0; w < ctx.windowCount; w++) {
      this.shiftWindow(w, n, ctx.prefix[w], this.trees[w], this.nodeLoad[w], this.maxLoad, this.maxDirty, this.squares, capped && !tail);
      this.trees[w].refresh(first, last);
      if (tail) {
        this.shiftWindow(w, n, ctx.upperPrefix![w], this.upTrees![w], this.nodeUpper![w], this.maxUpper, this.upperDirty, false, capped);
        this.upTrees![w].refresh(first, last);
      }
    }
  }

  /**
   * One window's part of `applyShifts` on the expected or the tail loads (`p`, `tree`, node loads
   * `L` with their maximum `max`/`dirty`): the leaves (their tree refreshed by the caller), the
   * sum of squares (`squares`) and the partition excess (`excess`), each in shift order.
   */
  private shiftWindow(w: number, n: number, p: Float64Array, tree: MaxTree, L: Float64Array, max: Float64Array, dirty: Uint8Array, squares: boolean, excess: boolean): void {
    const { lo, hi, gain, lose } = shifts;
    const nodes = this.nodes;
    const cap = this.ctx.partitionCapacity;
    let sq = this.sumSq[w];
    let ex = this.excess[w];
    for (let t = 0; t < n; t++) {
      const d = p[hi[t]] - p[lo[t]];
      const g = gain[t];
      const l = lose[t];
      const og = tree.get(g);
      const vg = og + d;
      tree.setLeaf(g, vg);
      const ol = tree.get(l);
      const vl = ol - d;
      tree.setLeaf(l, vl);
      if (squares) {
        sq += vg * vg - og * og;
        sq += vl * vl - ol * ol;
      }
      if (excess) {
        ex += Math.max(0, vg - cap) - Math.max(0, og - cap);
        ex += Math.max(0, vl - cap) - Math.max(0, ol - cap);
      }
      if (nodes[g] !== nodes[l]) {
        nodeAdd(L, max, dirty, w, nodes[g], d);
        nodeAdd(L, max, dirty, w, nodes[l], -d);
      }
    }
    this.sumSq[w] = sq;
    this.excess[w] = ex;
  }

  /** Buckets `[lo, hi)` change node from `from` to `to` (see `moveDelta`). */
  private moveRange(lo: number, hi: number, to: number, from: number): void {
    const d = moveDelta(this.ctx, lo, hi, to, from);
    this.movedBytes += d[0];
    this.movedLoad += d[1];
    if (this.through) {
      addThrough(this.ctx, lo, hi, from, -1, this.through);
      addThrough(this.ctx, lo, hi, to, 1, this.through);
    }
  }

  /** Assigns partition `i` to `node` (< ctx.nodeSlots). */
  setNode(i: number, node: number): void {
    const old = this.nodes[i];
    if (old === node) return;
    const ctx = this.ctx;
    const lo = this.boundaries[i];
    const hi = this.boundaries[i + 1];
    for (let w = 0; w < ctx.windowCount; w++) {
      const d = this.trees[w].get(i);
      const L = this.nodeLoad[w];
      nodeAdd(L, this.maxLoad, this.maxDirty, w, old, -d);
      nodeAdd(L, this.maxLoad, this.maxDirty, w, node, d);
      if (this.upTrees) {
        const du = this.upTrees[w].get(i);
        const U = this.nodeUpper![w];
        nodeAdd(U, this.maxUpper, this.upperDirty, w, old, -du);
        nodeAdd(U, this.maxUpper, this.upperDirty, w, node, du);
      }
    }
    this.moveRange(lo, hi, node, old);
    this.invalidNodes += (ctx.usable[node] !== 1 ? 1 : 0) - (ctx.usable[old] !== 1 ? 1 : 0);
    this.nodes[i] = node;
  }

  /**
   * Sets interior boundaries `from … from + xs.length − 1` to `xs` (strictly increasing, inside
   * the fixed outer boundaries `from − 1` and `from + xs.length`). Used to re-cut a run of partitions.
   */
  setBoundaries(from: number, xs: ArrayLike<number>): void {
    // Left-moving boundaries go first from the left, then right-moving ones from the right, so
    // every single shift keeps the boundaries strictly increasing.
    growShifts(xs.length);
    const { j, x } = shifts;
    let n = 0;
    for (let t = 0; t < xs.length; t++) {
      if (xs[t] < this.boundaries[from + t]) {
        j[n] = from + t;
        x[n++] = xs[t];
      }
    }
    for (let t = xs.length - 1; t >= 0; t--) {
      if (xs[t] > this.boundaries[from + t]) {
        j[n] = from + t;
        x[n++] = xs[t];
      }
    }
    if (n > 0) this.applyShifts(n);
  }

  /** A copy of the layout. */
  layout(): Layout {
    return { boundaries: this.boundaries.slice(), nodes: this.nodes.slice() };
  }
}

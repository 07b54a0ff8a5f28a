/**
 * A layout under evaluation, with the aggregates every cost term reads kept up to date
 * incrementally: per-window partition loads (max trees), node loads and the largest of them
 * (lazily), partitions above their cap, moved state bytes and the operation penalties. Moving one
 * boundary or one partition costs O(windows · log k); the searches rely on it to try tens of
 * thousands of moves per second.
 */
import { offNode, type PlanContext } from './context.ts';
import type { Layout } from './layout.ts';
import { MaxTree } from './max-tree.ts';

/** Read-only view the cost terms get. */
export interface LayoutView {
  readonly ctx: PlanContext;
  /** Number of partitions. */
  readonly k: number;
  readonly boundaries: Int32Array;
  readonly nodes: Int32Array;
  /** Largest expected partition load in search window `w`. */
  maxPartitionLoad(w: number): number;
  /** Largest tail partition load in window `w` (expected when the input has no tail). */
  maxPartitionUpper(w: number): number;
  /** Expected load of each node slot in window `w` (read-only; length `ctx.nodeSlots`). */
  nodeLoads(w: number): Float64Array;
  /** Tail load of each node slot in window `w` (expected when no tail is given). */
  nodeUppers(w: number): Float64Array;
  /** max(0, largest entry of `nodeLoads(w)`): kept up to date lazily, so reading it is O(1) mostly. */
  maxNodeLoad(w: number): number;
  /** max(0, largest entry of `nodeUppers(w)`). */
  maxNodeUpper(w: number): number;
  /** Σ over partitions of max(0, tail load − partition capacity) in window `w`. */
  partitionExcess(w: number): number;
  /** State bytes whose node differs from the current map's. */
  readonly movedBytes: number;
  /** Mean records/s of the buckets that change node. */
  readonly movedLoad: number;
  /** Stall-seconds of the splits and merges the boundaries imply. */
  readonly boundaryPenalty: number;
  /** Partitions on a node id ≥ nodeCount. */
  readonly invalidNodes: number;
}

let partScratch = new Float64Array(64);
/** A scratch buffer of at least `k` values (the constructor's per-window partition loads). */
function partBuffer(k: number): Float64Array {
  if (partScratch.length < k) partScratch = new Float64Array(2 * k);
  return partScratch;
}

/** max(0, largest value): the scan the node terms make. */
function scanMax(a: Float64Array): number {
  let m = 0;
  for (let n = 0; n < a.length; n++) if (a[n] > m) m = a[n];
  return m;
}

/**
 * `load[n] += d` (the same rounding), keeping `max[w]` the largest load unless `dirty[w]`: a load
 * above it becomes it, the largest one falling marks the window dirty.
 */
function nodeAdd(load: Float64Array, max: Float64Array, dirty: Uint8Array, w: number, n: number, d: number): void {
  const o = load[n];
  const v = o + d;
  load[n] = v;
  if (v > max[w]) max[w] = v;
  else if (v < o && o === max[w]) dirty[w] = 1;
}

/** Change in the operation penalty when a layout has a boundary at `x` (vs not): a split, or a merge avoided. */
export function boundaryTerm(ctx: PlanContext, x: number): number {
  return ctx.isBeforeBoundary[x] ? -ctx.mergePenalty[x] : ctx.splitPenalty[x];
}

/** `moveDelta`'s result: [change in moved bytes, change in moved load]. */
const delta = new Float64Array(2);

/**
 * What buckets `[lo, hi)` changing node from `from` to `to` changes in moved bytes and load:
 * what is off `to` minus what was off `from` (`offNode` for both prefixes and both nodes in one
 * walk over the current partitions, each sum in the same order), into `delta` (read at once).
 */
export function moveDelta(ctx: PlanContext, lo: number, hi: number, to: number, from: number): Float64Array {
  let bytesTo = 0;
  let bytesFrom = 0;
  let loadTo = 0;
  let loadFrom = 0;
  if (lo < hi) {
    const bb = ctx.beforeBounds;
    const bn = ctx.beforeNodes;
    const sp = ctx.statePrefix;
    const mp = ctx.meanPrefix;
    for (let p = ctx.beforeOwner[lo]; p < bn.length && bb[p] < hi; p++) {
      const a = Math.max(lo, bb[p]);
      const z = Math.min(hi, bb[p + 1]);
      const ds = sp[z] - sp[a];
      const dm = mp[z] - mp[a];
      if (bn[p] !== to) {
        bytesTo += ds;
        loadTo += dm;
      }
      if (bn[p] !== from) {
        bytesFrom += ds;
        loadFrom += dm;
      }
    }
  }
  delta[0] = bytesTo - bytesFrom;
  delta[1] = loadTo - loadFrom;
  return delta;
}

/** A batch of boundary shifts (`LayoutState.applyShifts`): boundary, new position, and per shift the moved range and the partitions that gain and lose it. */
let shiftJ = new Int32Array(64);
let shiftX = new Int32Array(64);
let shiftLo = new Int32Array(64);
let shiftHi = new Int32Array(64);
let shiftGain = new Int32Array(64);
let shiftLose = new Int32Array(64);
function growShifts(n: number): void {
  const grow = (a: Int32Array) => {
    const g = new Int32Array(2 * n);
    g.set(a);
    return g;
  };
  shiftJ = grow(shiftJ);
  shiftX = grow(shiftX);
  shiftLo = grow(shiftLo);
  shiftHi = grow(shiftHi);
  shiftGain = grow(shiftGain);
  shiftLose = grow(shiftLose);
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
    const cap = ctx.partitionCapacity;
    const reuse = donor !== undefined && donor.ctx === ctx;
    this.trees = [];
    this.nodeLoad = [];
    this.excess = reuse ? donor.excess.fill(0) : new Float64Array(W);
    this.sumSq = reuse ? donor.sumSq.fill(0) : new Float64Array(W);
    const part = partBuffer(k);
    // Without a donor, every tree of the state lives in one buffer (one allocation, not one per tree).
    const len = MaxTree.storageFor(k);
    const store = reuse ? undefined : new Float64Array(len * W * (ctx.upperPrefix ? 2 : 1));
    const tree = (donorTree: MaxTree | undefined, slot: number) =>
      donorTree ? donorTree.rebuilt(part, k) : new MaxTree(part, k, store!.subarray(slot * len, (slot + 1) * len));
    const nodeBuffer = (old: Float64Array | undefined) => (old ? old.fill(0) : new Float64Array(ctx.nodeSlots));
    for (let w = 0; w < W; w++) {
      const p = ctx.prefix[w];
      const nl = nodeBuffer(reuse ? donor.nodeLoad[w] : undefined);
      for (let i = 0; i < k; i++) {
        part[i] = p[b[i + 1]] - p[b[i]];
        nl[this.nodes[i]] += part[i];
        if (squares) this.sumSq[w] += part[i] * part[i];
      }
      this.trees.push(tree(reuse ? donor.trees[w] : undefined, w));
      this.nodeLoad.push(nl);
      if (!ctx.upperPrefix) for (let i = 0; i < k; i++) this.excess[w] += Math.max(0, part[i] - cap);
    }
    this.maxLoad = new Float64Array(W);
    this.maxDirty = new Uint8Array(W).fill(1);
    this.maxUpper = ctx.upperPrefix ? new Float64Array(W) : this.maxLoad;
    this.upperDirty = ctx.upperPrefix ? new Uint8Array(W).fill(1) : this.maxDirty;
    if (ctx.upperPrefix) {
      this.upTrees = [];
      this.nodeUpper = [];
      for (let w = 0; w < W; w++) {
        const p = ctx.upperPrefix[w];
        const nl = nodeBuffer(reuse ? donor.nodeUpper![w] : undefined);
        for (let i = 0; i < k; i++) {
          part[i] = p[b[i + 1]] - p[b[i]];
          nl[this.nodes[i]] += part[i];
          this.excess[w] += Math.max(0, part[i] - cap);
        }
        this.upTrees.push(tree(reuse ? donor.upTrees![w] : undefined, W + w));
        this.nodeUpper.push(nl);
      }
    }
    for (let i = 0; i < k; i++) {
      const n = this.nodes[i];
      this.movedBytes += offNode(ctx, ctx.statePrefix, b[i], b[i + 1], n);
      this.movedLoad += offNode(ctx, ctx.meanPrefix, b[i], b[i + 1], n);
      if (n >= ctx.nodeCount) this.invalidNodes++;
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
    shiftJ[0] = j;
    shiftX[0] = x;
    this.applyShifts(1);
  }

  /**
   * Applies the shifts `(shiftJ[t], shiftX[t])`, t < n, in order, each as `shiftBoundary` would
   * (x ≠ the boundary's position, strictly between its neighbours when applied). Every window's
   * loads see the shifts in the same order, so each sum rounds exactly as it would one shift at a
   * time; the windows are visited once for all of them, and each max tree's inner nodes are
   * brought up to date once, over the leaves the shifts touched.
   */
  private applyShifts(n: number): void {
    const ctx = this.ctx;
    const b = this.boundaries;
    const nodes = this.nodes;
    if (shiftLo.length < n) growShifts(n);
    let first = this.k;
    let last = -1;
    for (let t = 0; t < n; t++) {
      const j = shiftJ[t];
      const x = shiftX[t];
      const old = b[j];
      // Growing partition j−1 (x > old) takes [old, x) from j; else j takes [x, old) from j−1.
      shiftLo[t] = x > old ? old : x;
      shiftHi[t] = x > old ? x : old;
      shiftGain[t] = x > old ? j - 1 : j;
      shiftLose[t] = x > old ? j : j - 1;
      if (j - 1 < first) first = j - 1;
      if (j > last) last = j;
      // Positions are needed only for [lo, hi) (set above): the boundary moves now.
      b[j] = x;
      this.boundaryPenalty += this.boundaryTerm(x) - this.boundaryTerm(old);
      const ng = nodes[shiftGain[t]];
      const nl = nodes[shiftLose[t]];
      if (ng !== nl) this.moveRange(shiftLo[t], shiftHi[t], ng, nl);
    }
    const cap = ctx.partitionCapacity;
    const capped = cap !== Infinity;
    const tail = this.upTrees !== undefined;
    const squares = this.squares;
    for (let w = 0; w < ctx.windowCount; w++) {
      const p = ctx.prefix[w];
      const tree = this.trees[w];
      const L = this.nodeLoad[w];
      let sq = this.sumSq[w];
      let ex = this.excess[w];
      for (let t = 0; t < n; t++) {
        const d = p[shiftHi[t]] - p[shiftLo[t]];
        const gain = shiftGain[t];
        const lose = shiftLose[t];
        const og = tree.get(gain);
        const vg = og + d;
        tree.setLeaf(gain, vg);
        const ol = tree.get(lose);
        const vl = ol - d;
        tree.setLeaf(lose, vl);
        if (squares) {
          sq += vg * vg - og * og;
          sq += vl * vl - ol * ol;
        }
        if (capped && !tail) {
          ex += Math.max(0, vg - cap) - Math.max(0, og - cap);
          ex += Math.max(0, vl - cap) - Math.max(0, ol - cap);
        }
        const ng = nodes[gain];
        const nl = nodes[lose];
        if (ng !== nl) {
          nodeAdd(L, this.maxLoad, this.maxDirty, w, ng, d);
          nodeAdd(L, this.maxLoad, this.maxDirty, w, nl, -d);
        }
      }
      tree.refresh(first, last);
      this.sumSq[w] = sq;
      if (tail) {
        const pu = ctx.upperPrefix![w];
        const tu = this.upTrees![w];
        const U = this.nodeUpper![w];
        for (let t = 0; t < n; t++) {
          const du = pu[shiftHi[t]] - pu[shiftLo[t]];
          const gain = shiftGain[t];
          const lose = shiftLose[t];
          const og = tu.get(gain);
          const vg = og + du;
          tu.setLeaf(gain, vg);
          const ol = tu.get(lose);
          const vl = ol - du;
          tu.setLeaf(lose, vl);
          if (capped) {
            ex += Math.max(0, vg - cap) - Math.max(0, og - cap);
            ex += Math.max(0, vl - cap) - Math.max(0, ol - cap);
          }
          const ng = nodes[gain];
          const nl = nodes[lose];
          if (ng !== nl) {
            nodeAdd(U, this.maxUpper, this.upperDirty, w, ng, du);
            nodeAdd(U, this.maxUpper, this.upperDirty, w, nl, -du);
          }
        }
        tu.refresh(first, last);
      }
      this.excess[w] = ex;
    }
  }

  /** Buckets `[lo, hi)` change node from `from` to `to` (see `moveDelta`). */
  private moveRange(lo: number, hi: number, to: number, from: number): void {
    moveDelta(this.ctx, lo, hi, to, from);
    this.movedBytes += delta[0];
    this.movedLoad += delta[1];
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
    this.invalidNodes += (node >= ctx.nodeCount ? 1 : 0) - (old >= ctx.nodeCount ? 1 : 0);
    this.nodes[i] = node;
  }

  /**
   * Sets interior boundaries `from … from + xs.length − 1` to `xs` (strictly increasing, inside
   * the fixed outer boundaries `from − 1` and `from + xs.length`). Used to re-cut a run of partitions.
   */
  setBoundaries(from: number, xs: ArrayLike<number>): void {
    // Left-moving boundaries go first from the left, then right-moving ones from the right, so
    // every single shift keeps the boundaries strictly increasing.
    if (shiftJ.length < xs.length) growShifts(xs.length);
    let n = 0;
    for (let t = 0; t < xs.length; t++) {
      if (xs[t] < this.boundaries[from + t]) {
        shiftJ[n] = from + t;
        shiftX[n++] = xs[t];
      }
    }
    for (let t = xs.length - 1; t >= 0; t--) {
      if (xs[t] > this.boundaries[from + t]) {
        shiftJ[n] = from + t;
        shiftX[n++] = xs[t];
      }
    }
    if (n > 0) this.applyShifts(n);
  }

  /** A copy of the layout. */
  layout(): Layout {
    return { boundaries: this.boundaries.slice(), nodes: this.nodes.slice() };
  }
}

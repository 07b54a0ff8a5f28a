/**
 * A lower bound on the cost of a split or merge candidate, read off the live state it would
 * reshape, without building the candidate's state. Annealing rejects nearly every count-changing
 * candidate, and building a whole `LayoutState` for each was a large share of its time. With this
 * bound the search draws the same random number it would have drawn and, when even the bound is
 * rejected, rejects the candidate without building it, so every accepted move, random draw and
 * result stays exactly the same.
 *
 * The estimate (`ReshapeView`) changes only what the reshape touches: in every window the largest
 * partition load is the largest outside the reshaped partitions (a range query on the state's
 * max tree) or one of the new parts (fresh from the prefix sums); one or two node loads change
 * by the part that changes node; moved bytes and load, penalties and invalid nodes change by the
 * reshaped range. Its aggregates differ from a fresh state's only by the rounding the live
 * state has accumulated, and every default cost term is continuous in them except the price of
 * time at zero moved bytes, which the bound takes at both sides. The bound is the estimate minus
 * a margin thousands of times that rounding. Terms outside the default set (a churn budget) are
 * left out: every term is ≥ 0 with a weight ≥ 0, so the bound stays a bound.
 */
import type { PlanContext } from './context.ts';
import { totalCost, type CostModel } from './cost.ts';
import { boundaryTerm, moveDelta, type LayoutState, type LayoutView } from './layout-state.ts';
import type { Layout } from './layout.ts';
import { mergeLayout, splitLayout } from './reshape.ts';
import { defaultTerms } from './terms/index.ts';

/**
 * A count-changing candidate of a state: `split` cuts partition `i` at `x` with the upper half on
 * `node`; `merge` joins `i` and `i + 1` (on i's node). Its layout is built when first read (most
 * candidates are rejected on their bound without it), from the state as it is then, so the state
 * must not change in between.
 */
export class ReshapeCandidate {
  private built: Layout | undefined;

  constructor(
    private readonly state: LayoutState,
    readonly kind: 'split' | 'merge',
    readonly i: number,
    /** Split point (split only). */
    readonly x: number,
    /** Node of the new upper half (split only). */
    readonly node: number,
  ) {}

  /** The candidate layout. */
  get layout(): Layout {
    if (!this.built) {
      const s = this.state;
      const l: Layout = { boundaries: s.boundaries, nodes: s.nodes };
      this.built = this.kind === 'split' ? splitLayout(s.ctx, l, this.i, this.x, this.node) : mergeLayout(s.ctx, l, this.i);
    }
    return this.built;
  }
}

/** Relative margin below the estimate: far above the rounding a live state accumulates over a search. */
export const RESHAPE_BOUND_MARGIN = 1e-7;

/** max(0, largest value). */
function scanMax(a: Float64Array): number {
  let m = 0;
  for (let n = 0; n < a.length; n++) if (a[n] > m) m = a[n];
  return m;
}

/** A candidate's aggregates estimated from the live state (see the file comment); refilled per candidate. */
export class ReshapeView implements LayoutView {
  k = 0;
  movedBytes = 0;
  movedLoad = 0;
  boundaryPenalty = 0;
  invalidNodes = 0;
  private readonly maxPart: Float64Array;
  private readonly maxUp: Float64Array;
  private readonly nodeLoad: Float64Array[];
  private readonly nodeUpper: Float64Array[];
  private readonly maxNode: Float64Array;
  private readonly maxNodeUp: Float64Array;
  private readonly excess: Float64Array;

  constructor(readonly ctx: PlanContext) {
    const W = ctx.windowCount;
    const tail = ctx.upperPrefix !== undefined;
    this.maxPart = new Float64Array(W);
    this.maxUp = tail ? new Float64Array(W) : this.maxPart;
    this.nodeLoad = Array.from({ length: W }, () => new Float64Array(ctx.nodeSlots));
    this.nodeUpper = tail ? Array.from({ length: W }, () => new Float64Array(ctx.nodeSlots)) : this.nodeLoad;
    this.maxNode = new Float64Array(W);
    this.maxNodeUp = tail ? new Float64Array(W) : this.maxNode;
    this.excess = new Float64Array(W);
  }

  private cand: ReshapeCandidate | undefined;

  /** The candidate's boundaries (its layout is built on this read: no default term makes it). */
  get boundaries(): Int32Array {
    return this.cand!.layout.boundaries;
  }
  get nodes(): Int32Array {
    return this.cand!.layout.nodes;
  }

  maxPartitionLoad(w: number): number {
    return this.maxPart[w];
  }
  maxPartitionUpper(w: number): number {
    return this.maxUp[w];
  }
  nodeLoads(w: number): Float64Array {
    return this.nodeLoad[w];
  }
  nodeUppers(w: number): Float64Array {
    return this.nodeUpper[w];
  }
  maxNodeLoad(w: number): number {
    return this.maxNode[w];
  }
  maxNodeUpper(w: number): number {
    return this.maxNodeUp[w];
  }
  partitionExcess(w: number): number {
    return this.excess[w];
  }

  /** Estimates candidate `c` of state `s`. */
  estimate(s: LayoutState, c: ReshapeCandidate): void {
    const ctx = this.ctx;
    const b = s.boundaries;
    const i = c.i;
    const lo = b[i];
    // Split: parts [lo, x) and [x, hi); the moving part is [x, hi), from `from` to `to`.
    // Merge: one part [lo, hi); the moving part is [b[i + 1], hi), from node i + 1 to node i.
    const split = c.kind === 'split';
    const hi = split ? b[i + 1] : b[i + 2];
    const mid = split ? c.x : b[i + 1];
    const from = split ? s.nodes[i] : s.nodes[i + 1];
    const to = split ? c.node : s.nodes[i];
    const lastOld = split ? i + 1 : i + 2;
    this.k = split ? s.k + 1 : s.k - 1;
    this.cand = c;
    const tail = ctx.upperPrefix !== undefined;
    const cap = ctx.partitionCapacity;
    for (let w = 0; w < ctx.windowCount; w++) {
      this.fillWindow(s, w, ctx.prefix[w], false, lo, mid, hi, i, lastOld, from, to, split, cap, !tail);
      if (tail) this.fillWindow(s, w, ctx.upperPrefix![w], true, lo, mid, hi, i, lastOld, from, to, split, cap, true);
    }
    this.movedBytes = s.movedBytes;
    this.movedLoad = s.movedLoad;
    if (from !== to) {
      const d = moveDelta(ctx, mid, hi, to, from);
      this.movedBytes += d[0];
      this.movedLoad += d[1];
    }
    const bt = boundaryTerm(ctx, mid);
    this.boundaryPenalty = s.boundaryPenalty + (split ? bt : -bt);
    const bad = (n: number) => (ctx.usable[n] !== 1 ? 1 : 0);
    this.invalidNodes = s.invalidNodes + (split ? bad(to) : -bad(from));
  }

  /** One window's (tail: the tail's) largest partition, node loads and (`excess`) partition excess. */
  private fillWindow(
    s: LayoutState,
    w: number,
    p: Float64Array,
    up: boolean,
    lo: number,
    mid: number,
    hi: number,
    i: number,
    lastOld: number,
    from: number,
    to: number,
    split: boolean,
    cap: number,
    excess: boolean,
  ): void {
    const outside = s.maxLoadOutside(w, i, lastOld, up);
    const moving = p[hi] - p[mid];
    let m: number;
    let ex = 0;
    if (split) {
      const first = p[mid] - p[lo];
      m = Math.max(outside, first, moving);
      if (excess && cap !== Infinity) ex = Math.max(0, first - cap) + Math.max(0, moving - cap) - Math.max(0, (up ? s.partitionUpper(w, i) : s.partitionLoad(w, i)) - cap);
    } else {
      const whole = p[hi] - p[lo];
      m = Math.max(outside, whole);
      if (excess && cap !== Infinity) {
        const a = up ? s.partitionUpper(w, i) : s.partitionLoad(w, i);
        const z = up ? s.partitionUpper(w, i + 1) : s.partitionLoad(w, i + 1);
        ex = Math.max(0, whole - cap) - Math.max(0, a - cap) - Math.max(0, z - cap);
      }
    }
    const nl = up ? this.nodeUpper[w] : this.nodeLoad[w];
    nl.set(up ? s.nodeUppers(w) : s.nodeLoads(w));
    if (from !== to) {
      nl[from] -= moving;
      nl[to] += moving;
    }
    if (up) {
      this.maxUp[w] = m;
      this.maxNodeUp[w] = scanMax(nl);
    } else {
      this.maxPart[w] = m;
      this.maxNode[w] = scanMax(nl);
    }
    if (excess) this.excess[w] = s.partitionExcess(w) + ex;
  }
}

/** The bound made for each model (see `ReshapeBound.for`). */
const made = new WeakMap<CostModel, ReshapeBound>();

/** Lower bounds on reshape candidates' costs under one model (see the file comment). */
export class ReshapeBound {
  private readonly view: ReshapeView;
  /** The model restricted to the default terms (the others are ≥ 0 and left out). */
  private readonly model: CostModel;

  private constructor(
    readonly ctx: PlanContext,
    model: CostModel,
  ) {
    this.view = new ReshapeView(ctx);
    const keep = model.terms.map((t) => defaultTerms.includes(t));
    this.model = { ...model, terms: model.terms.filter((_, t) => keep[t]), weights: model.weights.filter((_, t) => keep[t]) };
  }

  /**
   * A bound for `model`, or null when its weights are not all ≥ 0 (then the estimate bounds
   * nothing). One per model and context: a search's runs share it.
   */
  static for(ctx: PlanContext, model: CostModel): ReshapeBound | null {
    if (!model.weights.every((w) => w >= 0)) return null;
    let b = made.get(model);
    if (!b || b.ctx !== ctx) made.set(model, (b = new ReshapeBound(ctx, model)));
    return b;
  }

  /** A value ≤ the cost `totalCost(model, new LayoutState(ctx, c.layout))`. */
  lowerBound(s: LayoutState, c: ReshapeCandidate): number {
    const v = this.view;
    v.estimate(s, c);
    let est = totalCost(this.model, v);
    // The price of time jumps at zero moved bytes: take the bound at both sides when near it.
    if (this.model.lag && Math.abs(v.movedBytes) <= RESHAPE_BOUND_MARGIN * Math.max(1, v.ctx.totalState)) {
      const mb = v.movedBytes;
      v.movedBytes = 0;
      const atZero = totalCost(this.model, v);
      v.movedBytes = Number.MIN_VALUE;
      const above = totalCost(this.model, v);
      v.movedBytes = mb;
      est = Math.min(est, atZero, above);
    }
    return est - RESHAPE_BOUND_MARGIN * (Math.abs(est) + this.softScale());
  }

  private scale = -1;
  /** Σ of the soft weights: the scale of the rounding in a cost that is near zero. */
  private softScale(): number {
    if (this.scale < 0) this.scale = this.model.terms.reduce((a, t, i) => a + (t.kind === 'soft' ? this.model.weights[i] : 0), 0);
    return this.scale;
  }
}

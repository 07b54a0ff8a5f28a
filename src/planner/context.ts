/**
 * The planning context: everything about the input that the search reads over and over, computed
 * once (prefix sums per window, state bytes, the current map's owners and boundaries, the
 * per-boundary operation penalties, resolved cluster defaults).
 */
import { ownerTable, prefixSums, type PartitionMap } from '../model/index.ts';
import type { Goals, PausesMs, PictureParts, PictureSums, PlanInput } from './types.ts';

export type { PictureParts, PictureSums } from './types.ts';

/** Cluster defaults (DESIGN.md scenario defaults). */
export const DEFAULT_MOVE_BANDWIDTH = 50 * 1024 * 1024;
export const DEFAULT_PAUSES_MS: PausesMs = { split: 50, merge: 50, move: 200 };
export const DEFAULT_MAX_CONCURRENT_OPS = 4;
/** Default state per bucket = mean records/s × these (scenario defaults `recordBytes`, `retention`). */
export const DEFAULT_RECORD_BYTES = 512;
export const DEFAULT_RETENTION_S = 1800;

/** Precomputed view of a `PlanInput` for the search (read-only once built). */
export interface PlanContext extends PictureSums {
  readonly input: PlanInput;
  /** The picture parts the sums come from (the input's own when it carried them). */
  readonly picture: PictureParts;
  readonly goals: Goals;
  readonly buckets: number;
  /** Node ids are `0 … nodeCount − 1`; those `usable` may hold partitions. */
  readonly nodeCount: number;
  /** 1 for each node id that may hold partitions (below nodeCount, not inactive), else 0 (nodeSlots long). */
  readonly usable: Uint8Array;
  /** Node ids that may hold partitions (the ones of `usable`), in order. */
  readonly usableCount: number;
  /** Node slots tracked (≥ nodeCount; covers invalid nodes of the current map). */
  readonly nodeSlots: number;
  readonly nodeCapacity: number;
  readonly partitionCapacity: number;
  readonly maxPartitions: number;
  /** Exact partition count the plan must end with, if the goals ask for one. */
  readonly fixedK: number | undefined;
  readonly pauses: PausesMs;
  readonly moveBandwidth: number;
  readonly maxConcurrentOps: number;
  /**
   * Share of a node's serving capacity a transfer takes (`cluster.moveLoad`) when the input is
   * timed, else 0: layouts then track the bytes each node sends or receives (`LayoutState.through`).
   */
  readonly moveLoad: number;
  /** Search windows (≤ maxSearchWindows; consecutive input windows averaged in groups). */
  readonly windowCount: number;
  readonly meanTotal: number;
  readonly state: Float64Array;
  readonly statePrefix: Float64Array;
  readonly totalState: number;
  /** True when `stateBytes` was given (else a load-based estimate). */
  readonly stateGiven: boolean;
  readonly tailWeight: number;
  // ---- the current map ----
  readonly before: PartitionMap;
  readonly beforeBounds: Int32Array;
  readonly beforeNodes: Int32Array;
  /** Owner (current partition index) of each bucket. */
  readonly beforeOwner: Int32Array;
  /** 1 at positions that are current boundaries (length B + 1). */
  readonly isBeforeBoundary: Uint8Array;
  /** Stall-seconds (records waiting ÷ mean total rate) of a split at each position that is not a current boundary. */
  readonly splitPenalty: Float64Array;
  /** Stall-seconds of merging away each current interior boundary. */
  readonly mergePenalty: Float64Array;
  /** Σ `mergePenalty` over the current interior boundaries (in bucket order): a layout's start. */
  readonly mergeAllPenalty: number;
  /** Stall-seconds per unit of moved mean load (move pause ÷ mean total rate). */
  readonly movePenaltyPerLoad: number;
}

export interface ContextOptions {
  readonly tailWeight?: number;
  readonly maxSearchWindows?: number;
}

/** `out[j + 1] = out[j] + v[j] / n` (n = 1: plain prefix sums): a window's prefix sums, averaged. */
function prefixInto(v: Float64Array, n: number, out: Float64Array): Float64Array {
  const B = v.length;
  out[0] = 0;
  if (n === 1) for (let j = 0; j < B; j++) out[j + 1] = out[j] + v[j];
  else for (let j = 0; j < B; j++) out[j + 1] = out[j] + v[j] / n;
  return out;
}

/** `acc[j] += src[j]` and, with `mean`, `mean[j] += src[j] / n`, for every bucket. */
function accumulate(acc: Float64Array, src: Float64Array, mean: Float64Array | undefined, n: number): void {
  const B = acc.length;
  if (mean) {
    for (let j = 0; j < B; j++) {
      const v = src[j];
      acc[j] += v;
      mean[j] += v / n;
    }
  } else for (let j = 0; j < B; j++) acc[j] += src[j];
}

/**
 * Prefix sums of the search windows: consecutive windows averaged in at most `max` groups. With
 * `mean`, also adds every window ÷ their count to it, in window order (one pass over the picture).
 */
function groupedPrefixes(ws: readonly Float64Array[], max: number, mean?: Float64Array): Float64Array[] {
  const n = ws.length;
  const B = ws[0].length;
  if (n <= max) {
    if (mean) for (let w = 0; w < n; w++) addScaled(mean, ws[w], n);
    return ws.map((w) => prefixInto(w, 1, new Float64Array(B + 1)));
  }
  const out: Float64Array[] = [];
  const acc = new Float64Array(B);
  for (let g = 0; g < max; g++) {
    const lo = Math.floor((g * n) / max);
    const hi = Math.floor(((g + 1) * n) / max);
    acc.fill(0);
    for (let w = lo; w < hi; w++) accumulate(acc, ws[w], mean, n);
    out.push(prefixInto(acc, hi - lo, new Float64Array(B + 1)));
  }
  return out;
}

/** Default state bytes: mean records/s × 512 B × 30 min per bucket. */
export function defaultStateBytes(meanLoad: ArrayLike<number>): Float64Array {
  const s = new Float64Array(meanLoad.length);
  for (let j = 0; j < s.length; j++) s[j] = meanLoad[j] * DEFAULT_RECORD_BYTES * DEFAULT_RETENTION_S;
  return s;
}

/** `acc[j] += src[j] / n` for every bucket (one tight loop the JIT keeps monomorphic). */
function addScaled(acc: Float64Array, src: Float64Array, n: number): void {
  const B = acc.length;
  for (let j = 0; j < B; j++) acc[j] += src[j] / n;
}

/** The picture parts of `windows`/`upper` (the arrays must not change afterwards). */
export function pictureParts(windows: readonly Float64Array[], upper: readonly Float64Array[] | undefined, maxSearchWindows = 12): PictureParts {
  const B = windows[0].length;
  const max = Math.max(1, maxSearchWindows);
  const meanLoad = new Float64Array(B);
  const prefix = groupedPrefixes(windows, max, meanLoad);
  const upperPrefix = upper ? groupedPrefixes(upper, max) : undefined;
  return {
    windows,
    upper,
    maxSearchWindows,
    prefix,
    upperPrefix,
    totals: Float64Array.from(prefix, (p) => p[B]),
    upperTotals: upperPrefix ? Float64Array.from(upperPrefix, (p) => p[B]) : undefined,
    meanLoad,
    meanPrefix: prefixSums(meanLoad),
  };
}

/**
 * The pause costs of reshaping the current map, in cost units (pause seconds × the share of the
 * mean rate that pauses): per bucket x, splitting there (0 at current boundaries); per current
 * boundary, merging its two partitions; and merging all of them.
 */
function reshapePenalties(
  beforeBounds: Int32Array,
  beforeOwner: Int32Array,
  isBeforeBoundary: Uint8Array,
  pauses: PausesMs,
  meanPrefix: Float64Array,
  rateScale: number,
): { splitPenalty: Float64Array; mergePenalty: Float64Array; mergeAllPenalty: number } {
  const B = isBeforeBoundary.length - 1;
  const k = beforeBounds.length - 1;
  const partMean = (i: number) => meanPrefix[beforeBounds[i + 1]] - meanPrefix[beforeBounds[i]];
  const splitPenalty = new Float64Array(B + 1);
  for (let x = 1; x < B; x++) {
    if (!isBeforeBoundary[x]) splitPenalty[x] = (pauses.split / 1000) * partMean(beforeOwner[x]) * rateScale;
  }
  const mergePenalty = new Float64Array(B + 1);
  let mergeAllPenalty = 0;
  for (let i = 1; i < k; i++) {
    mergePenalty[beforeBounds[i]] = (pauses.merge / 1000) * (partMean(i - 1) + partMean(i)) * rateScale;
    mergeAllPenalty += mergePenalty[beforeBounds[i]];
  }
  return { splitPenalty, mergePenalty, mergeAllPenalty };
}

/** Builds the context. The input must be valid (`planInputProblems` empty). */
export function buildContext(input: PlanInput, opts: ContextOptions = {}): PlanContext {
  const map = input.map;
  const B = map.buckets;
  const c = input.cluster;
  const maxW = opts.maxSearchWindows ?? 12;
  const given = input.parts;
  const parts = given && given.windows === input.windows && given.upper === input.upper && given.maxSearchWindows === maxW ? given : pictureParts(input.windows, input.upper, maxW);
  const { prefix, upperPrefix, totals, upperTotals, meanLoad, meanPrefix } = parts;
  const meanTotal = meanPrefix[B];
  const state = input.stateBytes ? Float64Array.from(input.stateBytes) : defaultStateBytes(meanLoad);
  const statePrefix = prefixSums(state);
  const beforeBounds = Int32Array.from(map.boundaries);
  const beforeNodes = Int32Array.from(map.nodes);
  const beforeOwner = ownerTable(map);
  const isBeforeBoundary = new Uint8Array(B + 1);
  for (const x of map.boundaries) isBeforeBoundary[x] = 1;
  const nodeSlots = Math.max(c.nodes, ...map.nodes.map((n) => n + 1));
  const pauses: PausesMs = { ...DEFAULT_PAUSES_MS, ...(c.pauses ?? {}) };
  const rateScale = meanTotal > 0 ? 1 / meanTotal : 0;
  const { splitPenalty, mergePenalty, mergeAllPenalty } = reshapePenalties(beforeBounds, beforeOwner, isBeforeBoundary, pauses, meanPrefix, rateScale);
  return {
    input,
    picture: parts,
    goals: input.goals,
    buckets: B,
    nodeCount: c.nodes,
    ...usableNodes(c, nodeSlots),
    nodeSlots,
    nodeCapacity: c.nodeCapacity,
    partitionCapacity: c.partitionCapacity ?? Infinity,
    maxPartitions: Math.min(c.maxPartitions, B),
    fixedK: input.goals.partitionCount,
    pauses,
    moveBandwidth: c.moveBandwidth ?? DEFAULT_MOVE_BANDWIDTH,
    maxConcurrentOps: c.maxConcurrentOps ?? DEFAULT_MAX_CONCURRENT_OPS,
    moveLoad: input.windowMs !== undefined ? (c.moveLoad ?? 0) : 0,
    windowCount: prefix.length,
    prefix,
    upperPrefix,
    totals,
    upperTotals,
    meanLoad,
    meanPrefix,
    meanTotal,
    state,
    statePrefix,
    totalState: statePrefix[B],
    stateGiven: input.stateBytes !== undefined,
    tailWeight: upperPrefix ? (opts.tailWeight ?? 0.5) : 0,
    before: map,
    beforeBounds,
    beforeNodes,
    beforeOwner,
    isBeforeBoundary,
    splitPenalty,
    mergePenalty,
    mergeAllPenalty,
    movePenaltyPerLoad: (pauses.move / 1000) * rateScale,
  };
}

/**
 * Σ of `prefix`-summed values over buckets `[lo, hi)` whose current node is not `node`: what
 * assigning that range to `node` sends over the network (with `statePrefix`).
 */
export function offNode(ctx: PlanContext, prefix: Float64Array, lo: number, hi: number, node: number): number {
  if (lo >= hi) return 0;
  let s = 0;
  const bb = ctx.beforeBounds;
  for (let p = ctx.beforeOwner[lo]; p < ctx.beforeNodes.length && bb[p] < hi; p++) {
    if (ctx.beforeNodes[p] !== node) s += prefix[Math.min(hi, bb[p + 1])] - prefix[Math.max(lo, bb[p])];
  }
  return s;
}

/** `PlanContext.usable` and its count: the ids below `cluster.nodes` not listed inactive. */
function usableNodes(c: PlanInput['cluster'], slots: number): { usable: Uint8Array; usableCount: number } {
  const usable = new Uint8Array(slots);
  usable.fill(1, 0, c.nodes);
  for (const n of c.inactive ?? []) if (n >= 0 && n < c.nodes) usable[n] = 0;
  let usableCount = 0;
  for (let n = 0; n < slots; n++) usableCount += usable[n];
  return { usable, usableCount };
}

/** The usable node (`PlanContext.usable`) with the least `load` (ties: the lowest id; 0 when none is usable). */
export function leastLoaded(ctx: PlanContext, load: ArrayLike<number>): number {
  let n = -1;
  for (let m = 0; m < ctx.nodeCount; m++) if (ctx.usable[m] === 1 && (n < 0 || load[m] < load[n])) n = m;
  return n < 0 ? 0 : n;
}

/** Per-node sums of `homeNode` (NaN: no partition of that node overlaps), reset after each call. */
let homeAcc = new Float64Array(16).fill(NaN);

/** The current node owning most state of `[lo, hi)` (its "home"; ties: lowest node). */
export function homeNode(ctx: PlanContext, lo: number, hi: number): number {
  const bb = ctx.beforeBounds;
  // Per node in a scratch array (this runs in the searches' inner loop: no allocation), summed in
  // partition order as a map would; the nodes touched lie in [first, last].
  let first = Infinity;
  let last = -1;
  for (let p = ctx.beforeOwner[lo]; p < ctx.beforeNodes.length && bb[p] < hi; p++) {
    const w = ctx.statePrefix[Math.min(hi, bb[p + 1])] - ctx.statePrefix[Math.max(lo, bb[p])] + 1e-9 * (Math.min(hi, bb[p + 1]) - Math.max(lo, bb[p]));
    const n = ctx.beforeNodes[p];
    if (n >= homeAcc.length) {
      const grown = new Float64Array(2 * n + 2).fill(NaN);
      grown.set(homeAcc);
      homeAcc = grown;
    }
    homeAcc[n] = Number.isNaN(homeAcc[n]) ? w : homeAcc[n] + w;
    if (n < first) first = n;
    if (n > last) last = n;
  }
  let best = -1;
  let bestW = -1;
  for (let n = first; n <= last; n++) {
    const w = homeAcc[n];
    if (Number.isNaN(w)) continue;
    homeAcc[n] = NaN;
    if (w > bestW) {
      best = n;
      bestW = w;
    }
  }
  return best;
}

/** Prefix sums of every input window and of its tail, at full resolution (not the search's groups). */
export interface WindowPrefixes {
  readonly windows: readonly Float64Array[];
  readonly upper: readonly Float64Array[] | undefined;
}

/** Per picture (whose arrays do not change), its full-resolution prefix sums. */
const fullPrefixes = new WeakMap<PictureParts, WindowPrefixes>();

/**
 * The full-resolution prefix sums of the context's picture (what impacts and the execution price
 * read), computed once per picture: the search's own when no windows were grouped.
 */
export function windowPrefixes(ctx: PlanContext): WindowPrefixes {
  const pic = ctx.picture;
  let r = fullPrefixes.get(pic);
  if (!r) {
    const grouped = pic.windows.length === pic.prefix.length;
    r = {
      windows: grouped ? pic.prefix : pic.windows.map((w) => prefixSums(w)),
      upper: pic.upper ? (grouped && pic.upperPrefix ? pic.upperPrefix : pic.upper.map((w) => prefixSums(w))) : undefined,
    };
    fullPrefixes.set(pic, r);
  }
  return r;
}

/**
 * The planner's node ids for the cluster's active nodes: `0 … max`, the ids among them that are
 * not active (removed or down) marked `inactive`, so that no plan puts a partition there.
 */
export function planNodes(active: readonly number[]): { nodes: number; inactive?: number[] } {
  if (active.length === 0) return { nodes: 1 };
  const nodes = Math.max(...active) + 1;
  if (active.length === nodes) return { nodes };
  const on = new Set(active);
  return { nodes, inactive: Array.from({ length: nodes }, (_, n) => n).filter((n) => !on.has(n)) };
}

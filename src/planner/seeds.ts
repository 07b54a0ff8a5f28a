/**
 * Starting layouts for the searches: the current map (repaired: partitions on removed nodes
 * re-placed, the count brought within the limits) and the exact min-max cut at the target count
 * with two node placements (home-preferring and pure LPT). Seeding from the exact cut is what
 * lets the searches reach the optimum for pure balance; starting from the current map is what
 * lets them find cheap plans when movement is expensive. A policy's last search result is one
 * more (`warmSeed`): the next search resumes where that one ended.
 */
import { exactCut } from './exact.ts';
import { assignNodes } from './assign-nodes.ts';
import { leastLoaded, type PlanContext } from './context.ts';
import { layoutOfMap, type Layout } from './layout.ts';
import type { PartitionMap } from '../model/index.ts';
import type { PlanOptions } from './plan-options.ts';
import type { PlanResult } from './types.ts';
import { splitLayout, mergeLayout } from './reshape.ts';

/** Partition count the searches aim at: `goals.partitionCount`, else the current count within the limits. */
export function targetK(ctx: PlanContext): number {
  if (ctx.fixedK !== undefined) return ctx.fixedK;
  const k = ctx.beforeBounds.length - 1;
  let need = 1;
  if (ctx.partitionCapacity !== Infinity) {
    let peak = 0;
    for (let w = 0; w < ctx.windowCount; w++) peak = Math.max(peak, ctx.upperTotals ? ctx.upperTotals[w] : ctx.totals[w]);
    need = Math.ceil(peak / ctx.partitionCapacity);
  }
  return Math.max(1, Math.min(ctx.maxPartitions, Math.max(k, need)));
}

/** The current map made feasible: valid nodes, and split (hottest first) or merged (coolest pair first) to `k`. */
export function repairedCurrent(ctx: PlanContext, k: number): Layout {
  let l: Layout = { boundaries: ctx.beforeBounds.slice(), nodes: ctx.beforeNodes.slice() };
  while (l.boundaries.length - 1 > k) l = mergeLayout(ctx, l, coolestPair(ctx, l));
  while (l.boundaries.length - 1 < k) {
    const i = hottestSplittable(ctx, l);
    if (i < 0) break;
    l = splitLayout(ctx, l, i, medianPoint(ctx, l.boundaries[i], l.boundaries[i + 1]), l.nodes[i]);
  }
  const ok = (n: number) => ctx.usable[n] === 1;
  const bad = [...l.nodes].some((n) => !ok(n));
  if (bad) {
    // Re-place only the partitions on removed (or inactive) nodes, least-loaded node first.
    const nodeLoad = new Float64Array(ctx.nodeCount);
    const k2 = l.nodes.length;
    const load = (i: number) => ctx.meanPrefix[l.boundaries[i + 1]] - ctx.meanPrefix[l.boundaries[i]];
    for (let i = 0; i < k2; i++) if (ok(l.nodes[i])) nodeLoad[l.nodes[i]] += load(i);
    for (let i = 0; i < k2; i++) {
      if (ok(l.nodes[i])) continue;
      const n = leastLoaded(ctx, nodeLoad);
      l.nodes[i] = n;
      nodeLoad[n] += load(i);
    }
  }
  return l;
}

/** Index i of the adjacent pair (i, i+1) with the smallest combined mean load. */
export function coolestPair(ctx: PlanContext, l: Layout): number {
  const b = l.boundaries;
  let best = 0;
  let bestLoad = Infinity;
  for (let i = 0; i + 2 < b.length; i++) {
    const s = ctx.meanPrefix[b[i + 2]] - ctx.meanPrefix[b[i]];
    if (s < bestLoad) {
      bestLoad = s;
      best = i;
    }
  }
  return best;
}

/** Index of the partition with the largest mean load that spans at least two buckets, or -1. */
export function hottestSplittable(ctx: PlanContext, l: Layout): number {
  const b = l.boundaries;
  let best = -1;
  let bestLoad = -1;
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i + 1] - b[i] < 2) continue;
    const s = ctx.meanPrefix[b[i + 1]] - ctx.meanPrefix[b[i]];
    if (s > bestLoad) {
      bestLoad = s;
      best = i;
    }
  }
  return best;
}

/** The interior position of `[lo, hi)` (hi − lo ≥ 2) that halves its mean load most evenly. */
export function medianPoint(ctx: PlanContext, lo: number, hi: number): number {
  const p = ctx.meanPrefix;
  const target = (p[lo] + p[hi]) / 2;
  let a = lo + 1;
  let c = hi - 1;
  while (a < c) {
    const m = (a + c) >> 1;
    if (p[m] < target) a = m + 1;
    else c = m;
  }
  if (a > lo + 1 && target - p[a - 1] < p[a] - target) return a - 1;
  return a;
}

/** The exact min-max cut into `k` parts of the mean expected load. */
export function exactBoundaries(ctx: PlanContext, k: number): Int32Array {
  return exactCut(ctx.meanPrefix, Math.min(k, ctx.buckets)).boundaries;
}

/**
 * The current map with every partition hotter than `limit` (mean load) cut exactly, in place, into
 * as few pieces as keep each under it: nothing moves, the count grows. Merges the coolest pairs
 * if that exceeds `maxPartitions`.
 */
export function splitInPlace(ctx: PlanContext, limit: number): Layout {
  const cur = repairedCurrent(ctx, ctx.beforeBounds.length - 1);
  const b: number[] = [0];
  const n: number[] = [];
  const p = ctx.meanPrefix;
  for (let i = 0; i + 1 < cur.boundaries.length; i++) {
    const lo = cur.boundaries[i];
    const hi = cur.boundaries[i + 1];
    const load = p[hi] - p[lo];
    const parts = Math.min(hi - lo, Math.max(1, Math.ceil(load / limit - 1e-9)));
    const cut = parts > 1 ? exactCut(p, parts, lo, hi).boundaries : Int32Array.of(lo, hi);
    for (let t = 1; t < cut.length; t++) {
      b.push(cut[t]);
      n.push(cur.nodes[i]);
    }
  }
  let l: Layout = { boundaries: Int32Array.from(b), nodes: Int32Array.from(n) };
  while (l.boundaries.length - 1 > ctx.maxPartitions) l = mergeLayout(ctx, l, coolestPair(ctx, l));
  return l;
}

/**
 * All seeds, in a fixed order: repaired current, exact cut + home nodes, exact cut + LPT nodes,
 * and (when the count is free) the current map split in place down to the exact bottleneck.
 */
export function seedLayouts(ctx: PlanContext): Layout[] {
  const k = targetK(ctx);
  const ex = exactCut(ctx.meanPrefix, Math.min(k, ctx.buckets));
  const cut = ex.boundaries;
  const seeds = [
    repairedCurrent(ctx, k),
    { boundaries: cut, nodes: assignNodes(ctx, cut, true) },
    { boundaries: cut.slice(), nodes: assignNodes(ctx, cut, false) },
  ];
  if (ctx.fixedK === undefined && ex.bottleneck > 0) seeds.push(splitInPlace(ctx, ex.bottleneck));
  return seeds;
}

/** `map` as a starting layout when it fits `ctx` (`PlanOptions.warm`), else null. */
export function warmSeed(ctx: PlanContext, map: PartitionMap | undefined): Layout | null {
  if (!map || map.buckets !== ctx.buckets) return null;
  const k = map.nodes.length;
  if (k < 1 || k > ctx.maxPartitions || (ctx.fixedK !== undefined && k !== ctx.fixedK)) return null;
  for (const n of map.nodes) if (ctx.usable[n] !== 1) return null;
  return layoutOfMap(map);
}

/** `PlanOptions.warm` from the last search's result: `share` of `iterations` (at least 1); undefined without a result or at share 0. */
export function warmOptions(last: PartitionMap | undefined, iterations: number, share: number): PlanOptions['warm'] {
  return last && share > 0 ? { map: last, iterations: Math.max(1, Math.round(iterations * share)) } : undefined;
}

/** Where the next search may resume after `res`: its target, or undefined when the lower bound ended it unsearched. */
export function resumePoint(res: PlanResult): PartitionMap | undefined {
  return res.stats.ended !== 'bounded' ? res.plan.after : undefined;
}

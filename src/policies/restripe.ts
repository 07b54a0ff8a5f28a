/**
 * Striped layouts over a node set, and the least change to one when nodes join or leave. The
 * spread strategy (spread.ts) holds equal-width stripes placed so that neighbouring stripes sit on
 * different nodes, which spreads any contiguous hot range over many nodes. When a node leaves for
 * good or a new one joins, placing the stripes round-robin over the new set would move nearly all
 * of them (stripe i's node is i mod N); `restripe` keeps every stripe whose node is still there,
 * takes stripes off nodes above their new share (spread evenly over the key space) and places the
 * orphaned and taken stripes on the nodes below it, next to a stripe of the same node only where
 * every node still below its share is a neighbour's. Only about 1/N of the state moves; shares
 * stay exact (a node's load follows its stripe count under a spread hot range).
 */
import { equalPartitionMap, type PartitionMap } from '../model/partition-map.ts';

/** `k` equal-width stripes placed round-robin over `nodes` (the active nodes, in index order). */
export function stripes(buckets: number, k: number, nodes: readonly number[]): PartitionMap {
  const m = equalPartitionMap(buckets, k, nodes.length);
  return { ...m, nodes: m.nodes.map((i) => nodes[i]) };
}

/** `held`'s stripes each split where they are into `k` (a multiple of their count) equal stripes: no state changes node. */
export function splitInPlace(held: PartitionMap, k: number, buckets: number): PartitionMap {
  const r = k / held.ids.length;
  const m = equalPartitionMap(buckets, k, 1);
  return { ...m, nodes: m.nodes.map((_, j) => held.nodes[Math.floor(j / r)]) };
}

/** Stripe counts k (≥ 2 × nodes, ≤ maxPartitions) with B divisible by k, largest first. */
export function stripeCounts(buckets: number, nodes: number, maxPartitions: number, max: number): number[] {
  const out: number[] = [];
  for (let k = Math.min(maxPartitions, buckets); k >= 2 * nodes && out.length < max; k--) if (buckets % k === 0) out.push(k);
  return out;
}

/**
 * `held`'s stripes over `nodes`: same boundaries and ids, each node with ⌊k/N⌋ or ⌈k/N⌉ stripes,
 * as few stripes changing node as that allows. `where` (optional): each stripe's node in the
 * cluster now, when the cluster has `held`'s cut (a removed node's stripes, drained by the
 * cluster, stay where the drain put them when that keeps the shares and neighbours apart).
 * Deterministic (ties to the earlier node in `nodes`).
 */
export function restripe(held: PartitionMap, nodes: readonly number[], where?: readonly number[]): PartitionMap {
  const k = held.nodes.length;
  const N = nodes.length;
  const at = held.nodes.map((n) => (nodes.includes(n) ? n : -1));
  const count = new Map<number, number>(nodes.map((n) => [n, 0]));
  for (const n of at) if (n >= 0) count.set(n, count.get(n)! + 1);
  // Shares: ⌊k/N⌋ each, one more for the k mod N nodes that hold the most stripes now.
  const quota = new Map<number, number>(nodes.map((n) => [n, Math.floor(k / N)]));
  [...nodes].sort((a, b) => count.get(b)! - count.get(a)! || a - b).slice(0, k % N).forEach((n) => quota.set(n, quota.get(n)! + 1));
  const over = (n: number) => count.get(n)! - quota.get(n)!;
  // Nodes over their share give up stripes: every stride-th stripe first (spread over the key
  // space, so a joining node's stripes are too), then any, until none is over.
  const release = nodes.reduce((s, n) => s + Math.max(0, over(n)), 0);
  for (const stride of [Math.max(1, Math.floor(k / Math.max(1, release))), 1]) {
    for (let i = 0; i < k; i++) {
      if (at[i] >= 0 && over(at[i]) > 0 && i % stride === stride - 1) {
        count.set(at[i], count.get(at[i])! - 1);
        at[i] = -1;
      }
    }
  }
  // Each stripe left without a node goes to a node under its share, not a neighbour's where one
  // can, where it is now if that is such a node, else the furthest under.
  for (let i = 0; i < k; i++) {
    if (at[i] >= 0) continue;
    const rank = (n: number) => (over(n) < 0 ? 4 : 0) + (n !== at[i - 1] && n !== at[i + 1] ? 2 : 0) + (where?.[i] === n ? 1 : 0);
    let best = nodes[0];
    for (const n of nodes) if (rank(n) > rank(best) || (rank(n) === rank(best) && over(n) < over(best))) best = n;
    at[i] = best;
    count.set(best, count.get(best)! + 1);
  }
  return { ...held, nodes: at };
}

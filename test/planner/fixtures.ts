/** Small named fixtures for the planner tests. */
import { equalPartitionMap, makePartitionMap, prefixSums, type PartitionMap } from '../../src/model/index.ts';
import { exactCut, seededRng, type PlanInput } from '../../src/planner/index.ts';

/** Uniform noise, a few Zipf-like hot keys and two hot bands; deterministic per seed. */
export function skewedLoad(B: number, seed = 1): Float64Array {
  const r = seededRng(seed);
  const l = new Float64Array(B);
  for (let j = 0; j < B; j++) l[j] = 5 + 10 * r.next();
  for (let h = 1; h <= B / 8; h++) l[Math.floor(r.next() * B)] += 100 / Math.pow(h, 0.8);
  for (let j = 0; j < B; j++) {
    l[j] += 60 * Math.exp(-(((j - 0.3 * B) / (0.03 * B)) ** 2)) + 30 * Math.exp(-(((j - 0.75 * B) / (0.01 * B)) ** 2));
  }
  return l;
}

export const fixtures = {
  /** Pure balance: movement and latency weights 0, a fixed count, equal ranges now. */
  pureBalance(B = 1024, k = 32, nodes = 8, seed = 1): PlanInput {
    return {
      map: equalPartitionMap(B, k, nodes),
      windows: [skewedLoad(B, seed)],
      cluster: { nodes, nodeCapacity: 1e9, maxPartitions: B },
      goals: { imbalance: 1, movement: 0, latency: 0, partitionCount: k },
      threshold: 0.05,
    };
  },
  /** Skewed load on four nodes, count free, default-ish goals. */
  skewedFourNodes(movement = 0.2, B = 512, k = 16): PlanInput {
    return {
      map: equalPartitionMap(B, k, 4),
      windows: [skewedLoad(B, 7)],
      cluster: { nodes: 4, nodeCapacity: 1e9, maxPartitions: 256 },
      goals: { imbalance: 1, movement, latency: 0.1 },
      threshold: 0.05,
    };
  },
  /** A forecast of three windows where a hot band travels up the key space, with a p90 tail. */
  movingBand(B = 512, k = 16): PlanInput {
    const windows: Float64Array[] = [];
    const upper: Float64Array[] = [];
    for (let w = 0; w < 3; w++) {
      const l = new Float64Array(B).fill(10);
      const c = (0.2 + 0.1 * w) * B;
      for (let j = 0; j < B; j++) l[j] += 200 * Math.exp(-(((j - c) / (0.02 * B)) ** 2));
      windows.push(l);
      upper.push(l.map((x) => x * 1.3));
    }
    return {
      map: equalPartitionMap(B, k, 4),
      windows,
      upper,
      cluster: { nodes: 4, nodeCapacity: 6000, maxPartitions: 64, partitionCapacity: 1500 },
      goals: { imbalance: 1, movement: 0.2, latency: 0.1 },
      threshold: 0.05,
    };
  },
};

/** The exact min-max cut of `load` into k parts, round-robin over `nodes`: already optimal. */
export function optimalMap(load: Float64Array, k: number, nodes: number): PartitionMap {
  const cut = exactCut(prefixSums(load), k).boundaries;
  return makePartitionMap(load.length, [...cut], Array.from({ length: k }, (_, i) => i % nodes));
}

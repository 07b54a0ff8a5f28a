/**
 * The end of one metrics window on the simulated cluster: the imbalance of the partitions' loads,
 * each node's utilisation, partitions and backlog (one `nodes.csv` row each), a row per partition
 * when asked, and the lane's window row. Kept apart from sim-cluster.ts because it only reads the
 * cluster (map, queues, nodes) and writes metrics.
 */
import { partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { CohortQueue } from './cohort-queue.ts';
import type { LaneMetrics } from './lane-metrics.ts';
import type { SimNodes } from './sim-nodes.ts';

/** What closing a window reads of the cluster. */
export interface WindowView {
  readonly map: PartitionMap;
  readonly queueOf: (partition: string) => CohortQueue;
  readonly nodes: SimNodes;
  /** Records that arrived at each node's partitions in the window (by node index). */
  readonly nodeArrivals: Float64Array;
  /** Records/s a node serves. */
  readonly nodeCapacity: number;
  /** Records queued now in the whole cluster. */
  readonly backlog: number;
}

/** The most loaded partition's load over the mean (1 when nothing arrived). */
export function imbalance(loads: ArrayLike<number>): number {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < loads.length; i++) {
    sum += loads[i];
    if (loads[i] > max) max = loads[i];
  }
  const mean = sum / loads.length;
  return mean > 0 ? max / mean : 1;
}

/**
 * Closes the window `[startMs, startMs + windowMs)` (window number `index`) into `metrics`:
 * `windowCounts` are its records per bucket. A removed node with nothing on it and nothing
 * arriving gets no row.
 */
export function closeWindow(v: WindowView, metrics: LaneMetrics, startMs: number, windowMs: number, windowCounts: Float64Array, recordPartitions: boolean, index: number): void {
  const map = v.map;
  const loads = partitionLoads(map, windowCounts);
  const sec = windowMs / 1000;
  const capWindow = v.nodeCapacity * sec;
  const nodeParts = new Array<number>(v.nodes.count).fill(0);
  const nodeBacklog = new Array<number>(v.nodes.count).fill(0);
  let cohorts = 0;
  map.nodes.forEach((n, i) => {
    const q = v.queueOf(map.ids[i]);
    nodeParts[n]++;
    nodeBacklog[n] += q.size;
    cohorts += q.cohorts;
  });
  if (cohorts > metrics.maxCohorts) metrics.maxCohorts = cohorts;
  let maxUtil = 0;
  for (let n = 0; n < v.nodeArrivals.length; n++) {
    if (!v.nodes.exists(n) && v.nodeArrivals[n] === 0 && nodeParts[n] === 0) continue;
    const u = v.nodeArrivals[n] / capWindow;
    if (u > maxUtil) maxUtil = u;
    const up = v.nodes.exists(n) && v.nodes.isUp(n, startMs + windowMs) ? 1 : 0;
    metrics.nodeSeries.push(index, { timeMs: startMs, node: n, rate: v.nodeArrivals[n] / sec, utilization: u, partitions: nodeParts[n], backlog: nodeBacklog[n], up });
  }
  if (recordPartitions && metrics.partitionSeries.takes(index)) {
    for (let i = 0; i < loads.length; i++) {
      metrics.partitionSeries.push(index, { timeMs: startMs, partition: map.ids[i], start: map.boundaries[i], end: map.boundaries[i + 1], node: map.nodes[i], rate: loads[i] / sec, backlog: v.queueOf(map.ids[i]).size });
    }
  }
  metrics.closeWindow(startMs, imbalance(loads), maxUtil, loads.length, v.backlog, index);
}

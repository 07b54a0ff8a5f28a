import { describe, expect, it } from 'vitest';
import { CohortQueue } from '../../src/cluster/cohort-queue.ts';
import { LaneMetrics } from '../../src/cluster/lane-metrics.ts';
import { SimNodes } from '../../src/cluster/sim-nodes.ts';
import { closeWindow, imbalance } from '../../src/cluster/sim-window.ts';
import { equalPartitionMap } from '../../src/model/partition-map.ts';

describe('closing a simulated window', () => {
  it('imbalance is the hottest partition over the mean, 1 when idle', () => {
    expect(imbalance([1, 1, 4])).toBe(2);
    expect(imbalance([0, 0])).toBe(1);
  });

  it('writes a row per node (utilisation, partitions, backlog, up) and per partition, and the window row', () => {
    const map = equalPartitionMap(4, 2, 2); // two partitions of two buckets, on nodes 0 and 1
    const queues = new Map(map.ids.map((id, i) => [id, new CohortQueue()]));
    queues.get(map.ids[0])!.push(0, 7);
    const nodes = new SimNodes(3);
    nodes.remove(2);
    nodes.crash(1, 0, 60_000);
    const m = new LaneMetrics(0, 100, 1);
    const arrivals = Float64Array.from([300, 100, 0]);
    closeWindow({ map, queueOf: (id) => queues.get(id)!, nodes, nodeArrivals: arrivals, nodeCapacity: 10, backlog: 7 }, m, 0, 10_000, Float64Array.from([300, 0, 50, 50]), true, 0);
    expect(m.nodeRows.map((r) => [r.node, r.utilization, r.partitions, r.backlog, r.up])).toEqual([
      [0, 3, 1, 7, 1],
      [1, 1, 1, 0, 0],
    ]);
    expect(m.partitionRows.map((r) => [r.partition, r.rate])).toEqual([
      [map.ids[0], 30],
      [map.ids[1], 10],
    ]);
    expect(m.rows[0].imbalance).toBeCloseTo(1.5, 12);
    expect(m.rows[0].maxUtilization).toBe(3);
    expect(m.rows[0].backlogRecords).toBe(7);
  });
});

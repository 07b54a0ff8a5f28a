/** The ControlPlane contract on the simulated cluster and on the in-memory plane (Redis: test/cluster/redis/). */
import { controlPlaneContract, CONTRACT_LAYOUT } from './control-plane-contract.ts';
import { config, harness } from '../fixtures/cluster.ts';
import { MemoryControlPlane } from '../../src/cluster/memory-control-plane.ts';
import { VirtualScheduler } from '../../src/engine/virtual-scheduler.ts';
import { equalPartitionMap, mapProblems } from '../../src/model/partition-map.ts';

const { buckets, partitions, nodes } = CONTRACT_LAYOUT;

controlPlaneContract('simulated cluster', async () => {
  // A mutable fault rate: armed for one move, then back to 0 (the sim draws failures per submit).
  const faults = { opFailureRate: 0, crashes: [] as never[] };
  const h = harness(config({ nodes, partitions, moveBandwidth: 200_000, faults }), buckets, 100);
  h.run(20, (c) => c.fill(2));
  let armed = false;
  const submit = h.cluster.submit.bind(h.cluster);
  h.cluster.submit = (a, tag) => {
    const arm = armed && (a.kind === 'move' || a.kind === 'create');
    if (arm) faults.opFailureRate = 1;
    try {
      const r = submit(a, tag);
      if (arm && r.accepted) armed = false;
      return r;
    } finally {
      faults.opFailureRate = 0;
    }
  };
  return {
    control: h.cluster,
    scheduler: h.scheduler,
    async until(pred, limitMs = 60_000) {
      const end = h.now() + limitMs;
      while (!pred()) {
        if (h.now() >= end) throw new Error(`condition not reached within ${limitMs} ms`);
        h.run(1, (c) => c.fill(2));
      }
    },
    failNextMove: () => void (armed = true),
    verify: async () => [...mapProblems(h.cluster.currentMap(), nodes), ...h.cluster.metrics.invariantMessages],
    close: async () => {},
  };
});

controlPlaneContract('in-memory plane', async () => {
  const scheduler = new VirtualScheduler();
  const control = new MemoryControlPlane({ scheduler, initialMap: equalPartitionMap(buckets, partitions, nodes), nodes, stateBytes: (s, e) => (e - s) * 1000 });
  return {
    control,
    scheduler,
    async until(pred, limitMs = 60_000) {
      const end = scheduler.now() + limitMs;
      while (!pred()) {
        if (scheduler.now() >= end) throw new Error(`condition not reached within ${limitMs} ms`);
        scheduler.run(scheduler.now() + 10);
      }
    },
    failNextMove: () => control.failNext('failed', { kinds: ['move', 'create'] }),
    verify: async () => mapProblems(control.currentMap(), nodes),
    close: async () => {},
  };
});

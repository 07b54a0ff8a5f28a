/**
 * What a scenario gives a run besides its policies (make-workload.ts): the synthetic workload
 * (its trace replay is in test/workload/trace.test.ts) and the cluster facts a policy may know.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomSource } from '../../src/engine/random.ts';
import { clusterFacts, makeWorkload } from '../../src/experiment/make-workload.ts';
import { SyntheticWorkload } from '../../src/workload/synthetic.ts';
import { loadScenario } from '../../src/io/load-scenario.ts';

const TINY = path.resolve(import.meta.dirname, '../fixtures/tiny.yaml');

describe('a scenario’s workload and cluster facts', () => {
  it('a scenario without a trace gets the synthetic generator, the same batches for the same seed', () => {
    const loaded = loadScenario(TINY);
    const a = makeWorkload(loaded, new RandomSource(5));
    const b = makeWorkload(loaded, new RandomSource(5));
    const c = makeWorkload(loaded, new RandomSource(6));
    expect(a).toBeInstanceOf(SyntheticWorkload);
    const first = (w: typeof a) => [...w.nextBatch(0).counts];
    const [x, y, z] = [first(a), first(b), first(c)];
    expect(x).toEqual(y);
    expect(x).not.toEqual(z);
    expect(loaded.durationFromTrace).toBeUndefined();
  });

  it('the cluster facts are the scenario’s cluster fields and record size', () => {
    const sc = loadScenario(TINY, { sets: ['cluster.nodeCapacity=1234', 'workload.recordBytes=99'] }).scenario;
    const f = clusterFacts(sc);
    expect(f.nodeCapacity).toBe(1234);
    expect(f.recordBytes).toBe(99);
    expect([f.maxPartitions, f.retention, f.maxConcurrentOps]).toEqual([sc.cluster.maxPartitions, sc.cluster.retention, sc.cluster.maxConcurrentOps]);
  });
});

/** Common random numbers across lanes: faults keyed by operation, policy streams keyed by spec. */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { parseScenario } from '../../src/scenario/load.ts';
import { runLoaded } from '../../src/api.ts';
import type { PolicySummary } from '../../src/experiment/summary.ts';

const scenario = (policies: string) => `name: crn
seed: 11
duration: 2h
warmup: 30m
tick: 2s
keyspace: { kind: user-id, keys: 10000, buckets: 128 }
workload:
  rate: 6000
  recordBytes: 128
  shape: { diurnal: { amplitude: 0.3, peak: 1h } }
  keys:
    - { share: 0.5, zipf: { s: 0.9, shuffle: true } }
    - { share: 0.5, band: { center: 0.2, width: 0.1, speed: 3 } }
cluster: { nodes: 3, nodeCapacity: 3000, partitions: 6, maxPartitions: 48, moveBandwidth: 10MB/s, faults: { opFailureRate: 0.3 } }
slo: { latency: 100ms }
policies:
${policies}
`;

const strip = ({ wallMs: _w, ...rest }: PolicySummary) => rest;
const run = (policies: string) => runLoaded(parseScenario(scenario(policies), 'crn.yaml', path.join(__dirname)), { workers: 1 });

describe('common random numbers', () => {
  // A budget at which the search has not converged, so its random draws show in the result.
  const spec = '{ kind: reactive, every: 2m, window: 2m, iterations: 150 }';
  const twins = run(`  a: ${spec}\n  b: ${spec}`);

  it('two lanes with the same spec face the same failures and end identical', () => {
    const { a, b } = twins.summary.policies;
    expect(a.operations.failed).toBeGreaterThan(0);
    expect(strip(b)).toEqual(strip(a));
    const ops = (n: number) => twins.result.lanes[n].operations.map((o) => `${o.timeMs} ${o.status} ${o.action.kind}`);
    expect(ops(1)).toEqual(ops(0));
  });

  it('renaming a policy does not change its results', () => {
    const renamed = run(`  zz_other_name: ${spec}`);
    expect(strip(renamed.summary.policies.zz_other_name)).toEqual(strip(twins.summary.policies.a));
  });

  it('a different spec draws different numbers', () => {
    const other = run(`  a: { kind: reactive, every: 2m, window: 2m, iterations: 151 }`);
    expect(strip(other.summary.policies.a)).not.toEqual(strip(twins.summary.policies.a));
  });
});

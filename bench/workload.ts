/**
 * The bench workload (issue 9): 4096 buckets by default, 1 s ticks, 256 partitions on 32 nodes,
 * 40k records/s over a skewed base, a moving hot band and a growing tail. One text for every
 * bench that runs it (`npm run bench`, `bench:forecast`), so their figures describe one workload.
 */

/** The bench scenario's text for `hours` hours over `buckets` buckets with the given `policies:` lines. */
export function benchScenario(hours: number, policies: string, buckets = 4096): string {
  return `name: bench
seed: 1
duration: ${hours}h
tick: 1s
keyspace: { kind: user-id, keys: 1000000, buckets: ${buckets} }
workload:
  rate: 40000
  shape: { diurnal: { amplitude: 0.5, peak: 14h }, noise: { cv: 0.05 } }
  keys:
    - { share: 0.5, zipf: { s: 1.1, shuffle: true } }
    - { share: 0.4, band: { center: 0.0, width: 0.1, speed: 1 } }
    - { share: 0.1, tail: { start: 0.95, perDay: 0.02 } }
cluster: { nodes: 32, nodeCapacity: 2500, partitions: 256, maxPartitions: 1024 }
policies:
${policies}`;
}

/** The simulated cluster: fluid queues, latency histogram, control plane, faults, metrics. */
export * from './config.ts';
export * from './latency-histogram.ts';
export * from './cohort-queue.ts';
export * from './bucket-history.ts';
export * from './lane-metrics.ts';
export * from './sim-cluster.ts';

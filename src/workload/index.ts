/** Workloads: synthetic keyed streams from scenario files. */
export * from './spec.ts';
export * from './workload.ts';
export * from './shape.ts';
export * from './key-distribution.ts';
export * from './synthetic.ts';

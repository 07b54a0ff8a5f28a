/**
 * keycast's public library API (see README "Library API"): running scenarios, and the three real
 * components on a user's own numbers: the profiler (KDP: `KeyDistributionProfiler`), the planner
 * (PRE: `planRepartition`, `parseSnapshot`) and the partition manager (APM: `PartitionManager`
 * over any `ControlPlane`, `estimateSchedule`).
 */
export * from './api.ts';
export * from './scenario/index.ts';
export * from './experiment/index.ts';
export * from './model/index.ts';
export * from './engine/index.ts';
export * from './workload/index.ts';
export * from './cluster/index.ts';
export * from './policies/index.ts';
export * from './report/index.ts';
export * from './profiler/index.ts';
export * from './planner/index.ts';
export * from './manager/index.ts';
// The scenario schema lists the model and optimizer names too (the same values): its lists win.
export { MODEL_NAMES, OPTIMIZER_NAMES } from './scenario/index.ts';

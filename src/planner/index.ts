/** PRE, the Predictive Repartitioning Engine: cost model, optimizers, plans. Re-exports only. */
export * from './types.ts';
export * from './plan-repartition.ts';
export * from './cost.ts';
export * from './terms/index.ts';
export * from './context.ts';
export * from './layout.ts';
export * from './layout-state.ts';
export * from './exact.ts';
export * from './assign-nodes.ts';
export * from './seeds.ts';
export * from './moves.ts';
export * from './optimizer.ts';
export * from './optimizers/index.ts';
export * from './derive-actions.ts';
export * from './impact.ts';
export * from './rng.ts';
export * from './snapshot.ts';

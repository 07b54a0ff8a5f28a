/** Experiments: run a scenario under each policy, summarise, evaluate expectations. */
export * from './run.ts';
export * from './summary.ts';
export * from './build-summary.ts';
export * from './policy-factory.ts';

/** APM, the Adaptive Partition Manager: executes plans, monitors them, rolls back. */
export * from './action-state.ts';
export * from './apm-config.ts';
export * from './plan-state.ts';
export * from './batches.ts';
export * from './partition-manager.ts';
export * from './schedule.ts';

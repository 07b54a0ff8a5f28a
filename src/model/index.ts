/** Value types shared by every stage: key ranges, load vectors, partition maps, forecasts, plans. */
export * from './key-range.ts';
export * from './load.ts';
export * from './partition-map.ts';
export * from './forecast.ts';
export * from './plan.ts';
export * from './apply-action.ts';
export * from './errors.ts';
export * from './batch.ts';
export * from './control-plane.ts';

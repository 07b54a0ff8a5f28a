/** Scenario files: schema, units, loading with line numbers, expectations. */
export * from '../model/units.ts';
export * from './schema.ts';
export * from './load.ts';
export * from './expect.ts';
export * from './metrics.ts';
export * from '../model/did-you-mean.ts';

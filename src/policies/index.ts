/** Policies: when to repartition and from which load picture. */
export * from './policy.ts';
export * from './static-policy.ts';
export * from './reactive-threshold.ts';
export * from './planning-policy.ts';
export * from './reactive.ts';
export * from './predictive.ts';
export * from './oracle.ts';
export * from './perfect-forecast.ts';
export * from './truth-source.ts';
export * from './fallbacks.ts';

/** keycast's public library API (see README "Library API"). */
export * from './api.ts';
export * from './scenario/index.ts';
export * from './experiment/index.ts';
export * from './model/index.ts';
export * from './engine/index.ts';
export * from './workload/index.ts';
export * from './cluster/index.ts';
export * from './policies/index.ts';
export * from './report/index.ts';

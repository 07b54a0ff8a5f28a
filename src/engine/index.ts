/** The virtual-time engine: heap-based scheduler and named seeded random streams. */
export * from './event-queue.ts';
export * from './virtual-scheduler.ts';
export * from './random.ts';
export * from './poisson.ts';

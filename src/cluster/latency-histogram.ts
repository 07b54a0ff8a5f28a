/**
 * The lanes' latency histogram, re-exported where the cluster's code and the experiment look for
 * it; it lives in model/latency-histogram.ts because the report reads it too (latency.csv) and
 * may depend on model/ only.
 */
export * from '../model/latency-histogram.ts';

/**
 * A lane's result as it crosses a thread boundary (structured clone): no function, the latency
 * histogram as plain data, rebuilt on the receiving side.
 */
import { LatencyHistogram } from '../cluster/latency-histogram.ts';
import type { LaneResult } from './run-types.ts';

/** A lane as it crosses a thread boundary. */
export type WireLane = Omit<LaneResult, 'latencyQuantile'>;

/** The lane without its function, to post to another thread. */
export function toWire(lane: LaneResult): WireLane {
  const { latencyQuantile: _q, ...rest } = lane;
  return rest;
}

/** The lane as posted by another thread, with its histogram and `latencyQuantile` back. */
export function fromWire(w: WireLane): LaneResult {
  const h = new LatencyHistogram();
  h.weights.set(w.latency.weights);
  h.total = w.latency.total;
  h.maxMs = w.latency.maxMs;
  return { ...w, latency: h, latencyQuantile: (q: number) => h.quantile(q) };
}

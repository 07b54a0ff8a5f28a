/** The interface every workload (synthetic or trace replay) offers the simulator. */
import type { KeyBatch } from '../model/batch.ts';

/** A stream of per-tick batches in time order, plus its expected rates for the oracle. */
export interface Workload {
  readonly buckets: number;
  readonly tickMs: number;
  readonly recordBytes: number;
  /** Produces the batch of the tick starting at `timeMs` (called in increasing tick order). */
  nextBatch(timeMs: number): KeyBatch;
  /**
   * Expected records/s per bucket at time `timeMs` (noise's mean, bursts included), written into
   * `out`. Pure in time: the oracle calls it for the future.
   */
  expectedRates(timeMs: number, out: Float64Array): Float64Array;
  /**
   * Per-tick noise of arrivals around `expectedRates`: the lognormal cv of a tick's rate factor
   * and whether counts are Poisson around it (a trace replays realised rates: none).
   */
  readonly arrivalNoise?: { readonly cv: number; readonly poisson: boolean };
  /** Rows skipped by `--skip-bad-rows` (traces), else 0. */
  readonly badRows: number;
}

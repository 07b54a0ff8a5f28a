/** The unit of a stream on virtual time: one tick's records, counted per fine bucket. */

/** Records that arrived during `[timeMs, timeMs + durationMs)`. */
export interface KeyBatch {
  readonly timeMs: number;
  readonly durationMs: number;
  /**
   * Records per bucket in this tick (length B, integers). The workload reuses this buffer for
   * the next tick: consumers that keep it must copy it.
   */
  readonly counts: Float64Array;
  /** Sum of `counts`. */
  readonly total: number;
  /** The largest of `counts`, when the workload knows it for free (lets a consumer skip a pass). */
  readonly max?: number;
  /** Bytes of the records (`total × recordBytes`). */
  readonly bytes: number;
}

/**
 * What the cost terms read of a layout (`LayoutView`): the aggregates a `LayoutState` keeps up to
 * date, and that a reshape estimate (reshape-bound.ts) fills in without building a state.
 */
import type { PlanContext } from './context.ts';

/** Read-only view the cost terms get. */
export interface LayoutView {
  readonly ctx: PlanContext;
  /** Number of partitions. */
  readonly k: number;
  readonly boundaries: Int32Array;
  readonly nodes: Int32Array;
  /** Largest expected partition load in search window `w`. */
  maxPartitionLoad(w: number): number;
  /** Largest tail partition load in window `w` (expected when the input has no tail). */
  maxPartitionUpper(w: number): number;
  /** Expected load of each node slot in window `w` (read-only; length `ctx.nodeSlots`). */
  nodeLoads(w: number): Float64Array;
  /** Tail load of each node slot in window `w` (expected when no tail is given). */
  nodeUppers(w: number): Float64Array;
  /** max(0, largest entry of `nodeLoads(w)`): kept up to date lazily, so reading it is O(1) mostly. */
  maxNodeLoad(w: number): number;
  /** max(0, largest entry of `nodeUppers(w)`). */
  maxNodeUpper(w: number): number;
  /** Σ over partitions of max(0, tail load − partition capacity) in window `w`. */
  partitionExcess(w: number): number;
  /** State bytes whose node differs from the current map's. */
  readonly movedBytes: number;
  /**
   * State bytes each node slot sends or receives in reaching the layout, when the context prices
   * the load of a transfer (`ctx.moveLoad` > 0; absent otherwise, and in estimates, which then
   * leave that price out and stay lower bounds).
   */
  readonly through?: Float64Array;
  /** Mean records/s of the buckets that change node. */
  readonly movedLoad: number;
  /** Stall-seconds of the splits and merges the boundaries imply. */
  readonly boundaryPenalty: number;
  /** Partitions on a node id ≥ nodeCount. */
  readonly invalidNodes: number;
}

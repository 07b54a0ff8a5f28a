/** The simulated cluster's configuration (the scenario's `cluster:` section as values). */

export interface ClusterConfig {
  readonly nodes: number;
  /** Records/s a node serves. */
  readonly nodeCapacity: number;
  /** Optional records/s cap per partition. */
  readonly partitionCapacity?: number;
  readonly partitions: number;
  readonly maxPartitions: number;
  readonly baseLatency: number;
  /** State kept per range (ms of records). */
  readonly retention: number;
  /** Bytes/s per node, shared by every move using the node. */
  readonly moveBandwidth: number;
  /** Ms a move spends per bucket it moves besides sending bytes (serving goes on); 0 when absent. */
  readonly movePerBucket?: number;
  /** Ms more a move or create spends before its bytes flow when it carries any state (serving goes on); 0 when absent. */
  readonly moveDataSetup?: number;
  /** Share of a node's capacity lost while it moves state at the full `moveBandwidth` (pro rata below); 0 when absent. */
  readonly moveLoad?: number;
  readonly pauses: { readonly split: number; readonly merge: number; readonly move: number };
  readonly maxConcurrentOps: number;
  readonly queueLimit?: number;
  readonly faults: {
    readonly opFailureRate: number;
    /** Share of operations that run `slowFactor` times slower (default 0). */
    readonly slowOpRate?: number;
    /** How much slower a slow operation is (default 10). */
    readonly slowFactor?: number;
    /** Share of operations that get stuck: do nothing until cancelled (default 0). */
    readonly stuckOpRate?: number;
    readonly crashes: readonly { readonly node: number; readonly at: number; readonly duration: number }[];
  };
  readonly events: readonly ({ readonly addNode: { readonly at: number } } | { readonly removeNode: { readonly at: number; readonly node: number } })[];
}

/**
 * The PRE's public value types: what a caller hands to `planRepartition` (the load picture, the
 * cluster, the goals) and what it gets back (a `Plan` with its impact, and whether it is proposed).
 */
import type { Impact, PartitionMap, Plan, PlanAction } from '../model/index.ts';

/** A random source in [0, 1). The planner never creates one: callers pass a seeded stream in. */
export interface Rng {
  next(): number;
}

/** Pause (cut-over) of each operation, in milliseconds. */
export interface PausesMs {
  readonly split: number;
  readonly merge: number;
  readonly move: number;
}

/** What the planner needs to know about the cluster. */
export interface ClusterSpec {
  /** Number of nodes (0-based ids `0 … nodes − 1`); partitions on other ids must be moved. */
  readonly nodes: number;
  /**
   * Ids below `nodes` that hold no partition and take none (nodes removed from the cluster or
   * down): the planner treats a partition on one as on a missing node. Default: none.
   */
  readonly inactive?: readonly number[];
  /** Records/s one node serves. */
  readonly nodeCapacity: number;
  /** Upper limit on the number of partitions (hard). */
  readonly maxPartitions: number;
  /** Optional records/s cap of one partition. */
  readonly partitionCapacity?: number;
  /** Bytes/s a move (or create) sends its state at. Default 50 MB/s. */
  readonly moveBandwidth?: number;
  /** Default `{ split: 50, merge: 50, move: 200 }` ms. */
  readonly pauses?: Partial<PausesMs>;
  /** Operations that may run at once (for the execution-time estimate). Default 4. */
  readonly maxConcurrentOps?: number;
  /**
   * Share of a node's capacity a move takes from its sending and its receiving node while it
   * runs (the scenario's `cluster.moveLoad`). Counted when the input is timed (`windowMs`). Default 0.
   */
  readonly moveLoad?: number;
}

/** The policy's goals: weights of the soft cost terms, and an optional exact partition count. */
export interface Goals {
  /** Weight of predicted imbalance and overload. */
  readonly imbalance: number;
  /** Weight of data movement (share of all state that changes node). */
  readonly movement: number;
  /** Weight of the latency penalty (records that wait out operation pauses). */
  readonly latency: number;
  /** When set, the plan must end with exactly this many partitions (hard). */
  readonly partitionCount?: number;
}

/** The load picture and constraints a plan is made for. */
export interface PlanInput {
  /** The configuration now. */
  readonly map: PartitionMap;
  /**
   * Expected records/s per bucket (length `map.buckets`) for each future window of the horizon,
   * in time order. One window is the reactive case (plan from the recent observed load).
   */
  readonly windows: readonly Float64Array[];
  /** Optional tail (e.g. p90) records/s per bucket, one per window, for tail-aware cost. */
  readonly upper?: readonly Float64Array[];
  /**
   * Optional bytes of state per bucket (what a move sends). Default: mean expected load × 512 B ×
   * 30 min (the scenario defaults of `recordBytes` and `retention`).
   */
  readonly stateBytes?: Float64Array;
  readonly cluster: ClusterSpec;
  readonly goals: Goals;
  /** A plan is proposed only when `(current cost − plan cost) / current cost` exceeds this. */
  readonly threshold: number;
  /**
   * Optional precomputed `pictureParts(windows, upper)` (context.ts), used when it was made
   * from these very arrays: a policy planning and re-checking against one picture computes
   * them once, and the picture's values are checked once (the arrays must not change).
   */
  readonly parts?: PictureParts;
  /**
   * Length of each window in ms. When given, a plan is priced while it runs (execution.ts): the
   * old layout serves until each action's cut-over, moves take `moveLoad` from their nodes, and
   * the search discounts a layout's gain by the share of the horizon its moves take.
   */
  readonly windowMs?: number;
  /**
   * Span (ms) over which a plan must pay back its execution; the last window's loads hold until
   * then. Default: the windows' span.
   */
  readonly horizonMs?: number;
  /**
   * For a picture expected to hold: where a node's expected load exceeds its capacity by more than
   * `threshold` in every window (over capacity for good, its backlog growing whatever the span), a
   * plan's gain counts for at least this long (ms) after it finishes — the span it is priced over
   * grows past `horizonMs` to its makespan plus this, the last window's loads held — and any
   * positive saving is proposed (the threshold guards against churn for small gains, not against
   * ending an overload that does not pass). Ignored otherwise; default 0.
   */
  readonly gainAfterMs?: number;
  /**
   * Operations still running when the plan is made (of earlier plans); `map` is then the map once
   * they finish. A timed input prices them into the plan's execution (execution.ts): the old
   * layout serves until their cut-overs, they load their nodes and hold slots, and a plan action
   * on one of their partitions waits for it.
   */
  readonly inFlight?: InFlight;
}

/** Operations running now: the cluster's map before they finish, each one's action and the ms it still runs. */
export interface InFlight {
  readonly actual: PartitionMap;
  readonly ops: readonly { readonly action: PlanAction; readonly remainingMs: number }[];
}

export type OptimizerName = 'annealing' | 'genetic' | 'greedy' | 'exact' | 'staged';

/** A search budget. Inside a simulation only `iterations` may be used (determinism). */
export interface Budget {
  /** Cost evaluations the optimizer may spend (≥ 1). */
  readonly iterations: number;
  /**
   * Optional early stop, polled now and then (e.g. a wall-clock deadline in `keycast plan`).
   * Never pass a clock inside a simulation: results would stop being reproducible.
   */
  readonly shouldStop?: () => boolean;
}

/** Search statistics. */
export interface PlanStats {
  readonly optimizer: string;
  readonly iterations: number;
  /**
   * Why the search ended: budget used up, converged, stopped early, or `bounded` (not run: the
   * cost lower bound showed that no plan can clear the threshold).
   */
  readonly ended: 'budget' | 'converged' | 'stopped' | 'bounded';
  /** True when the search resumed from `PlanOptions.warm` (it led every fresh start) on the warm budget. */
  readonly warm?: boolean;
}

/** What `planRepartition` returns. */
export interface PlanResult {
  /** True when the plan is worth executing (savings above the threshold, not a flip-flop). */
  readonly proposed: boolean;
  /** Why (e.g. `savings 3.1% ≤ threshold 5.0%`). */
  readonly reason: string;
  /**
   * The best plan found. When `proposed` is false it is still filled in (for inspection) but a
   * caller should not execute it.
   */
  readonly plan: Plan;
  /** The configuration now, over the horizon. */
  readonly current: Impact;
  /** The configuration after `plan`. */
  readonly predicted: Impact;
  /** `plan.savings`: (current cost − plan cost) / current cost. */
  readonly savings: number;
  /** Value of every cost term (unweighted) for the current and the planned configuration. */
  readonly terms: { readonly current: Readonly<Record<string, number>>; readonly predicted: Readonly<Record<string, number>> };
  readonly stats: PlanStats;
}

/** Sums over the load picture that the search reads. */
export interface PictureSums {
  /** Expected records/s prefix sums per search window (length B + 1 each). */
  readonly prefix: readonly Float64Array[];
  /** Tail prefix sums per search window, when the input has `upper`. */
  readonly upperPrefix: readonly Float64Array[] | undefined;
  readonly totals: Float64Array;
  readonly upperTotals: Float64Array | undefined;
  /** Mean expected load over windows, per bucket, and its prefix sums. */
  readonly meanLoad: Float64Array;
  readonly meanPrefix: Float64Array;
}

/**
 * The parts of a context that depend only on the load picture (`windows`, `upper`) and the
 * search-window limit: grouped windows, their prefix sums and totals, the mean load. A policy
 * that plans and then re-checks against one picture computes them once (`PlanInput.parts`).
 */
export interface PictureParts extends PictureSums {
  readonly windows: readonly Float64Array[];
  readonly upper: readonly Float64Array[] | undefined;
  readonly maxSearchWindows: number;
}

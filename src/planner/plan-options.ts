/**
 * How to plan (`PlanOptions`, what `planRepartition` takes beside its input). Apart from the
 * value types in `types.ts` because it names cost terms, whose contract reads the search's
 * context, which reads `types.ts`: kept there it would close an import cycle.
 */
import type { PartitionMap, Plan } from '../model/index.ts';
import type { CostTerm } from './cost-term.ts';
import type { Optimizer } from './optimizer.ts';
import type { OptimizerName, Rng } from './types.ts';

/** How to plan. */
export interface PlanOptions {
  /** Default `annealing`. A name, or an `Optimizer` itself (e.g. one configured with its own options). */
  readonly optimizer?: OptimizerName | Optimizer;
  /** Default 20 000. */
  readonly iterations?: number;
  /** Seeded random source (required by annealing and genetic; the others ignore it). */
  readonly rng: Rng;
  /** See `Budget.shouldStop`. */
  readonly shouldStop?: () => boolean;
  /**
   * The last proposed plan (or just its target map), for hysteresis: if the new best
   * configuration beats that target by less than `hysteresis`, the planner keeps the old target,
   * so near-equal plans do not flip-flop.
   */
  readonly previous?: Plan | PartitionMap;
  /** Fraction of the current cost; default `threshold / 2`. */
  readonly hysteresis?: number;
  /** Stamped on the plan (virtual time). Default 0. */
  readonly nowMs?: number;
  /** Plan id. Default `plan-<nowMs>`. */
  readonly id?: string;
  /** Id of the forecast or snapshot the plan is made from. Default `input`. */
  readonly basis?: string;
  /** Override term weights by name (e.g. `{ 'node-balance': 0 }`). */
  readonly termWeights?: Readonly<Record<string, number>>;
  /** Extra cost terms (pluggable; see `CostTerm`). */
  readonly extraTerms?: readonly CostTerm[];
  /** Share of the tail (upper) load in the imbalance term when `upper` is given. Default 0.5. */
  readonly tailWeight?: number;
  /** Windows beyond this many are averaged in consecutive groups while searching. Default 12. */
  readonly maxSearchWindows?: number;
  /**
   * Skip the search when a lower bound on every layout's cost shows that no plan can save more
   * than the threshold (default true). The decision (`proposed`) is the same either way; without
   * the early exit the result also carries the best plan found, for inspection.
   */
  readonly earlyExit?: boolean;
  /**
   * Incremental decisions: the last search's result (a policy's previous decision), searched
   * from as one more starting layout when it fits this context (the same key space, every
   * partition on a node `< nodes`, the count within the limits), with `iterations` as the
   * budget then (`PlanOptions.iterations` when it does not fit). A search that resumes where the
   * last one ended needs a fraction of a cold one's budget (docs/planner.md, "Warm starts").
   */
  readonly warm?: { readonly map: PartitionMap; readonly iterations: number };
}

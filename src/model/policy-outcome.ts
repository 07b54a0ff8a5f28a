/**
 * The parts of a policy's outcome that the cluster, the APM and the policies each report and
 * `summary.json` carries (experiment/summary.ts assembles them): typed once here, so the
 * producers and the summary cannot drift apart.
 */

/** Policy kinds (a summary's `kind`) that are predictive's code path fed the truth: each is compared over each predictive. */
export const ORACLE_KINDS: readonly string[] = ['oracle', 'perfect-forecast'];

/** Operations the cluster completed, by kind, and those that failed (`operations` in the summary, with the APM's counts beside them). */
export interface ClusterOpCounts {
  split: number;
  merge: number;
  move: number;
  create: number;
  failed: number;
}

/** Plans by outcome (the APM; `plans` in the summary). */
export interface PlanCounts {
  proposed: number;
  completed: number;
  rolledBack: number;
  superseded: number;
  aborted: number;
}

/** Forecast accuracy over the run (predictive; `forecast` in the summary). */
export interface ForecastAccuracy {
  /** Mean sMAPE (percent) over every (issued forecast, window) pair evaluated. */
  smape: number;
  /** Mean absolute error ÷ the in-sample seasonal-naive error of the total rate. */
  mase: number;
  /** Share of evaluated windows whose actual total rate fell inside [p10, p90]. */
  coverage80: number;
}

/**
 * Predictive with `regret: true`: mean cost gap per decision to the PRE on the truth (forecast
 * error) and from it to the exact lower bound (optimizer gap), and mean ms from a plan's
 * proposal to its end.
 */
export interface RegretReport {
  forecastCost: number;
  optimizerCost: number;
  executionLagMs: number;
  decisions: number;
}

/** What the circuit breaker of a planning policy did. */
export interface BreakerReport {
  /** Times it opened. */
  opened: number;
  /** Measured ms during which planning was paused. */
  openMs: number;
  /** Decisions skipped while open. */
  skippedDecisions: number;
  /** Its transitions (the first 100), with the reason of each opening. */
  events: { timeMs: number; state: 'open' | 'half-open' | 'closed'; reason: string }[];
}

/** What the spread strategy of a planning policy did (policies/spread.ts; `strategy: auto`). */
export interface StrategyReport {
  /** Switches between chasing and holding a striped layout. */
  switches: number;
  /** Measured ms spent holding a striped layout (migration included). */
  spreadMs: number;
  /** Plans of the measured time that moved held stripes between nodes for the load coming (stripe-placement.ts), and the stripes they moved. */
  placements: number;
  placedStripes: number;
  /** The switches, re-placements of held stripes after node changes and refinements of held stripes (the first 100 of them), each with its reason. */
  events: { timeMs: number; to: 'spread' | 'chase' | 'restripe' | 'refine'; reason: string }[];
}

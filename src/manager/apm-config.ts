/**
 * How the APM executes plans, as values (the scenario's `apm` section after validation, in ms and
 * bytes), and the defaults a policy uses when it is given none (tests, library use). The scenario
 * schema declares the same defaults; a test keeps the two equal.
 */
export interface ApmConfig {
  /** Retries per action after a transient failure before the plan is given up. */
  readonly retries: number;
  /** Delay before an action's first retry (ms); doubles per retry. */
  readonly backoff: number;
  /** Longest delay between retries (ms). */
  readonly maxBackoff: number;
  /** Floor of an operation's timeout (ms); the timeout is max(this, 3 × its estimated duration). */
  readonly opTimeout: number;
  /** Actions per plan. */
  readonly maxPlanActions: number;
  /** State bytes a plan moves at most. */
  readonly maxPlanBytes: number;
  /** The circuit breaker of planning: plans given up in a row that open it, first and longest pause (ms). */
  readonly breaker: { readonly failures: number; readonly cooldown: number; readonly maxCooldown: number };
}

export const DEFAULT_APM: ApmConfig = {
  retries: 5,
  backoff: 2_000,
  maxBackoff: 60_000,
  opTimeout: 600_000,
  maxPlanActions: 256,
  maxPlanBytes: 256 * 1024 ** 3,
  breaker: { failures: 3, cooldown: 300_000, maxCooldown: 1_800_000 },
};

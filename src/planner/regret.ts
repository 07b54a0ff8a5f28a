/**
 * Regret of a planning decision against the true future, decomposed: the forecast error (what
 * the layout chosen from a forecast costs under the truth, above what the same PRE plans from the
 * truth itself, same base and budget) and the optimizer gap (from that plan to the exact lower
 * bound on any layout's cost under the truth, the yardstick). Here, on the planner side, because
 * it is a question about the PRE's costs given the true windows; whoever knows the truth (the
 * predictive policy with `regret: true`) passes it in as a `PlanInput`. Execution lag (proposal to
 * end of a plan) is the APM's and is measured there.
 */
import type { PartitionMap } from '../model/partition-map.ts';
import type { RegretReport } from '../model/policy-outcome.ts';
import { buildContext } from './context.ts';
import { makeCostModel } from './cost.ts';
import { costLowerBound } from './lower-bound.ts';
import { planCost, planRepartition } from './plan-repartition.ts';
import type { OptimizerName, PlanInput, Rng } from './types.ts';

/** One decision's regret, in cost units of the PRE (each ≥ 0). */
export interface DecisionRegret {
  readonly forecastCost: number;
  readonly optimizerCost: number;
}

/** How the PRE plans from the truth for the comparison (the decision's own optimizer and effort). */
export interface RegretOptions {
  readonly optimizer?: OptimizerName;
  readonly iterations?: number;
  readonly rng: Rng;
  readonly nowMs: number;
}

/**
 * The regret of having chosen `chosen` (the decision's target, or its base when it proposed
 * nothing) given `truth`: the PRE's input over the true windows, planned from the decision's
 * base map. The plan from the truth runs its full search (no early exit).
 */
export function decisionRegret(truth: PlanInput, chosen: PartitionMap, options: RegretOptions): DecisionRegret {
  const cPred = planCost(chosen, truth).cost;
  const best = planRepartition(truth, { optimizer: options.optimizer, iterations: options.iterations, rng: options.rng, earlyExit: false, nowMs: options.nowMs });
  const cBest = Math.min(best.predicted.cost ?? Infinity, best.current.cost ?? Infinity);
  const lb = costLowerBound(buildContext(truth), makeCostModel(truth.goals));
  return { forecastCost: Math.max(0, cPred - cBest), optimizerCost: Math.max(0, cBest - lb) };
}

/** Sums decisions' regret and reports the means per decision (rounded to 6 decimals, as the summary keeps them). */
export class RegretTally {
  private forecastCost = 0;
  private optimizerCost = 0;
  private decisions = 0;

  add(r: DecisionRegret): void {
    this.forecastCost += r.forecastCost;
    this.optimizerCost += r.optimizerCost;
    this.decisions++;
  }

  /** The report, with the execution lag measured by the caller (mean ms from a plan's proposal to its end). */
  report(executionLagMs: number): RegretReport {
    const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
    const d = Math.max(1, this.decisions);
    return { forecastCost: r6(this.forecastCost / d), optimizerCost: r6(this.optimizerCost / d), executionLagMs, decisions: this.decisions };
  }
}

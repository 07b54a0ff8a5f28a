/**
 * `oracle` (also spelled `perfect-forecast`): the predictive policy's own code path — same
 * cadence, horizon, blend, tail picture, surprise checks between decisions, budget, threshold
 * and goals — fed the workload's truth instead of the KDP's forecast. So predictive − oracle is
 * the cost of forecast error to this controller, and the oracle is meant as the bound on what
 * prediction can give it. It is not one where the controller's own noise decides (tick noise near
 * capacity: docs/trust.md); the run's headline says when it did worse (report/oracle-check.ts).
 *
 * The truth of a window (expected load and its true per-tick p90) comes from truth-source.ts.
 *
 * With predictive's overload check between decisions too (a node over capacity in the last
 * minute, no plan running, a move off it landing within a minute: a decision from that minute's
 * observation). The truth prices a node's noise in its tail, but a cluster over capacity at its
 * peak builds backlogs that a 30-minute picture of arrivals does not show, and without the check
 * the oracle had 2.4× predictive's record-seconds over the SLO there; with it 1.01× (docs/trust.md,
 * "The oracle's checks between decisions").
 *
 * No warm-up: the truth needs no history, so `minHistory` defaults to 0 (set it to mimic the
 * predictive policy's reactive start).
 */
import type { PolicyContext } from './policy.ts';
import { PredictivePolicy, type ForecastSource, type PredictiveSpec } from './predictive.ts';
import { TruthSource } from './truth-source.ts';

export interface PerfectForecastSpec extends Omit<PredictiveSpec, 'models' | 'history'> {
  readonly kind?: string;
}

export class PerfectForecastPolicy extends PredictivePolicy {
  override readonly kind: string;
  constructor(private readonly pfSpec: PerfectForecastSpec) {
    super({ ...pfSpec, models: ['seasonal-naive'], history: pfSpec.window });
    this.kind = pfSpec.kind ?? 'oracle';
  }

  protected override createSource(ctx: PolicyContext): ForecastSource {
    return new TruthSource(ctx, this.pfSpec.window, this.pfSpec.ranges ?? 32);
  }

  protected override get minHistory(): number {
    return this.pfSpec.minHistory ?? 0;
  }
}

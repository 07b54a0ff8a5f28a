/**
 * `oracle`: the PRE and APM on the true future — the workload model's expected rates over the
 * horizon (bursts included, noise at its mean). The bound on what prediction can give: the
 * predictive policy's regret is measured against it.
 */
import { PlanningPolicy, type LoadPicture, type PlanningSpec } from './planning-policy.ts';

export interface OracleSpec extends PlanningSpec {
  readonly horizon: number;
}

/** Windows of the horizon the oracle and the predictive policy plan over. */
export const PICTURE_WINDOW_MS = 60_000;

export class OraclePolicy extends PlanningPolicy {
  readonly kind = 'oracle';
  constructor(protected override readonly spec: OracleSpec) {
    super(spec);
  }

  protected picture(nowMs: number): LoadPicture {
    const n = Math.max(1, Math.round(this.spec.horizon / PICTURE_WINDOW_MS));
    const windows: Float64Array[] = [];
    for (let k = 0; k < n; k++) windows.push(this.ctx.expectedRate(nowMs + (k + 0.5) * PICTURE_WINDOW_MS, new Float64Array(this.ctx.buckets)));
    return { windows, basis: `truth@${nowMs}` };
  }
}

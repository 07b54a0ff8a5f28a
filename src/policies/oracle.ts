/**
 * `mean-oracle`: the PRE and APM on the workload model's expected rates over the horizon (bursts
 * included, noise at its mean), each window the mean of four instants of it — and nothing else:
 * no tail picture, no checks between decisions, no blend with the observation. A heuristic, NOT
 * a bound: knowing the mean is not knowing the load a node must serve tick by tick, and this
 * policy can do worse than `predictive` (which has the tail and the surprise checks). The
 * intended bound is `oracle` (perfect-forecast.ts): predictive's own code path fed the truth.
 */
import { PlanningPolicy, type LoadPicture, type PlanningSpec } from './planning-policy.ts';
import type { PolicyContext } from './policy.ts';

export interface MeanOracleSpec extends PlanningSpec {
  readonly horizon: number;
}

/** Windows of the horizon the oracle and the predictive policy plan over. */
export const PICTURE_WINDOW_MS = 60_000;

/** Samples per window of the true picture: a trace's records come in bursts within a window. */
const SAMPLES = 4;

/** The true expected records/s per bucket of each window of the horizon (the mean of SAMPLES points). */
export function trueWindows(ctx: PolicyContext, nowMs: number, horizonMs: number): Float64Array[] {
  const n = Math.max(1, Math.round(horizonMs / PICTURE_WINDOW_MS));
  const tmp = new Float64Array(ctx.buckets);
  const windows: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const w = new Float64Array(ctx.buckets);
    for (let j = 0; j < SAMPLES; j++) {
      ctx.expectedRate(nowMs + (k + (j + 0.5) / SAMPLES) * PICTURE_WINDOW_MS, tmp);
      for (let i = 0; i < w.length; i++) w[i] += tmp[i] / SAMPLES;
    }
    windows.push(w);
  }
  return windows;
}

export class MeanOraclePolicy extends PlanningPolicy {
  readonly kind = 'mean-oracle';
  constructor(protected override readonly spec: MeanOracleSpec) {
    super(spec);
  }

  protected override paybackMs(): number | undefined {
    return this.spec.payback ?? this.spec.horizon;
  }

  protected picture(nowMs: number): LoadPicture {
    return { windows: trueWindows(this.ctx, nowMs, this.spec.horizon), windowMs: PICTURE_WINDOW_MS, basis: `truth@${nowMs}` };
  }
}

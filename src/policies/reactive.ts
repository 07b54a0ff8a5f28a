/**
 * `reactive`: the PRE and APM on the load observed over the last `window` — what a balancer
 * that watches current load does (Cruise Control, Slicer). One window, no look-ahead.
 */
import { PlanningPolicy, type LoadPicture, type PlanningSpec } from './planning-policy.ts';

export interface ReactiveSpec extends PlanningSpec {
  readonly window: number;
}

export class ReactivePolicy extends PlanningPolicy {
  readonly kind = 'reactive';
  constructor(protected override readonly spec: ReactiveSpec) {
    super(spec);
  }

  protected picture(nowMs: number): LoadPicture | null {
    const w = this.ctx.observedRate(this.spec.window, new Float64Array(this.ctx.buckets));
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i];
    if (total <= 0) return null;
    return { windows: [w], basis: `observed@${nowMs}` };
  }
}

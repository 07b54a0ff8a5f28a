/**
 * `hindsight`: the PRE and APM planning from the realised future — every arrival of the run known
 * ahead (the workload replayed with the run's seed before the run, experiment/realised.ts). At
 * t = 0 and at the start of every phase (`every`) it plans one layout for the realised load of the
 * next `horizon` (default: the phase) and executes it like any plan (priced while it runs, paying
 * back over the phase, the same threshold, goals and churn budget). With `every` as long as the
 * run it is the best fixed layout in hindsight (moved at t = 0, when state is smallest); shorter
 * phases give a layout sequence.
 *
 * An achievable reference, NOT a proof of optimality: its outcome is measured in the same
 * simulator, so the best any policy could do lies between the run's lower bounds (any layout at
 * every tick, experiment/bounds.ts) and the best lane, this one included. An online policy well
 * above it has room to improve; one well below it shows that this search missed something.
 */
import { Priority } from '../engine/virtual-scheduler.ts';
import type { RealisedLoad } from '../model/realised.ts';
import { PlanningPolicy, type LoadPicture, type PlanningSpec } from './planning-policy.ts';
import type { PolicyContext } from './policy.ts';

/** Search windows at most (a day of 5-minute windows): the search's cost grows with them. */
const MAX_SEARCH_WINDOWS = 288;

export interface HindsightSpec extends PlanningSpec {
  /** Span of realised load each decision plans for (0: the phase, `every`). */
  readonly horizon: number;
  /** Window of the realised picture. */
  readonly window: number;
}

export class HindsightPolicy extends PlanningPolicy {
  readonly kind = 'hindsight';
  private realised!: RealisedLoad;

  constructor(protected override readonly spec: HindsightSpec) {
    super(spec);
  }

  /** Every phase searched cold at the whole budget: the last phase's layout is no start for the next. */
  protected override warmDefault(): number {
    return 0;
  }

  private get spanMs(): number {
    return this.spec.horizon > 0 ? this.spec.horizon : this.spec.every;
  }

  protected override paybackMs(): number | undefined {
    return this.spec.payback ?? this.spanMs;
  }

  override start(ctx: PolicyContext): void {
    const r = ctx.realised?.get(this.spec.window);
    if (!r) throw new Error(`hindsight policy "${ctx.name}": the run gave no realised load at window ${this.spec.window} ms`);
    this.realised = r;
    super.start(ctx);
    // The first phase starts at once (the base class's first decision is one `every` in).
    ctx.scheduler.at(ctx.startMs, () => this.decide(), Priority.policy);
  }

  /** Every window of the phase is searched: a 4-hour average would hide a band that crosses the key space. */
  protected override searchWindows(pic: LoadPicture): number {
    return Math.min(pic.windows.length, this.spec.searchWindows ?? MAX_SEARCH_WINDOWS);
  }

  protected picture(nowMs: number): LoadPicture | null {
    return this.windowsOf(nowMs, nowMs + this.spanMs);
  }

  /** The realised windows from the one holding `fromMs` until `toMs` (cut at the run's end). */
  private windowsOf(fromMs: number, toMs: number): LoadPicture | null {
    const W = this.spec.window;
    const first = Math.floor(fromMs / W);
    const last = Math.min(this.realised.count, Math.ceil(Math.min(toMs, this.ctx.endMs) / W));
    if (last <= first) return null;
    const windows: Float64Array[] = [];
    const upper: Float64Array[] = [];
    for (let k = first; k < last; k++) {
      const m = this.realised.mean(k);
      const e = 1 + this.realised.excess(k);
      const w = Float64Array.from(m);
      const u = new Float64Array(m.length);
      for (let b = 0; b < m.length; b++) u[b] = m[b] * e;
      windows.push(w);
      upper.push(u);
    }
    return { windows, upper, windowMs: W, basis: `realised@${fromMs}` };
  }
}

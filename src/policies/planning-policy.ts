/**
 * The shared machinery of the policies that plan with the PRE and execute with the APM
 * (`reactive`, `predictive`, `oracle`): every `every` (from the first decision after warm-up
 * starts, at `every`), build a load picture, plan from the APM's planning base (the map once the
 * operations in flight finish), and hand a proposed plan to the APM, which supersedes the rest of
 * an older plan. Before each batch the APM re-checks the plan against the newest picture.
 * Subclasses only say which picture: observed, forecast or the true future.
 */
import { Priority } from '../engine/virtual-scheduler.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import type { Plan } from '../model/plan.ts';
import { PartitionManager, type PlanCounts, type PlanRecord } from '../manager/partition-manager.ts';
import { planCosts, planRepartition, planSavings } from '../planner/plan-repartition.ts';
import type { Goals, OptimizerName, PlanInput, PlanResult } from '../planner/types.ts';
import { pictureParts, type PictureParts } from '../planner/context.ts';
import type { Policy, PolicyContext, PolicyReport } from './policy.ts';
import { churnBudgetTerm } from '../planner/terms/churn-budget.ts';

/** The scenario fields every planning policy has. */
export interface PlanningSpec {
  readonly every: number;
  readonly threshold: number;
  readonly optimizer: OptimizerName;
  readonly iterations: number;
  readonly goals: Goals;
  /**
   * Churn budget per rolling hour: state bytes (`bytesPerHour`) and/or a share of all state
   * (`stateSharePerHour`) the policy's plans may send between nodes; the PRE honours what is left
   * (a hard term), counting every plan proposed within the hour at its predicted moved bytes.
   */
  readonly churnBudget?: { readonly bytesPerHour?: number; readonly stateSharePerHour?: number };
}

/** A load picture: per-window records/s per bucket (and optional p90), and its id. */
export interface LoadPicture {
  readonly windows: Float64Array[];
  readonly upper?: Float64Array[];
  readonly basis: string;
}

/** What a planning policy adds to its report. */
export interface PlanningReport extends PolicyReport {
  readonly plans: PlanCounts;
  readonly rolledBackActions: number;
  readonly planRecords: readonly PlanRecord[];
  readonly decisions: number;
}

export abstract class PlanningPolicy implements Policy {
  abstract readonly kind: string;
  protected ctx!: PolicyContext;
  protected manager!: PartitionManager;
  private lastPlan: Plan | undefined;
  private latest: LoadPicture | null = null;
  /** The planner's picture parts of `latest` (decide and every re-check of it share them). */
  private latestParts: { pic: LoadPicture; parts: PictureParts } | null = null;
  private stateBuf!: Float64Array;
  /** Virtual time `stateBuf` was filled at (state sizes are read once per instant). */
  private stateAt = -1;
  private seq = 0;
  decisions = 0;
  /** Plans proposed by the PRE, in order (for tests and reports). */
  readonly results: PlanResult[] = [];

  constructor(protected readonly spec: PlanningSpec) {}

  /** The picture to plan from now, or null to skip this decision. */
  protected abstract picture(nowMs: number): LoadPicture | null;

  start(ctx: PolicyContext): void {
    this.ctx = ctx;
    this.stateBuf = new Float64Array(ctx.buckets);
    this.manager = new PartitionManager({
      control: ctx.control,
      scheduler: ctx.scheduler,
      maxConcurrentOps: ctx.cluster.maxConcurrentOps,
      threshold: this.spec.threshold / 2,
      recheck: (plan, current) => this.recheck(plan, current),
      tag: ctx.name,
    });
    const tick = () => {
      this.decide();
      const next = ctx.scheduler.now() + this.spec.every;
      if (next < ctx.endMs) ctx.scheduler.at(next, tick, Priority.policy);
    };
    ctx.scheduler.at(ctx.startMs + this.spec.every, tick, Priority.policy);
  }

  /** The PRE's input for a picture and a base map. */
  protected input(pic: LoadPicture, map: PartitionMap): PlanInput {
    const c = this.ctx.cluster;
    const nodes = this.ctx.control.activeNodes();
    const now = this.ctx.scheduler.now();
    if (now !== this.stateAt) {
      this.ctx.stateBytes(this.stateBuf);
      this.stateAt = now;
    }
    if (this.latestParts?.pic !== pic) this.latestParts = { pic, parts: pictureParts(pic.windows, pic.upper) };
    return {
      map,
      windows: pic.windows,
      upper: pic.upper,
      parts: this.latestParts.parts,
      stateBytes: this.stateBuf,
      cluster: {
        nodes: nodes.length ? Math.max(...nodes) + 1 : 1,
        nodeCapacity: c.nodeCapacity,
        maxPartitions: c.maxPartitions,
        partitionCapacity: c.partitionCapacity,
        moveBandwidth: c.moveBandwidth,
        pauses: c.pauses,
        maxConcurrentOps: c.maxConcurrentOps,
      },
      goals: this.spec.goals,
      threshold: this.spec.threshold,
    };
  }

  /** One decision: plan from the picture and execute a proposed plan. */
  decide(): PlanResult | null {
    const now = this.ctx.scheduler.now();
    const pic = this.picture(now);
    if (!pic) return null;
    this.latest = pic;
    this.decisions++;
    const base = this.manager.planningBase();
    const nodes = this.ctx.control.activeNodes();
    // Partitions on a node that is down or gone cannot be planned around reliably: wait.
    if (base.nodes.some((n) => !nodes.includes(n))) return null;
    const input = this.input(pic, base);
    const budget = this.churnLeft(now, input.stateBytes);
    const res = planRepartition(input, {
      ...(budget !== null ? { extraTerms: [churnBudgetTerm(budget)] } : {}),
      optimizer: this.spec.optimizer,
      iterations: this.spec.iterations,
      rng: this.ctx.rng,
      previous: this.lastPlan,
      nowMs: now,
      id: `${this.ctx.name}-${++this.seq}`,
      basis: pic.basis,
    });
    if (res.proposed && res.plan.actions.length > 0) {
      this.spent.push({ atMs: now, bytes: res.predicted.movedBytes });
      this.results.push(res);
      this.lastPlan = res.plan;
      this.manager.execute(res.plan);
    }
    return res;
  }

  /** Plans proposed in the last hour and their predicted moved bytes (the churn budget's account). */
  private spent: { atMs: number; bytes: number }[] = [];

  /** Bytes left of the churn budget in the hour up to `now`; null without a budget. */
  private churnLeft(now: number, stateBytes: Float64Array | undefined): number | null {
    const b = this.spec.churnBudget;
    if (!b || (b.bytesPerHour === undefined && b.stateSharePerHour === undefined)) return null;
    let total = 0;
    if (stateBytes) for (let i = 0; i < stateBytes.length; i++) total += stateBytes[i];
    const cap = Math.min(b.bytesPerHour ?? Infinity, b.stateSharePerHour !== undefined ? b.stateSharePerHour * total : Infinity);
    this.spent = this.spent.filter((s) => s.atMs > now - 3_600_000);
    return Math.max(0, cap - this.spent.reduce((a, s) => a + s.bytes, 0));
  }

  /** The APM's stale-plan guard: the plan's saving against the newest picture. */
  private recheck(plan: Plan, current: PartitionMap): { savings: number; partialPays: boolean } {
    const pic = this.latest;
    if (!pic) return { savings: plan.savings, partialPays: true };
    const inputNow = this.input(pic, current);
    const savings = planSavings(plan, inputNow);
    const [before, partial] = planCosts([plan.before, current], this.input(pic, plan.before));
    return { savings, partialPays: partial <= before };
  }

  finish(): PlanningReport {
    return {
      plans: { ...this.manager.counts },
      rolledBackActions: this.manager.rolledBackActions,
      planRecords: this.manager.records,
      decisions: this.decisions,
    };
  }
}

/**
 * The shared machinery of the policies that plan with the PRE and execute with the APM
 * (`reactive`, `predictive`, `oracle`): every `every` (from the first decision after warm-up
 * starts, at `every`), build a load picture, plan from the APM's planning base (the map once the
 * operations in flight finish), and hand a proposed plan to the APM, which supersedes the rest of
 * an older plan. Before each batch the APM re-checks the plan against the newest picture.
 * Subclasses only say which picture: observed, forecast or the true future.
 *
 * Robustness, shared by all of them (the scenario's `apm` section):
 * - plan caps: a proposed plan larger than `maxPlanActions` actions or `maxPlanBytes` moved bytes
 *   executes only its first actions (dependencies kept; a single action above the byte cap runs
 *   alone); the next decision plans the rest from where the cluster then is. The re-check of a
 *   cut plan measures the whole plan's saving, so a first part that does not pay on its own is
 *   not aborted for it;
 * - operation timeouts: `max(opTimeout, 3 × the action's estimated duration)`, the estimate
 *   assuming its transfer shares bandwidth with `maxConcurrentOps` others;
 * - a circuit breaker (breaker.ts): planning pauses after `breaker.failures` plans given up in a
 *   row, for longer each time it fails again;
 *
 * Incremental decisions (`skipTolerance`): a decision is skipped, without calling the PRE, while
 * nothing it plans from has moved beyond the tolerance since the last one that found nothing to
 * do (skip.ts); the predictive policy's surprise decisions never are. Warm starts (`warmShare`):
 * the PRE also starts from the last search's result and, while that still leads every fresh
 * start, spends that share of `iterations` (docs/planner.md, "Warm starts").
 */
import { Priority } from '../engine/virtual-scheduler.ts';
import { onInactiveNode, type PartitionMap } from '../model/partition-map.ts';
import type { Plan, PlanAction } from '../model/plan.ts';
import { PartitionManager, type PlanCounts, type PlanRecord } from '../manager/partition-manager.ts';
import { actionEstimateMs } from '../manager/schedule.ts';
import { budgetCut, capPlan, planActionBytes } from './plan-cap.ts';
import { planCosts, planRepartition, planSavings } from '../planner/plan-repartition.ts';
import { DEFAULT_APM, type ApmConfig } from '../manager/apm-config.ts';
import type { Goals, OptimizerName, PlanInput, PlanResult } from '../planner/types.ts';
import { pictureParts, planNodes, type PictureParts } from '../planner/context.ts';
import type { BreakerReport, Policy, PolicyContext, PolicyReport } from './policy.ts';
import { churnBudgetTerm } from '../planner/terms/churn-budget.ts';
import { resumePoint, warmOptions } from '../planner/seeds.ts';
import { SPREAD_SETTINGS, SpreadStrategy, type Strategy } from './spread.ts';
import { placeStripes } from './stripe-placement.ts';
import { inFlightNow } from './in-flight.ts';
import { PlanBreaker } from './breaker.ts';
import { ChurnAccount, type ChurnBudget } from './churn-account.ts';
import { SKIP_TOLERANCE, skipSnapshot, unmoved, type SkipSnapshot } from './skip.ts';

/**
 * Default `warmShare`: a quarter of the budget when the search resumes from the last one's result
 * (on captured decisions: the cold search's mean plan cost for less CPU; docs/bench-log.md, session 34).
 */
export const WARM_SHARE = 0.25;

/** The scenario fields every planning policy has. */
export interface PlanningSpec {
  readonly every: number;
  readonly threshold: number;
  readonly optimizer: OptimizerName;
  readonly iterations: number;
  readonly goals: Goals;
  /**
   * Churn budget per rolling hour: state bytes (`bytesPerHour`) and/or a share of the most state
   * held in the last 24 h (`stateSharePerHour`) the policy's plans may send between nodes; the PRE
   * honours what is left (a hard term) and the spread strategy's plans are cut to fit it, every
   * plan proposed within the hour counted at its predicted moved bytes (churn-account.ts).
   */
  readonly churnBudget?: ChurnBudget;
  /**
   * Price a plan while it runs (default true): the old layout serves until each cut-over, moves
   * take `moveLoad` from their nodes, and the plan must pay back within `payback` (planner/execution.ts).
   */
  readonly priceExecution?: boolean;
  /** Span (ms) a plan must pay back over; the picture's last window holds until then (default: the picture's span). */
  readonly payback?: number;
  /**
   * Skip a decision whose inputs have not moved since the last one that found nothing to do, by
   * at most this share of a node's capacity (default SKIP_TOLERANCE; 0: decide every time).
   */
  readonly skipTolerance?: number;
  /**
   * Share of `iterations` a decision spends when it resumes from the last search's result (which
   * the PRE does while that still leads every fresh start; default WARM_SHARE, hindsight 0: every
   * search cold at the whole budget).
   */
  readonly warmShare?: number;
  /** Search windows the PRE keeps of a picture (consecutive windows averaged in groups beyond it; default 12). */
  readonly searchWindows?: number;
  /** `auto`: hold a striped layout instead of chasing while the scores say it serves better (spread.ts); `chase`: the PRE always. */
  readonly strategy?: Strategy;
}

/** A load picture: per-window records/s per bucket (and optional p90), and its id. */
export interface LoadPicture {
  readonly windows: Float64Array[];
  readonly upper?: Float64Array[];
  /** Length of each window, ms (the plan is priced while it runs when given). */
  readonly windowMs?: number;
  readonly basis: string;
}

/** What a planning policy adds to its report. */
export interface PlanningReport extends PolicyReport {
  readonly plans: PlanCounts;
  readonly rolledBackActions: number;
  readonly retriedActions: number;
  readonly timedOutOps: number;
  readonly breaker: BreakerReport;
  readonly planRecords: readonly PlanRecord[];
  readonly decisions: number;
  /** Of `decisions`, those skipped because nothing moved since the last one that found nothing. */
  readonly skippedDecisions: number;
  /** Of `decisions`, those whose search resumed from the last one's result on `warmShare` of the budget. */
  readonly warmDecisions: number;
}

/** PlanResults kept in `results` (the recent ones, for debugging and tests; each holds a whole plan, so few). */
export const RESULTS_KEPT = 16;

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
  /** Decisions skipped because nothing moved since the last one that found nothing (skip.ts); counted in `decisions` too. */
  skippedDecisions = 0;
  /** Decisions whose search resumed from the last one's result (`warmShare`). */
  warmDecisions = 0;
  /** The inputs of the last decision that found nothing to do, while no other decision planned since. */
  private quiet: SkipSnapshot | null = null;
  /** The last search's result (its target) and the active nodes it was planned on (ids joined by commas): where the next search may resume. */
  private lastSearch: { map: PartitionMap; nodes: string } | null = null;
  /** The latest plans proposed by the PRE, in order (for tests; the last `RESULTS_KEPT`). */
  readonly results: PlanResult[] = [];
  protected apm!: ApmConfig;
  /** The whole plan a cut plan (`Plan.capped`) came from, for the re-check. */
  private cutFrom: { id: string; whole: Plan } | null = null;
  /** The circuit breaker (breaker.ts). */
  private breaker!: PlanBreaker;
  private spread: SpreadStrategy | null = null;

  constructor(protected readonly spec: PlanningSpec) {}

  /** The strategy when the spec names none: the PRE always (predictive's code path: `auto`). */
  protected defaultStrategy(): Strategy {
    return 'chase';
  }

  /** Span a plan must pay back over (`PlanInput.horizonMs`); undefined: the picture's span. */
  protected paybackMs(): number | undefined {
    return this.spec.payback;
  }

  /** How long a plan's gain counts at least past its end (`PlanInput.gainAfterMs`) with this payback span; undefined: not at all. */
  protected gainAfterMs(_paybackMs: number | undefined): number | undefined {
    return undefined;
  }

  /** A timed input's span fields: the payback span, and the gain past a plan's end for it. */
  private timing(windowMs: number, horizonMs = this.paybackMs()): { windowMs: number; horizonMs: number | undefined; gainAfterMs: number | undefined } {
    return { windowMs, horizonMs, gainAfterMs: this.gainAfterMs(horizonMs) };
  }

  /** Search windows the PRE keeps of a picture (consecutive windows averaged in groups beyond it); undefined: the planner's default. */
  protected searchWindows(_pic: LoadPicture): number | undefined {
    return this.spec.searchWindows;
  }

  /** The picture to plan from now, or null to skip this decision. */
  protected abstract picture(nowMs: number): LoadPicture | null;

  /** The p90 relative excess of a tick's load over its window's mean, as the policy knows it (0: unknown). */
  protected tickNoise(): number {
    return 0;
  }

  start(ctx: PolicyContext): void {
    this.ctx = ctx;
    this.stateBuf = new Float64Array(ctx.buckets);
    this.apm = ctx.apm ?? DEFAULT_APM;
    this.breaker = new PlanBreaker(this.apm.breaker, ctx.warmupMs);
    if (this.spec.churnBudget?.bytesPerHour !== undefined || this.spec.churnBudget?.stateSharePerHour !== undefined) this.churn = new ChurnAccount(this.spec.churnBudget);
    const pace = () => (this.churn ? this.churn.perHour(ctx.scheduler.now(), this.stateNow()) / 3600 : Infinity);
    if ((this.spec.strategy ?? this.defaultStrategy()) === 'auto') this.spread = new SpreadStrategy(ctx, this.spec.every, SPREAD_SETTINGS, this.spec.threshold, () => this.tickNoise(), pace);
    this.manager = new PartitionManager({
      control: ctx.control,
      scheduler: ctx.scheduler,
      maxConcurrentOps: ctx.cluster.maxConcurrentOps,
      threshold: this.spec.threshold / 2,
      recheck: (plan, current) => this.recheck(plan, current),
      tag: ctx.name,
      retries: this.apm.retries,
      retry: { baseMs: this.apm.backoff, maxMs: this.apm.maxBackoff },
      opTimeoutMs: (a) => this.opTimeoutMs(a),
      onRecord: ctx.planSink,
    });
    this.manager.events$.subscribe((e) => {
      if (e.type === 'plan' && (e.status === 'rolled-back' || e.status === 'completed')) this.breaker.planEnded(e.status, e.reason, e.timeMs);
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
    this.stateNow();
    if (this.latestParts?.pic !== pic) this.latestParts = { pic, parts: pictureParts(pic.windows, pic.upper) };
    return {
      map,
      windows: pic.windows,
      upper: pic.upper,
      parts: this.latestParts.parts,
      stateBytes: this.stateBuf,
      cluster: {
        ...planNodes(nodes),
        nodeCapacity: c.nodeCapacity,
        maxPartitions: c.maxPartitions,
        partitionCapacity: c.partitionCapacity,
        moveBandwidth: c.moveBandwidth,
        pauses: c.pauses,
        maxConcurrentOps: c.maxConcurrentOps,
        moveLoad: c.moveLoad,
      },
      goals: this.spec.goals,
      threshold: this.spec.threshold,
      ...(this.spec.priceExecution !== false && pic.windowMs !== undefined ? this.timing(pic.windowMs) : {}),
    };
  }

  /** State bytes per bucket now (read once per instant). */
  protected stateNow(): Float64Array {
    const now = this.ctx.scheduler.now();
    if (now !== this.stateAt) {
      this.ctx.stateBytes(this.stateBuf);
      this.stateAt = now;
    }
    return this.stateBuf;
  }

  /** The operation timeout of `a` now (see the file comment). */
  private opTimeoutMs(a: PlanAction): number {
    const share = Math.max(1, this.ctx.cluster.maxConcurrentOps);
    return Math.max(this.apm.opTimeout, 3 * actionEstimateMs(this.ctx.control.currentMap(), a, this.stateNow(), this.ctx.cluster, share));
  }

  /** `plan` cut at the APM's caps (plan-cap.ts), its saving re-measured on the latest picture (a spread migration keeps its own). */
  private cap(plan: Plan): Plan {
    const cut = capPlan(plan, planActionBytes(plan, this.stateNow(), this.ctx.cluster), this.apm);
    if (cut === plan || this.spread?.owns(plan.id) || !this.latest) return cut;
    return { ...cut, savings: planSavings(cut, this.input(this.latest, plan.before)) };
  }

  /** One decision: plan from the picture and execute a proposed plan. */
  decide(): PlanResult | null {
    const now = this.ctx.scheduler.now();
    if (!this.breaker.allows(now)) return null;
    const base = this.manager.planningBase();
    const nodes = this.ctx.control.activeNodes();
    if (this.spread && this.spreadStep(now, base)) return null;
    const pic = this.picture(now);
    if (!pic) return null;
    this.latest = pic;
    this.decisions++;
    // Partitions on a node that is down or gone cannot be planned around reliably: wait.
    if (onInactiveNode(base, nodes)) return null;
    const input = { ...this.input(pic, base), inFlight: inFlightNow(this.ctx.control.currentMap(), this.manager.runningOps(), this.stateNow(), this.ctx.cluster, now) };
    const budget = this.churn ? this.churn.left(now, input.stateBytes) : null;
    const tol = this.spec.skipTolerance ?? SKIP_TOLERANCE;
    // The snapshot is taken only to compare with a quiet decision's, or to keep if this one is quiet.
    const skips = tol > 0 && this.mayskip();
    const snap = () => skipSnapshot(pic, base, nodes, this.stateNow(), budget, this.ctx.buckets);
    const snapshot = skips && this.quiet ? snap() : null;
    if (snapshot && this.quiet && unmoved(this.quiet, snapshot, tol, this.ctx.cluster.nodeCapacity)) {
      this.skippedDecisions++;
      return null;
    }
    const nodesKey = nodes.join(',');
    // The PRE's warm start: the last search's result, planned on the same active nodes.
    const warm = warmOptions(this.lastSearch?.nodes === nodesKey ? this.lastSearch.map : undefined, this.spec.iterations, this.spec.warmShare ?? this.warmDefault());
    const res = planRepartition(input, {
      ...(budget !== null ? { extraTerms: [churnBudgetTerm(budget)] } : {}),
      ...(warm ? { warm } : {}),
      optimizer: this.spec.optimizer,
      iterations: this.spec.iterations,
      maxSearchWindows: this.searchWindows(pic),
      rng: this.ctx.rng,
      previous: this.lastPlan,
      nowMs: now,
      id: `${this.ctx.name}-${++this.seq}`,
      basis: pic.basis,
    });
    if (res.stats.warm) this.warmDecisions++;
    const resume = resumePoint(res);
    if (resume) this.lastSearch = { map: resume, nodes: nodesKey };
    if (res.proposed && res.plan.actions.length > 0) {
      this.churn?.spend(now, res.predicted.movedBytes);
      this.results.push(res);
      if (this.results.length > RESULTS_KEPT) this.results.splice(0, this.results.length - RESULTS_KEPT);
      this.execute(res.plan);
    } else this.quiet = skips ? (snapshot ?? snap()) : null;
    return res;
  }

  /** `warmShare` when the scenario sets none. */
  protected warmDefault(): number {
    return WARM_SHARE;
  }

  /** The spread strategy's step: true when it decided (held the layout or started a migration), so the PRE is not asked. */
  private spreadStep(now: number, base: PartitionMap): boolean {
    const step = this.spread!.step(now, base, this.manager.busy, this.manager.activePlanId, this.manager.transferNodes(), this.manager.counts);
    if (step.kind === 'chase') return false;
    this.decisions++;
    if (step.kind === 'migrate') this.executeSpread(now, step.plan);
    else if (step.placeable) this.place(now, base);
    return true;
  }

  /** A plan of the spread strategy, cut to what is left of the churn budget (plan-cap.ts) and counted against it. */
  private executeSpread(now: number, plan: Plan): void {
    const cut = this.churn ? budgetCut(plan, planActionBytes(plan, this.stateNow(), this.ctx.cluster), this.churn.left(now, this.stateNow())) : plan;
    if (cut && this.churn) this.churn.spend(now, cut.predicted.movedBytes);
    if (cut) this.execute(cut);
  }

  /** Moves held stripes between nodes for the picture when that pays (stripe-placement.ts). */
  private place(now: number, base: PartitionMap): void {
    const pic = this.picture(now);
    if (!pic) return;
    const picture = { windows: pic.windows, windowMs: pic.windowMs ?? this.spec.every };
    const p = placeStripes({ map: base, picture, noise: this.tickNoise(), state: () => this.stateNow(), nodes: this.ctx.control.activeNodes(), cluster: this.ctx.cluster, threshold: this.spec.threshold });
    if (p) this.executeSpread(now, this.spread!.replace(now, base, p));
  }

  /** Hands `plan` to the APM, cut at its caps (the whole plan kept for the re-check of a cut one). */
  private execute(plan: Plan): void {
    this.lastPlan = plan;
    const cut = this.cap(plan);
    this.cutFrom = cut === plan ? null : { id: cut.id, whole: plan };
    this.manager.execute(cut);
    this.quiet = null;
  }

  /** Whether the decision now may be skipped (false for a decision triggered between regular ones). */
  protected mayskip(): boolean {
    return true;
  }

  /** The churn budget's account (churn-account.ts); null without a budget. */
  private churn: ChurnAccount | null = null;

  /** The APM's stale-plan guard: the plan's saving against the newest picture. */
  private recheck(cutPlan: Plan, current: PartitionMap): { savings: number; partialPays: boolean } {
    const pic = this.latest;
    // A spread migration is judged by the strategy's scores, not by the PRE's picture: never
    // aborted here (its saving on the last window alone is often 0, and a migration cut after each
    // batch would take many times the span its switch was priced for).
    if (this.spread?.owns(cutPlan.id)) return { savings: Infinity, partialPays: true };
    if (!pic) return { savings: cutPlan.savings, partialPays: true };
    const plan = this.cutFrom?.id === cutPlan.id ? this.cutFrom.whole : cutPlan;
    const inputNow = this.input(pic, current);
    const savings = planSavings(plan, inputNow);
    const [before, partial] = planCosts([plan.before, current], this.input(pic, plan.before));
    return { savings, partialPays: partial <= before };
  }

  /** Mean time from a plan's creation to its end, over the plans that ended (ms). */
  protected meanExecutionLagMs(): number {
    return this.manager.meanLagMs;
  }

  finish(): PlanningReport {
    this.manager.flushRecords(true);
    return {
      plans: { ...this.manager.counts },
      rolledBackActions: this.manager.rolledBackActions,
      retriedActions: this.manager.retriedActions,
      timedOutOps: this.manager.timedOutOps,
      breaker: this.breaker.close(this.ctx.endMs),
      ...(this.spread ? { strategy: this.spread.finish() } : {}),
      planRecords: this.manager.records,
      decisions: this.decisions,
      skippedDecisions: this.skippedDecisions,
      warmDecisions: this.warmDecisions,
    };
  }
}

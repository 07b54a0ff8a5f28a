/**
 * The PRE's entry points. `planRepartition` searches for the best configuration under the cost
 * model, turns it into ordered actions with dependencies, and decides whether it is worth
 * proposing (savings above the threshold, hysteresis against flip-flopping). `planCost` and
 * `planSavings` re-evaluate a configuration or a plan against a newer load picture — what the
 * APM's stale-plan guard calls before each batch.
 */
import { countSafe } from './count-safe.ts';
import { InputError, mapProblems, type PartitionMap, type Plan, type Problem } from '../model/index.ts';
import { buildContext, type PlanContext } from './context.ts';
import { isFeasible, makeCostModel, termValues, totalCost, violations, type CostModel } from './cost.ts';
import { guarded } from './terms/overload-guard.ts';
import { deriveActions, type DerivedActions } from './derive-actions.ts';
import { loadAwareOrder } from './load-order.ts';
import { impactOf } from './impact.ts';
import { executionOverload, inFlightCost, lagModel, overCapacityForGood, pricedCost } from './execution.ts';
import { LayoutState } from './layout-state.ts';
import { layoutOfMap, sameLayoutArrays, type Layout } from './layout.ts';
import { costLowerBound } from './lower-bound.ts';
import { makeOptimizer } from './optimizers/index.ts';
import { seedStates } from './optimizer.ts';
import { seedLayouts, warmSeed } from './seeds.ts';
import type { PlanOptions } from './plan-options.ts';
import type { PlanInput, PlanResult } from './types.ts';

/** Called with every decision's input and options while set (`recordDecisions`). */
let recorder: ((input: PlanInput, options: PlanOptions) => void) | undefined;

/**
 * Hands every later `planRepartition` call's input and options to `sink` (undefined: stop), for
 * benches that replay the decisions a running policy made (`bench/plan-decisions.ts`). Only
 * decisions made in the calling thread are seen (a run's worker threads have their own module
 * state). The planner keeps nothing else; results do not change.
 */
export function recordDecisions(sink: ((input: PlanInput, options: PlanOptions) => void) | undefined): void {
  recorder = sink;
}

/** Default optimizer budget (cost evaluations). */
export const DEFAULT_ITERATIONS = 20_000;

/** Every problem with a `PlanInput`, as `{ path, message }` (empty when it is sound). */
export function planInputProblems(input: PlanInput): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => out.push({ path, message });
  const B = input.map?.buckets;
  if (!Number.isInteger(B) || B < 1) {
    add('map.buckets', 'must be a positive integer');
    return out;
  }
  for (const m of mapProblems(input.map)) add('map', m);
  const c = input.cluster;
  if (!Number.isInteger(c.nodes) || c.nodes < 1) add('cluster.nodes', 'must be a positive integer');
  if (c.inactive && (c.inactive.some((n) => !Number.isInteger(n) || n < 0 || n >= c.nodes) || new Set(c.inactive).size >= c.nodes)) add('cluster.inactive', 'must list node ids below cluster.nodes, leaving one active');
  if (!(c.nodeCapacity > 0)) add('cluster.nodeCapacity', 'must be positive');
  if (!Number.isInteger(c.maxPartitions) || c.maxPartitions < 1) add('cluster.maxPartitions', 'must be a positive integer');
  if (c.partitionCapacity !== undefined && !(c.partitionCapacity > 0)) add('cluster.partitionCapacity', 'must be positive');
  if (c.moveBandwidth !== undefined && !(c.moveBandwidth > 0)) add('cluster.moveBandwidth', 'must be positive');
  if (c.maxConcurrentOps !== undefined && !(Number.isInteger(c.maxConcurrentOps) && c.maxConcurrentOps >= 1)) add('cluster.maxConcurrentOps', 'must be a positive integer');
  for (const [k, v] of Object.entries(c.pauses ?? {})) if (!(Number(v) >= 0)) add(`cluster.pauses.${k}`, 'must be ≥ 0 ms');
  if (c.moveLoad !== undefined && !(c.moveLoad >= 0 && c.moveLoad <= 1)) add('cluster.moveLoad', 'must be a fraction in [0, 1]');
  if (input.windowMs !== undefined && !(input.windowMs > 0 && input.windowMs < Infinity)) add('windowMs', 'must be a positive number of ms');
  if (input.horizonMs !== undefined && !(input.horizonMs > 0 && input.horizonMs < Infinity)) add('horizonMs', 'must be a positive number of ms');
  if (input.gainAfterMs !== undefined && !(input.gainAfterMs >= 0 && input.gainAfterMs < Infinity)) add('gainAfterMs', 'must be a non-negative number of ms');
  const g = input.goals;
  for (const k of ['imbalance', 'movement', 'latency'] as const) if (!(g[k] >= 0)) add(`goals.${k}`, 'must be ≥ 0');
  if (g.partitionCount !== undefined) {
    if (!Number.isInteger(g.partitionCount) || g.partitionCount < 1) add('goals.partitionCount', 'must be a positive integer');
    else if (g.partitionCount > Math.min(B, c.maxPartitions)) {
      add('goals.partitionCount', `must be at most min(buckets, maxPartitions) = ${Math.min(B, c.maxPartitions)}`);
    }
  }
  if (!(input.threshold >= 0 && input.threshold <= 1)) add('threshold', 'must be a fraction in [0, 1]');
  const vec = (path: string, v: Float64Array | undefined, bad = firstBadValue(v)) => {
    if (!v) return;
    if (v.length !== B) return add(path, `has ${v.length} values, the key space has ${B} buckets`);
    if (bad >= 0) add(`${path}[${bad}]`, 'must be a finite number ≥ 0');
  };
  // The picture's values are scanned once per picture when the input carries its parts (whose
  // arrays must not change): a policy plans and re-checks against one picture many times.
  const parts = input.parts;
  if (!input.windows || input.windows.length === 0) add('windows', 'needs at least one window of loads');
  else {
    const bad = firstBadValues(input.windows, parts?.windows === input.windows);
    input.windows.forEach((w, i) => vec(`windows[${i}]`, w, bad[i]));
  }
  if (input.upper) {
    if (input.upper.length !== input.windows?.length) add('upper', `has ${input.upper.length} windows, loads have ${input.windows?.length ?? 0}`);
    else {
      const bad = firstBadValues(input.upper, parts !== undefined && parts.upper === input.upper);
      input.upper.forEach((w, i) => vec(`upper[${i}]`, w, bad[i]));
    }
  }
  vec('stateBytes', input.stateBytes);
  return out;
}

/** Index of the first value that is not a finite number ≥ 0, or −1 (also for a missing vector, which `vec` skips). */
function firstBadValue(v: Float64Array | undefined): number {
  if (!v) return -1;
  for (let j = 0; j < v.length; j++) {
    const x = v[j];
    // One comparison pair per value (NaN fails both).
    if (!(x >= 0 && x < Infinity)) return j;
  }
  return -1;
}

/** `firstBadValue` of each vector; kept per list of vectors when `keep` (a picture's, unchanging). */
const scanned = new WeakMap<readonly Float64Array[], Int32Array>();
function firstBadValues(vs: readonly Float64Array[], keep: boolean): Int32Array {
  let r = keep ? scanned.get(vs) : undefined;
  if (!r || r.length !== vs.length) {
    r = Int32Array.from(vs, firstBadValue);
    if (keep) scanned.set(vs, r);
  }
  return r;
}

function check(input: PlanInput): void {
  const problems = planInputProblems(input);
  if (problems.length > 0) throw new InputError(problems.map((p): Problem => ({ file: '<plan input>', path: p.path, message: p.message })));
}

function modelFor(input: PlanInput, options: Partial<PlanOptions>): { ctx: PlanContext; model: CostModel } {
  const ctx = buildContext(input, { tailWeight: options.tailWeight, maxSearchWindows: options.maxSearchWindows });
  const model = makeCostModel(input.goals, { termWeights: options.termWeights, extraTerms: options.extraTerms });
  return { ctx, model };
}

/** Cost of a configuration under an input (movement counted from `input.map`), its terms and feasibility. */
export function planCost(
  map: PartitionMap,
  input: PlanInput,
  options: Partial<PlanOptions> = {},
): { cost: number; feasible: boolean; terms: Record<string, number>; violations: string[] } {
  check(input);
  const { ctx, model } = modelFor(input, options);
  const s = new LayoutState(ctx, layoutOfMap(map));
  return { cost: totalCost(model, s), feasible: isFeasible(model, s), terms: termValues(model, s), violations: violations(model, s) };
}

/** Costs of several configurations under one input (one context built for all of them). */
export function planCosts(maps: readonly PartitionMap[], input: PlanInput, options: Partial<PlanOptions> = {}): number[] {
  check(input);
  const { ctx, model } = modelFor(input, options);
  return maps.map((m) => totalCost(model, new LayoutState(ctx, layoutOfMap(m))));
}

/**
 * The saving of reaching `plan.after` from `input.map` under `input` (e.g. a newer forecast):
 * `(cost(input.map) − cost(plan.after)) / cost(input.map)`. Pass the live map as `input.map` to
 * re-check a half-executed plan; below the policy's threshold, the rest of the plan is stale.
 */
export function planSavings(plan: Plan, input: PlanInput, options: Partial<PlanOptions> = {}): number {
  check(input);
  const { ctx, model } = modelFor(input, options);
  const cur = totalCost(model, new LayoutState(ctx, layoutOfMap(input.map)));
  const next = totalCost(model, new LayoutState(ctx, layoutOfMap(plan.after)));
  return cur > 0 ? (cur - next) / cur : 0;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const FOR_GOOD = ' (a node over capacity for good: any saving pays)';

/**
 * Plans a repartitioning of `input.map` for the load picture in `input`.
 *
 * The result always carries the best plan found with its predicted impact; `proposed` says
 * whether to execute it: the current configuration breaks a hard limit (removed node, too many
 * partitions, a required count) and the plan fixes it, or the savings exceed `input.threshold`.
 * With `options.previous`, a new target that beats the previous one by less than `hysteresis`
 * (a fraction of the current cost) is replaced by the previous target.
 *
 * Deterministic for equal inputs and equal random sequences. Throws `InputError` for an
 * inconsistent input (see `planInputProblems`) and `RangeError` for an unknown optimizer.
 */
export function planRepartition(given: PlanInput, options: PlanOptions): PlanResult {
  check(given);
  recorder?.(given, options);
  const { input, forGood } = asPriced(given);
  const optimizer = optimizerOf(options);
  const { ctx, model: unguarded } = modelFor(input, options);
  const before = input.map;
  const curState = new LayoutState(ctx, layoutOfMap(before));
  const currentFeasible = isFeasible(unguarded, curState);
  const base = currentFeasible ? guarded(unguarded, curState) : unguarded; // no new overload, unless staying put breaks a limit
  // A timed input prices time: the search discounts a layout's gain by the share of the horizon
  // its moves take, the proposal prices the derived plan on its schedule (execution.ts).
  const model = lagModel(base, ctx, curState);
  const heldCost = totalCost(model, curState);
  const currentCost = heldCost + (model.lag ? inFlightCost(base, ctx) : 0); // doing nothing meets the operations in flight too
  const nowMs = options.nowMs ?? 0;
  const id = options.id ?? `plan-${nowMs}`;
  const waived = currentFeasible && forGood ? FOR_GOOD : ''; // any saving pays
  const threshold = waived ? 0 : input.threshold;
  // Early exit: when even the lower bound on every layout's cost saves no more than the
  // threshold, no search can find a plan worth proposing (a feasible current map can only be
  // replaced for its savings). Most decisions of a running policy end here.
  if (currentFeasible && currentCost > 0 && options.earlyExit !== false) {
    const bound = costLowerBound(ctx, model);
    const maxSavings = (currentCost - bound) / currentCost;
    if (maxSavings <= threshold) {
      return unchanged(ctx, model, curState, currentCost, optimizer.name, id, nowMs, options.basis,
        `no plan can save more than ${pct(Math.max(0, maxSavings))} (cost lower bound) ≤ threshold ${pct(threshold)}${waived}`);
    }
  }

  const warm = warmSeed(ctx, options.warm?.map);
  const seeds = warm ? [...seedLayouts(ctx), warm] : seedLayouts(ctx);
  // The warm budget while the last result (last seed) costs no more than every fresh start; its states go to the search.
  const starts = warm ? seedStates({ ctx, model, seeds }) : undefined;
  const resume = starts !== undefined && starts.every((st) => starts[starts.length - 1].cost <= st.cost);
  const iterations = resume ? options.warm!.iterations : (options.iterations ?? 20_000);
  const result = optimizer.optimize({ ctx, model, seeds, ...(starts ? { starts } : {}) }, { iterations, shouldStop: options.shouldStop }, options.rng);
  const { target, targetState, targetCost, note } = chooseTarget(ctx, model, options, result.layout, curState, heldCost, currentFeasible, threshold);
  const { derived, peak } = countSafeDerived(loadSafe(deriveActions(before, target), before, input, ctx.nodeCapacity), before, ctx.maxPartitions);
  const { cost: plannedCost, note: timing } = priceWhileRunning(ctx, base, model, before, derived, targetState, targetCost, currentCost);
  const savings = currentCost > 0 ? (currentCost - plannedCost) / currentCost : 0;
  const current = impactOf(ctx, before, undefined, currentCost);
  const predicted = impactOf(ctx, derived.after, { before, ...derived }, plannedCost);
  const plan: Plan = { id, createdAtMs: nowMs, basis: options.basis ?? 'input', before, after: derived.after, actions: derived.actions, dependsOn: derived.dependsOn, current, predicted, savings };
  const { proposed, reason } = overCap(proposal(derived.actions.length, model, curState, currentFeasible, isFeasible(model, targetState), savings, threshold), peak, ctx.maxPartitions);
  return {
    proposed,
    reason: reason + waived + timing + note,
    plan,
    current,
    predicted,
    savings,
    terms: { current: termValues(model, curState), predicted: termValues(model, targetState) },
    stats: { optimizer: optimizer.name, iterations: result.iterations, ended: result.ended, ...(resume ? { warm: true } : {}) },
  };
}

/** The input as the PRE prices it: `gainAfterMs` only where a node is over capacity for good (execution.ts). */
function asPriced(given: PlanInput): { input: PlanInput; forGood: boolean } {
  const forGood = (given.gainAfterMs ?? 0) > 0 && overCapacityForGood(given);
  return { input: forGood ? given : { ...given, gainAfterMs: undefined }, forGood };
}

/** The optimizer `options` names (annealing by default), or the one it carries. */
function optimizerOf(options: PlanOptions) {
  const chosen = options.optimizer ?? 'annealing';
  return typeof chosen === 'string' ? makeOptimizer(chosen) : chosen;
}

/**
 * The cost of the derived plan: with a price of time, on its schedule (`pricedCost`), with a note
 * for the reason; else the target's cost.
 */
function priceWhileRunning(
  ctx: PlanContext,
  base: CostModel,
  model: CostModel,
  before: PartitionMap,
  derived: DerivedActions,
  targetState: LayoutState,
  targetCost: number,
  currentCost: number,
): { cost: number; note: string } {
  if (!model.lag) return { cost: targetCost, note: '' };
  if (derived.actions.length === 0) return { cost: currentCost, note: '' }; // the layout now, with what is in flight
  const ex = executionOverload(ctx, before, derived.actions, derived.dependsOn);
  const cost = pricedCost(base, model.lag, targetState, ex);
  const instant = totalCost(base, targetState);
  const min = (ms: number) => (ms >= 60_000 ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / 1000).toFixed(0)} s`);
  const pctOf = (c: number) => (currentCost > 0 ? pct((currentCost - c) / currentCost) : '0.0%');
  return { cost, note: ` (priced while it runs, ~${min(ex.makespanMs)}, paid back over ${min(ex.spanMs)}; ${pctOf(instant)} if it were instant)` };
}

/** A target layout with its state and cost, and a note for the reason (the hysteresis kept the previous target). */
interface ChosenTarget {
  readonly target: Layout;
  readonly targetState: LayoutState;
  readonly targetCost: number;
  readonly note: string;
}

/**
 * The layout to plan toward: the optimizer's, or the previous target when the new one beats it by
 * less than the hysteresis margin (a fraction of the current cost), or the current layout when the
 * choice is infeasible or (from a feasible current map) dearer than staying.
 */
function chooseTarget(
  ctx: PlanContext,
  model: CostModel,
  options: PlanOptions,
  found: Layout,
  curState: LayoutState,
  currentCost: number,
  currentFeasible: boolean,
  threshold: number,
): ChosenTarget {
  const before = ctx.input.map;
  const foundState = new LayoutState(ctx, found);
  let chosen: ChosenTarget = { target: found, targetState: foundState, targetCost: totalCost(model, foundState), note: '' };
  const hysteresis = options.hysteresis ?? threshold / 2;
  const prevMap = options.previous && ('after' in options.previous ? options.previous.after : options.previous);
  if (prevMap && prevMap.buckets === before.buckets && mapProblems(prevMap).length === 0 && !sameLayoutArrays(layoutOfMap(prevMap), found)) {
    const prevState = new LayoutState(ctx, layoutOfMap(prevMap));
    const prevCost = totalCost(model, prevState);
    if (isFeasible(model, prevState) && prevCost <= chosen.targetCost + hysteresis * currentCost) {
      chosen = {
        target: layoutOfMap(prevMap),
        targetState: prevState,
        targetCost: prevCost,
        note: '; kept the previous target (the new best is not better by the hysteresis margin)',
      };
    }
  }
  if (!isFeasible(model, chosen.targetState) || (currentFeasible && chosen.targetCost > currentCost)) {
    chosen = { ...chosen, target: layoutOfMap(before), targetState: curState, targetCost: currentCost };
  }
  return chosen;
}

/** Whether to execute a plan of `actionCount` actions, and why (see `planRepartition`). */
function proposal(
  actionCount: number,
  model: CostModel,
  curState: LayoutState,
  currentFeasible: boolean,
  targetFeasible: boolean,
  savings: number,
  threshold: number,
): { proposed: boolean; reason: string } {
  if (actionCount === 0) {
    return { proposed: false, reason: currentFeasible ? 'the current configuration is the best found' : `no feasible plan found: ${violations(model, curState).join('; ')}` };
  }
  if (!currentFeasible && targetFeasible) return { proposed: true, reason: `the current configuration breaks a limit (${violations(model, curState).join('; ')})` };
  if (savings > threshold) return { proposed: true, reason: `savings ${pct(savings)} > threshold ${pct(threshold)}` };
  return { proposed: false, reason: `savings ${pct(savings)} ≤ threshold ${pct(threshold)}` };
}

/** The derived actions with count-safe dependencies (count-safe.ts), and the order's peak partition count. */
function countSafeDerived(d: DerivedActions, before: PartitionMap, cap: number): { derived: DerivedActions; peak: number } {
  const safe = countSafe(before, d.actions, d.dependsOn, cap);
  return { derived: { ...d, dependsOn: safe.dependsOn }, peak: safe.peak };
}

/** A proposal withdrawn when its order needs more partitions at once than `cap`. */
function overCap(p: { proposed: boolean; reason: string }, peak: number, cap: number): { proposed: boolean; reason: string } {
  if (!p.proposed || peak <= cap) return p;
  return { proposed: false, reason: `its actions need ${peak} partitions at once, above maxPartitions ${cap} (a boundary shift splits before it merges)` };
}

/**
 * The derived actions in a drain-before-fill order (load-order.ts) against the near tail: per
 * bucket, the larger of the picture's first two windows (their tail when the input has one),
 * which the plan's execution overlaps.
 */
function loadSafe(d: DerivedActions, before: PartitionMap, input: PlanInput, capacity: number): DerivedActions {
  const src = input.upper ?? input.windows;
  if (d.actions.length === 0 || src.length === 0 || !(capacity > 0)) return d;
  const near = Float64Array.from(src[0]);
  if (src.length > 1) for (let b = 0; b < near.length; b++) near[b] = Math.max(near[b], src[1][b]);
  const o = loadAwareOrder(before, d.actions, d.dependsOn, near, capacity);
  return { actions: o.actions, dependsOn: o.dependsOn, after: d.after };
}

/** The result of a decision that keeps the current map without searching (see the early exit). */
function unchanged(
  ctx: PlanContext,
  model: CostModel,
  curState: LayoutState,
  currentCost: number,
  optimizer: string,
  id: string,
  nowMs: number,
  basis: string | undefined,
  reason: string,
): PlanResult {
  const before = ctx.input.map;
  const current = impactOf(ctx, before, undefined, currentCost);
  const plan: Plan = {
    id,
    createdAtMs: nowMs,
    basis: basis ?? 'input',
    before,
    after: before,
    actions: [],
    dependsOn: [],
    current,
    predicted: current,
    savings: 0,
  };
  const terms = termValues(model, curState);
  return {
    proposed: false,
    reason,
    plan,
    current,
    predicted: current,
    savings: 0,
    terms: { current: terms, predicted: terms },
    stats: { optimizer, iterations: 0, ended: 'bounded' },
  };
}

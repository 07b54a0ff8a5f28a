/**
 * Hard term `no-new-overload`: a plan may not predict more overload than keeping the current
 * layout does (the `overload` term's value, the share of the picture's traffic above a node's or a
 * partition's capacity). `imbalance` and `node-balance` are proxies — a partition or a node more
 * loaded than its peers costs nothing until it runs out of capacity — so a plan must not buy
 * them with load over capacity, which is what records over the SLO come from: a node over capacity
 * builds a backlog that every record behind it waits out, far more harm than the overload term's
 * share of excess traffic weighs. The PRE adds it per decision (plan-repartition.ts) with the
 * current layout's value; a layout that removes overload, or moves it without adding to it, is
 * untouched.
 */
import { HARD_PENALTY, type CostModel } from '../cost.ts';
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';
import { overloadTerm } from './overload.ts';

/** Overload below this (a share of the traffic) above the current layout's is rounding, not a change. */
const TOLERANCE = 1e-9;

/** The guard against predicting more overload than `currentOverload` (the current layout's `overload` value). */
export function overloadGuardTerm(currentOverload: number): CostTerm {
  const excess = (v: LayoutView) => {
    const over = overloadTerm.value(v) - currentOverload;
    return over > TOLERANCE ? over : 0;
  };
  return {
    name: 'no-new-overload',
    kind: 'hard',
    weight: () => 1,
    value: excess,
    describe(v: LayoutView): string[] {
      const e = excess(v);
      return e > 0 ? [`predicts ${(100 * e).toPrecision(2)}% more of the traffic over capacity than the current layout`] : [];
    },
  };
}

/**
 * `model` with `no-new-overload` at the overload of `current`: no plan may trade balance for more
 * load over capacity than staying put. For a `current` that breaks no hard limit of `model` only:
 * where staying put is not allowed (partitions on a removed node, too many partitions) the plan
 * that fixes it must be free to put the load where it fits least badly (the PRE leaves it out).
 */
export function guarded(model: CostModel, current: LayoutView): CostModel {
  const guard = overloadGuardTerm(overloadTerm.value(current));
  return { ...model, terms: [...model.terms, guard], weights: [...model.weights, HARD_PENALTY] };
}

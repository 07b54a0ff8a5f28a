/**
 * The cost model: a weighted sum of pluggable terms, like Cruise Control's goals. A soft term
 * returns a score (≥ 0, lower is better) scaled by its weight; a hard term returns the amount by
 * which a constraint is broken, and any violation outweighs every soft score (`HARD_PENALTY`),
 * so the searches are still guided back to feasibility.
 */
import type { Goals } from './types.ts';
import type { LayoutView } from './layout-state.ts';
import type { CostTerm } from './cost-term.ts';
import { defaultTerms } from './terms/index.ts';

export type { CostTerm } from './cost-term.ts';

/** Multiplier of hard-term violations: larger than any plausible soft cost. */
export const HARD_PENALTY = 1e6;

/** A cost model: terms with resolved weights. */
export interface CostModel {
  readonly terms: readonly CostTerm[];
  readonly weights: readonly number[];
}

/** The default terms, weights from `goals`, optionally overridden by name, plus extra terms. */
export function makeCostModel(
  goals: Goals,
  opts: { termWeights?: Readonly<Record<string, number>>; extraTerms?: readonly CostTerm[] } = {},
): CostModel {
  const terms = [...defaultTerms, ...(opts.extraTerms ?? [])];
  const weights = terms.map((t) => (t.kind === 'hard' ? HARD_PENALTY : (opts.termWeights?.[t.name] ?? t.weight(goals))));
  return { terms, weights };
}

/** Total cost of a layout (lower is better). */
export function totalCost(model: CostModel, view: LayoutView): number {
  let c = 0;
  for (let t = 0; t < model.terms.length; t++) {
    const w = model.weights[t];
    if (w !== 0) c += w * model.terms[t].value(view);
  }
  return c;
}

/** True when no hard term is violated. */
export function isFeasible(model: CostModel, view: LayoutView): boolean {
  return model.terms.every((t) => t.kind !== 'hard' || t.value(view) === 0);
}

/** Unweighted value of every term, by name. */
export function termValues(model: CostModel, view: LayoutView): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of model.terms) out[t.name] = t.value(view);
  return out;
}

/** Cost without the hard terms (what savings compare when both sides are feasible). */
export function softCost(model: CostModel, view: LayoutView): number {
  let c = 0;
  for (let t = 0; t < model.terms.length; t++) {
    if (model.terms[t].kind === 'soft' && model.weights[t] !== 0) c += model.weights[t] * model.terms[t].value(view);
  }
  return c;
}

/** Messages of the violated hard terms. */
export function violations(model: CostModel, view: LayoutView): string[] {
  const out: string[] = [];
  for (const t of model.terms) {
    if (t.kind === 'hard' && t.value(view) > 0) out.push(...(t.describe?.(view) ?? [`${t.name} violated`]));
  }
  return out;
}

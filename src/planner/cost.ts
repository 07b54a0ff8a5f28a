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
  /** With a price of time: `untimed + (1 − f)·timed(layout) + f·timed(current)`, f = `lagShare`. */
  readonly lag?: Lag;
}

/**
 * The search's price of time (execution.ts): a layout moving M bytes takes `fixedMs + M ×
 * msPerByte` to reach, and for that share f of the horizon the current layout's timed terms hold.
 */
export interface Lag {
  /** Σ weight × value of the timed terms of the current layout. */
  readonly current: number;
  /** Fixed time of reaching a layout that moves anything (a move's pause), ms. */
  readonly fixedMs: number;
  /** ms per moved byte: 1000 ÷ (move bandwidth × moves that can run side by side). */
  readonly msPerByte: number;
  /** Horizon the plan must pay back over, ms. */
  readonly horizonMs: number;
  /** The layout's gain counts for at least this long once reached (the span grows to fit it), ms; 0: not. */
  readonly afterMs: number;
  /** The price of a transfer's load on its nodes (a cluster with `moveLoad`). */
  readonly moveLoad?: MoveLoadPrice;
}

/**
 * The search's price of a transfer's load (execution.ts, `lagModel`): a node that sends or
 * receives B bytes does so for `fixedMs + B × Lag.msPerByte` from the start (its bytes at the
 * plan's bandwidth, moves side by side, as the blend reaches a layout and the schedule runs
 * moves; at most the span), serving meanwhile at capacity × (1 − moveLoad), so the current
 * layout's tail load above that reduced capacity, less what is above full capacity anyway, is
 * overload for that long. A node near or over capacity pays for every byte it sends or receives;
 * one with room to spare, nothing.
 */
export interface MoveLoadPrice {
  /** The overload term's weight. */
  readonly weight: number;
  /** Length of one search window, ms; the last one holds past the picture's end. */
  readonly windowMs: number;
  readonly windows: number;
  /** Per node slot n, at `n × (windows + 1) + w`: the added overload share integrated over the first w windows (share × ms). */
  readonly cum: Float64Array;
}

/** Σ over nodes of the overload their transfers add (see `MoveLoadPrice`), as a time mean over `spanMs`, weighted. */
function moveLoadCost(lag: Lag, ml: MoveLoadPrice, through: Float64Array, spanMs: number): number {
  const W = ml.windows;
  let s = 0;
  for (let n = 0; n < through.length; n++) {
    const bytes = through[n];
    if (!(bytes >= 1)) continue; // sums of added and removed ranges leave rounding residue, not bytes
    const t = Math.min(spanMs, lag.fixedMs + bytes * lag.msPerByte);
    const at = n * (W + 1);
    const w = Math.min(W - 1, Math.floor(t / ml.windowMs));
    s += ml.cum[at + w] + ((t - w * ml.windowMs) * (ml.cum[at + w + 1] - ml.cum[at + w])) / ml.windowMs;
  }
  return (ml.weight * s) / spanMs;
}

/** The span a layout reached after `reachMs` is priced over: the horizon, at least `afterMs` past reaching it. */
export function lagSpanMs(lag: Lag, reachMs: number): number {
  return Math.max(lag.horizonMs, reachMs + lag.afterMs);
}

/** Share of its span a layout moving `movedBytes` takes to reach (0 when it moves nothing). */
export function lagShare(lag: Lag, movedBytes: number): number {
  if (!(movedBytes > 0)) return 0;
  const reachMs = lag.fixedMs + movedBytes * lag.msPerByte;
  return Math.min(1, reachMs / lagSpanMs(lag, reachMs));
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
  if (model.lag) return lagCost(model, model.lag, view);
  let c = 0;
  for (let t = 0; t < model.terms.length; t++) {
    const w = model.weights[t];
    if (w !== 0) c += w * model.terms[t].value(view);
  }
  return c;
}

/** Total cost with the price of time (see `CostModel.lag`). */
function lagCost(model: CostModel, lag: Lag, view: LayoutView): number {
  let untimed = 0;
  let timed = 0;
  for (let t = 0; t < model.terms.length; t++) {
    const w = model.weights[t];
    if (w === 0) continue;
    const term = model.terms[t];
    if (term.timed && term.kind === 'soft') timed += w * term.value(view);
    else untimed += w * term.value(view);
  }
  const f = lagShare(lag, view.movedBytes);
  if (!(f > 0)) return untimed + timed;
  const during = lag.moveLoad && view.through ? moveLoadCost(lag, lag.moveLoad, view.through, lagSpanMs(lag, lag.fixedMs + view.movedBytes * lag.msPerByte)) : 0;
  // The blend summed first, as without a transfer price, so that a cluster without one rounds as before.
  return untimed + ((1 - f) * timed + f * lag.current) + during;
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

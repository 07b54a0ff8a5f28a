/**
 * Soft term `overload` (weight 10 × `goals.imbalance`): time-mean of the share of the traffic
 * predicted above capacity, on the tail load when the forecast has one: Σ over nodes of
 * max(0, load − nodeCapacity), plus Σ over partitions of max(0, load − partitionCapacity),
 * divided by the total. Zero while everything fits; it dominates the imbalance term once
 * something does not.
 */
import type { CostTerm } from '../cost-term.ts';
import type { LayoutView } from '../layout-state.ts';

export const OVERLOAD_WEIGHT_FACTOR = 10;

export const overloadTerm: CostTerm = {
  name: 'overload',
  kind: 'soft',
  timed: true,
  weight: (g) => OVERLOAD_WEIGHT_FACTOR * g.imbalance,
  value(v: LayoutView): number {
    const ctx = v.ctx;
    const cap = ctx.nodeCapacity;
    let s = 0;
    for (let w = 0; w < ctx.windowCount; w++) {
      const total = ctx.upperTotals ? ctx.upperTotals[w] : ctx.totals[w];
      if (!(total > 0)) continue;
      const nl = v.nodeUppers(w);
      let over = v.partitionExcess(w);
      // Nothing to add while the largest node fits.
      if (v.maxNodeUpper(w) > cap) for (let n = 0; n < nl.length; n++) if (nl[n] > cap) over += nl[n] - cap;
      s += over / total;
    }
    return s / ctx.windowCount;
  },
};

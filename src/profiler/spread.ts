/**
 * Spreading a forecast load over buckets. The KDP forecasts at coarse resolution (ranges, then
 * micro-groups); a plan needs per-bucket loads. Within a span of buckets the load follows the
 * buckets' observed weights (uniform where the span saw nothing).
 */
import type { KeyRange } from '../model/key-range.ts';

/**
 * For each span `[cuts[i], cuts[i+1])`, writes each bucket's share of the span's total weight into
 * `out` (1 / span width for every bucket of a span with no weight). Shares within a span sum to 1.
 */
export function shareWithinSpans(weights: ArrayLike<number>, cuts: ArrayLike<number>, out: Float64Array): Float64Array {
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i];
    const end = cuts[i + 1];
    let sum = 0;
    for (let b = start; b < end; b++) sum += weights[b];
    const width = end - start;
    for (let b = start; b < end; b++) out[b] = sum > 0 ? weights[b] / sum : 1 / width;
  }
  return out;
}

/**
 * Writes `amount × share × bucketShare[b]` into `out[b]` for the buckets `start..end`: a span that
 * carries `share` of `amount`, spread by the buckets' shares within it (from `shareWithinSpans`).
 */
export function spreadOver(out: Float64Array, start: number, end: number, bucketShare: ArrayLike<number>, share: number, amount: number): void {
  for (let b = start; b < end; b++) out[b] = amount * (share * bucketShare[b]);
}

/**
 * Writes `amount × groupShare[g] × bucketShare[b]` into `out` for every bucket b of every group g
 * (groups start at `groupStart`, whose last entry is the bucket count).
 */
export function spreadGroups(out: Float64Array, groupStart: ArrayLike<number>, bucketShare: ArrayLike<number>, groupShare: ArrayLike<number>, amount: number): void {
  for (let g = 0; g + 1 < groupStart.length; g++) spreadOver(out, groupStart[g], groupStart[g + 1], bucketShare, 1, amount * groupShare[g]);
}

/** Each group's share of a per-bucket load (all 0 when the load is). */
export function groupSharesOf(load: ArrayLike<number>, groupStart: ArrayLike<number>): Float64Array {
  const groups = groupStart.length - 1;
  const shares = new Float64Array(groups);
  let total = 0;
  for (let g = 0; g < groups; g++) {
    for (let b = groupStart[g]; b < groupStart[g + 1]; b++) shares[g] += load[b];
    total += shares[g];
  }
  if (total > 0) for (let g = 0; g < groups; g++) shares[g] /= total;
  return shares;
}

/**
 * Writes a range's `amount` into `out` over its buckets: over its micro-groups `g0 … g1 − 1` in
 * proportion to `shaped` (one weight per group, from its shape), then within each group by
 * `inGroup`; over the whole range by `inRange` when there is no shape or it sums to 0.
 */
export function spreadShaped(
  out: Float64Array,
  amount: number,
  shaped: ArrayLike<number> | null,
  span: { readonly g0: number; readonly g1: number; readonly range: KeyRange },
  groupStart: ArrayLike<number>,
  inGroup: ArrayLike<number>,
  inRange: ArrayLike<number>,
): void {
  spreadShapedPair(out, amount, null, 0, shaped, span, groupStart, inGroup, inRange);
}

/**
 * `spreadShaped` into `out` (`amount`) and, when given, `out2` (`amount2`: the same range's
 * upper load) in one pass: the same values as two calls, the shape's sum and each bucket's share
 * of the range computed once.
 */
export function spreadShapedPair(
  out: Float64Array,
  amount: number,
  out2: Float64Array | null,
  amount2: number,
  shaped: ArrayLike<number> | null,
  span: { readonly g0: number; readonly g1: number; readonly range: KeyRange },
  groupStart: ArrayLike<number>,
  inGroup: ArrayLike<number>,
  inRange: ArrayLike<number>,
): void {
  let gsum = 0;
  if (shaped) for (let g = 0; g < shaped.length; g++) gsum += shaped[g];
  if (shaped && gsum > 0) {
    for (let g = span.g0; g < span.g1; g++) {
      const share = shaped[g - span.g0] / gsum;
      for (let b = groupStart[g]; b < groupStart[g + 1]; b++) {
        const x = share * inGroup[b];
        out[b] = amount * x;
        if (out2) out2[b] = amount2 * x;
      }
    }
  } else {
    for (let b = span.range.start; b < span.range.end; b++) {
      const x = 1 * inRange[b];
      out[b] = amount * x;
      if (out2) out2[b] = amount2 * x;
    }
  }
}

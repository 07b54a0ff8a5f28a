/** Key ranges on the bucketed key space: half-open `[start, end)` in bucket units. */

/** A half-open range of fine buckets `[start, end)`; `0 <= start < end <= buckets`. */
export interface KeyRange {
  readonly start: number;
  readonly end: number;
}

/** Number of buckets in a range. */
export function rangeWidth(r: KeyRange): number {
  return r.end - r.start;
}

/** `"start-end"` (buckets), the key used in `{ key_range: probability }` maps. */
export function rangeLabel(r: KeyRange): string {
  return `${r.start}-${r.end}`;
}

/** Sum of `values[start..end)`. */
export function sumRange(values: ArrayLike<number>, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s += values[i];
  return s;
}

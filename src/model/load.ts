/** Load vectors: expected or observed records per second for each fine bucket of the key space. */

/** Records/s per bucket; length = number of buckets. */
export type LoadVector = Float64Array;

/** Prefix sums of a load vector: `prefix[i]` = sum of `load[0..i)`, length `buckets + 1`. */
export function prefixSums(load: ArrayLike<number>): Float64Array {
  return prefixSumsInto(load, new Float64Array(load.length + 1));
}

/** `prefixSums` into `out` (length ≥ load.length + 1, out[0] = 0), for a buffer reused per tick. */
export function prefixSumsInto(load: ArrayLike<number>, out: Float64Array): Float64Array {
  out[0] = 0;
  for (let i = 0; i < load.length; i++) out[i + 1] = out[i] + load[i];
  return out;
}

/** Total of a load vector. */
export function totalLoad(load: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < load.length; i++) s += load[i];
  return s;
}

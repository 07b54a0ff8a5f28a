/** Load vectors: expected or observed records per second for each fine bucket of the key space. */

/** Records/s per bucket; length = number of buckets. */
export type LoadVector = Float64Array;

/** Prefix sums of a load vector: `prefix[i]` = sum of `load[0..i)`, length `buckets + 1`. */
export function prefixSums(load: ArrayLike<number>): Float64Array {
  const p = new Float64Array(load.length + 1);
  for (let i = 0; i < load.length; i++) p[i + 1] = p[i] + load[i];
  return p;
}

/** Total of a load vector. */
export function totalLoad(load: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < load.length; i++) s += load[i];
  return s;
}

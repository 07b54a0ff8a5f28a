/**
 * The exact yardstick for pure balance (the chains-on-chains problem): the smallest possible
 * largest part when `[lo, hi)` is cut into `k` contiguous non-empty parts. Bisection over the
 * bottleneck with a greedy probe; every feasible probe tightens the upper bound to the realised
 * largest part (an actual part sum), so the loop ends on the optimum itself, not an approximation.
 * O(k log B) per probe, about 60 probes.
 */

/** Largest part of the greedy cut of `[lo, hi)` into parts ≤ `limit`, or -1 if more than `k` parts are needed. */
export function probe(prefix: Float64Array, lo: number, hi: number, k: number, limit: number): number {
  let s = lo;
  let parts = 0;
  let worst = 0;
  while (s < hi) {
    if (++parts > k) return -1;
    // Farthest end e in (s, hi] with prefix[e] − prefix[s] ≤ limit.
    const base = prefix[s];
    if (prefix[s + 1] - base > limit) return -1;
    let a = s + 1;
    let b = hi;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (prefix[m] - base <= limit) a = m;
      else b = m - 1;
    }
    const load = prefix[a] - base;
    if (load > worst) worst = load;
    s = a;
  }
  return worst;
}

/** The optimal bottleneck: min over cuts of `[lo, hi)` into `k` parts (k ≤ hi − lo) of the largest part. */
export function exactBottleneck(prefix: Float64Array, k: number, lo = 0, hi = prefix.length - 1): number {
  const n = hi - lo;
  if (k < 1 || k > n) throw new RangeError(`cannot cut ${n} buckets into ${k} parts`);
  let maxBucket = 0;
  for (let j = lo; j < hi; j++) maxBucket = Math.max(maxBucket, prefix[j + 1] - prefix[j]);
  const total = prefix[hi] - prefix[lo];
  let lb = Math.max(maxBucket, total / k);
  const first = probe(prefix, lo, hi, k, lb);
  if (first >= 0) return first;
  // Invariant: lb is infeasible, ub is a feasible realised part sum.
  let ub = probe(prefix, lo, hi, k, total / k + maxBucket);
  if (ub < 0) ub = probe(prefix, lo, hi, k, total); // floating-point safety; one part always fits
  for (let it = 0; it < 200; it++) {
    const mid = lb + (ub - lb) / 2;
    if (!(mid > lb && mid < ub)) break;
    const r = probe(prefix, lo, hi, k, mid);
    if (r >= 0) ub = r;
    else lb = mid;
  }
  return ub;
}

/**
 * An optimal cut of `[lo, hi)` into exactly `k` parts, as `k + 1` boundaries from `lo` to `hi`.
 * Among the optimal cuts it picks one whose boundaries sit as close as allowed to the equal-load
 * quantiles, so the slack is spread instead of piling up in the last parts.
 */
export function exactCut(prefix: Float64Array, k: number, lo = 0, hi = prefix.length - 1): { bottleneck: number; boundaries: Int32Array } {
  const L = exactBottleneck(prefix, k, lo, hi);
  const b = new Int32Array(k + 1);
  b[0] = lo;
  b[k] = hi;
  if (k === 1) return { bottleneck: L, boundaries: b };
  // r[i]: the lowest position boundary i may take so that parts i … k−1 still fit under L.
  const r = new Int32Array(k + 1);
  r[k] = hi;
  for (let i = k - 1; i >= 1; i--) {
    const end = r[i + 1];
    let a = lo;
    let c = end - 1;
    while (a < c) {
      const m = (a + c) >> 1;
      if (prefix[end] - prefix[m] <= L) c = m;
      else a = m + 1;
    }
    r[i] = Math.max(a, lo + i);
  }
  const total = prefix[hi] - prefix[lo];
  let ok = true;
  for (let i = 1; i < k; i++) {
    const prev = b[i - 1];
    // Farthest reach of part i−1 from prev under L.
    let a = prev + 1;
    let c = hi;
    while (a < c) {
      const m = (a + c + 1) >> 1;
      if (prefix[m] - prefix[prev] <= L) a = m;
      else c = m - 1;
    }
    const low = Math.max(r[i], prev + 1);
    const high = Math.min(a, hi - (k - i));
    if (low > high) {
      ok = false;
      break;
    }
    const q = quantile(prefix, lo, hi, prefix[lo] + (total * i) / k);
    b[i] = Math.min(high, Math.max(low, q));
  }
  if (ok && prefix[hi] - prefix[b[k - 1]] <= L) return { bottleneck: L, boundaries: b };
  return { bottleneck: L, boundaries: greedyCut(prefix, lo, hi, k, L) };
}

/** Position x in [lo, hi] whose prefix is closest to `target`. */
function quantile(prefix: Float64Array, lo: number, hi: number, target: number): number {
  let a = lo;
  let c = hi;
  while (a < c) {
    const m = (a + c) >> 1;
    if (prefix[m] < target) a = m + 1;
    else c = m;
  }
  if (a > lo && target - prefix[a - 1] < prefix[a] - target) return a - 1;
  return a;
}

/** Left-greedy cut under `limit`, then the widest parts split until there are exactly k. */
function greedyCut(prefix: Float64Array, lo: number, hi: number, k: number, limit: number): Int32Array {
  const cuts: number[] = [lo];
  let s = lo;
  while (s < hi) {
    let a = s + 1;
    let c = hi;
    while (a < c) {
      const m = (a + c + 1) >> 1;
      if (prefix[m] - prefix[s] <= limit) a = m;
      else c = m - 1;
    }
    cuts.push(a);
    s = a;
  }
  while (cuts.length - 1 < k) {
    let wi = 0;
    for (let i = 1; i + 1 < cuts.length; i++) if (cuts[i + 1] - cuts[i] > cuts[wi + 1] - cuts[wi]) wi = i;
    cuts.splice(wi + 1, 0, (cuts[wi] + cuts[wi + 1]) >> 1);
  }
  return Int32Array.from(cuts);
}

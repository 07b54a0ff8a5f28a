/**
 * The exact yardstick for pure balance (the chains-on-chains problem): the smallest possible
 * largest part when `[lo, hi)` is cut into `k` contiguous non-empty parts. Bisection over the
 * bottleneck with a greedy probe, where both bounds jump to part sums: a feasible probe lowers
 * the upper bound to the realised largest part, an infeasible one raises the lower bound to the
 * smallest limit at which the greedy cut would change (every limit below it fails the same way).
 * The loop ends on the optimum itself, after a handful of O(k log B) probes.
 */

/** Set by `probe` when it fails: the smallest limit above the probed one at which the greedy cut changes. */
let nextLimit = Infinity;
/** Set by `probe` when it fails: the load it could not place. */
let uncovered = 0;

/** Largest part of the greedy cut of `[lo, hi)` into parts ≤ `limit`, or -1 if more than `k` parts are needed. */
export function probe(prefix: Float64Array, lo: number, hi: number, k: number, limit: number): number {
  let s = lo;
  let parts = 0;
  let worst = 0;
  // Invariant: ext is the least limit > `limit` that lets some part seen so far reach further.
  let ext = Infinity;
  while (s < hi) {
    const base = prefix[s];
    if (++parts > k || prefix[s + 1] - base > limit) {
      const one = prefix[s + 1] - base;
      nextLimit = Math.min(ext, one > limit ? one : ext);
      uncovered = prefix[hi] - base;
      return -1;
    }
    // Farthest end e in (s, hi] with prefix[e] − prefix[s] ≤ limit.
    let a = s + 1;
    let b = hi;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (prefix[m] - base <= limit) a = m;
      else b = m - 1;
    }
    const load = prefix[a] - base;
    if (load > worst) worst = load;
    if (a < hi) {
      const reach = prefix[a + 1] - base;
      if (reach < ext) ext = reach;
    }
    s = a;
  }
  return worst;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The largest double below `x` (x > 0, finite). */
function nextDown(x: number): number {
  f64[0] = x;
  const lo = LITTLE_ENDIAN ? 0 : 1;
  const hi = 1 - lo;
  if (u32[lo] === 0) {
    u32[lo] = 0xffffffff;
    u32[hi]--;
  } else u32[lo]--;
  return f64[0];
}

/** The optimal bottleneck: min over cuts of `[lo, hi)` into `k` parts (k ≤ hi − lo) of the largest part. */
export function exactBottleneck(prefix: Float64Array, k: number, lo = 0, hi = prefix.length - 1): number {
  const n = hi - lo;
  if (k < 1 || k > n) throw new RangeError(`cannot cut ${n} buckets into ${k} parts`);
  const total = prefix[hi] - prefix[lo];
  // The largest bucket is a lower bound, and often the answer (a hot key): one probe then.
  // Scanned only on short ranges: on long ones the scan costs more than the extra probes the
  // bisection needs to find it (the first failed probe jumps to any bucket above its limit).
  let maxBucket = 0;
  if (n <= 64) for (let j = lo; j < hi; j++) maxBucket = Math.max(maxBucket, prefix[j + 1] - prefix[j]);
  // Invariant: every limit below lb is infeasible; ub is a feasible realised part sum.
  let lb = Math.max(maxBucket, total / k);
  let ub = Infinity;
  let guess = lb;
  for (let it = 0; it < 400; it++) {
    const r = probe(prefix, lo, hi, k, guess);
    if (r >= 0) {
      ub = r;
      if (ub <= lb) return ub;
      // Confirm: if the largest float below ub fails, no part sum lies between them.
      const below = nextDown(ub);
      const r2 = below >= lb ? probe(prefix, lo, hi, k, below) : -1;
      if (r2 < 0) return ub;
      ub = r2;
      if (ub <= lb) return ub;
      guess = lb + (ub - lb) / 2;
    } else {
      const failedAt = guess;
      lb = Math.max(lb, nextLimit);
      if (lb >= ub) return ub;
      // Raising every part by the load left over ÷ k roughly covers it; bisect once bracketed.
      const spread = failedAt + uncovered / k;
      guess = ub === Infinity ? Math.max(lb, spread) : Math.min(Math.max(lb, spread), lb + (ub - lb) / 2);
    }
  }
  // Unreachable in practice (both bounds move to part sums every round); one part always fits.
  return ub === Infinity ? total : ub;
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

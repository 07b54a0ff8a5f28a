/** A fixed-size max segment tree: point update and max / argmax in O(log n), for hot search loops. */

/** Leaves of a tree over n values: the least power of two ≥ n. */
function treeSize(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}

export class MaxTree {
  private readonly size: number;
  private readonly t: Float64Array;

  /**
   * A tree over `values[0..n)` (copied; n defaults to all of them), in `storage` when given (at
   * least `MaxTree.storageFor(n)` values, e.g. a view into one buffer shared by many trees, which
   * saves an allocation per tree), else in its own array.
   */
  constructor(values: ArrayLike<number>, n = values.length, storage?: Float64Array) {
    const size = treeSize(n);
    this.size = size;
    this.t = storage ?? new Float64Array(2 * size);
    this.fillFrom(values, n);
  }

  /** Values of storage a tree over n values needs. */
  static storageFor(n: number): number {
    return 2 * treeSize(n);
  }

  /**
   * A tree over `values[0..n)`: this one rebuilt in place when its size fits n, else a new one
   * (search loops reuse the trees of discarded states instead of allocating).
   */
  rebuilt(values: ArrayLike<number>, n: number): MaxTree {
    if (n > this.size || (this.size > 1 && n <= this.size >> 1)) return new MaxTree(values, n);
    this.fillFrom(values, n);
    return this;
  }

  private fillFrom(values: ArrayLike<number>, n: number): void {
    const size = this.size;
    const t = this.t;
    for (let i = 0; i < n; i++) t[size + i] = values[i];
    for (let i = size + n; i < 2 * size; i++) t[i] = -Infinity;
    for (let i = size - 1; i >= 1; i--) t[i] = Math.max(t[2 * i], t[2 * i + 1]);
  }

  get(i: number): number {
    return this.t[this.size + i];
  }

  set(i: number, v: number): void {
    const t = this.t;
    let p = this.size + i;
    t[p] = v;
    // Up to the first ancestor whose maximum does not change: those above it cannot change either.
    for (p >>= 1; p >= 1; p >>= 1) {
      const a = t[2 * p];
      const b = t[2 * p + 1];
      const m = a >= b ? a : b;
      if (t[p] === m) return;
      t[p] = m;
    }
  }

  /**
   * Sets leaf `i` without updating its ancestors: a batch of such writes must end with
   * `refresh` over the leaves written (the tree is the same as after the same `set` calls).
   */
  setLeaf(i: number, v: number): void {
    this.t[this.size + i] = v;
  }

  /** Recomputes the ancestors of leaves `lo … hi` (inclusive), up to the level where nothing changes. */
  refresh(lo: number, hi: number): void {
    const t = this.t;
    let a = (this.size + lo) >> 1;
    let b = (this.size + hi) >> 1;
    while (a >= 1) {
      let changed = false;
      for (let p = a; p <= b; p++) {
        const x = t[2 * p];
        const y = t[2 * p + 1];
        const m = x >= y ? x : y;
        if (t[p] !== m) {
          t[p] = m;
          changed = true;
        }
      }
      if (!changed) return;
      a >>= 1;
      b >>= 1;
    }
  }

  add(i: number, dv: number): void {
    this.set(i, this.t[this.size + i] + dv);
  }

  max(): number {
    return this.t[1];
  }

  /** Largest value among `[lo, hi)` (−Infinity for an empty range); read-only, O(log n). */
  rangeMax(lo: number, hi: number): number {
    const t = this.t;
    let m = -Infinity;
    let a = lo + this.size;
    let b = hi + this.size;
    while (a < b) {
      if (a & 1) {
        if (t[a] > m) m = t[a];
        a++;
      }
      if (b & 1) {
        b--;
        if (t[b] > m) m = t[b];
      }
      a >>= 1;
      b >>= 1;
    }
    return m;
  }

  /** Index of a largest value (the leftmost of equals). */
  argmax(): number {
    let p = 1;
    while (p < this.size) p = this.t[2 * p] >= this.t[2 * p + 1] ? 2 * p : 2 * p + 1;
    return p - this.size;
  }
}

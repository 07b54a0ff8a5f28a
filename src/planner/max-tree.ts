/** A fixed-size max segment tree: point update and max / argmax in O(log n), for hot search loops. */

export class MaxTree {
  private readonly size: number;
  private readonly t: Float64Array;

  /** A tree over `values` (copied). */
  constructor(values: ArrayLike<number>) {
    let size = 1;
    while (size < values.length) size <<= 1;
    this.size = size;
    this.t = new Float64Array(2 * size).fill(-Infinity);
    for (let i = 0; i < values.length; i++) this.t[size + i] = values[i];
    for (let i = size - 1; i >= 1; i--) this.t[i] = Math.max(this.t[2 * i], this.t[2 * i + 1]);
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

  add(i: number, dv: number): void {
    this.set(i, this.t[this.size + i] + dv);
  }

  max(): number {
    return this.t[1];
  }

  /** Index of a largest value (the leftmost of equals). */
  argmax(): number {
    let p = 1;
    while (p < this.size) p = this.t[2 * p] >= this.t[2 * p + 1] ? 2 * p : 2 * p + 1;
    return p - this.size;
  }
}

/**
 * Keeps a per-window series bounded on runs of any length: rows are pushed with their window
 * index; once more than `limit` rows are held, every other kept window is dropped (in place) and
 * only windows whose index is a multiple of the doubled stride are taken from then on. A run of
 * any length thus keeps at most `limit` rows (plus one window's rows), evenly spaced: every
 * window up to `limit`, then every 2nd, 4th, … window. The array's identity never changes.
 */
export class Thinned<T> {
  /** Take windows whose index is a multiple of this. */
  stride = 1;
  private readonly keys: number[] = [];

  constructor(
    /** The kept rows (the same array for the whole run). */
    readonly rows: T[],
    readonly limit: number,
  ) {}

  /** Whether rows of window `index` are taken now. */
  takes(index: number): boolean {
    return index % this.stride === 0;
  }

  /** Adds `row` of window `index` if that window is taken. */
  push(index: number, row: T): void {
    if (index % this.stride !== 0) return;
    this.rows.push(row);
    this.keys.push(index);
    if (this.rows.length > this.limit) this.thin();
  }

  private thin(): void {
    this.stride *= 2;
    let w = 0;
    for (let r = 0; r < this.rows.length; r++) {
      if (this.keys[r] % this.stride !== 0) continue;
      this.rows[w] = this.rows[r];
      this.keys[w] = this.keys[r];
      w++;
    }
    this.rows.length = w;
    this.keys.length = w;
  }
}

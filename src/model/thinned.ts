/**
 * Keeps a per-window series bounded on runs of any length: rows are pushed with their window
 * index; once more than `limit` rows are held, every other kept window is dropped (in place) and
 * only windows whose index is a multiple of the doubled stride are taken from then on. A run of
 * any length thus keeps at most `limit` rows (plus one window's rows), evenly spaced: every
 * window up to `limit`, then every 2nd, 4th, … window. The array's identity never changes.
 * A `sink`, when set, receives every row pushed (every window, before thinning): a run that
 * writes a report streams its series to the report's files through it, so the files are
 * complete while memory holds only the thinned rows the charts draw.
 */
export class Thinned<T> {
  /** Take windows whose index is a multiple of this. */
  stride = 1;
  private readonly keys: number[] = [];
  /** Receives every row pushed, kept or not (streaming to a file). */
  sink?: (row: T) => void;
  /** False: rows only go to the sink (nothing reads them from memory). */
  keeps = true;

  constructor(
    /** The kept rows (the same array for the whole run). */
    readonly rows: T[],
    readonly limit: number,
  ) {}

  /** Whether rows of window `index` are wanted now (kept, or streamed to the sink). */
  takes(index: number): boolean {
    return this.sink !== undefined || (this.keeps && index % this.stride === 0);
  }

  /** Hands `row` of window `index` to the sink, and keeps it if that window is kept. */
  push(index: number, row: T): void {
    this.sink?.(row);
    if (!this.keeps || index % this.stride !== 0) return;
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

/** `rows` as a `Thinned` of `limit` keeps them when pushed one by one (a new array when any is dropped). */
export function thinnedRows<T>(rows: readonly T[], limit: number): readonly T[] {
  if (rows.length <= limit) return rows;
  const s = new Thinned<T>([], limit);
  rows.forEach((r, i) => s.push(i, r));
  return s.rows;
}

/**
 * New-key detection for the KDP: records that land in buckets never seen before. A stream whose
 * keys grow at the top of the key space (appended ids, new tenants) shows up here before any
 * forecast model can follow it.
 */

/** The first-seen records of one window and the bucket span they fell in. */
export interface NewKeys {
  readonly records: number;
  /** Buckets `start..end` (exclusive) from the first to the last bucket first seen. */
  readonly start: number;
  readonly end: number;
}

export class NewKeyDetector {
  private readonly seen: Uint8Array;

  constructor(buckets: number) {
    this.seen = new Uint8Array(buckets);
  }

  /**
   * Marks the window's non-empty buckets as seen. When `armed` (the profiler has warmed up, so a
   * first sighting means a new key rather than a quiet one), returns the records in buckets seen
   * for the first time; null when there are none or the detector is not armed.
   */
  check(counts: ArrayLike<number>, armed: boolean): NewKeys | null {
    let records = 0;
    let start = -1;
    let end = -1;
    for (let b = 0; b < this.seen.length; b++) {
      const v = counts[b];
      if (v > 0 && !this.seen[b]) {
        this.seen[b] = 1;
        if (armed) {
          records += v;
          if (start < 0) start = b;
          end = b + 1;
        }
      }
    }
    return records > 0 ? { records, start, end } : null;
  }
}

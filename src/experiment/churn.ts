/**
 * Churn metrics from a policy's partition layouts over time (one per metrics window where the map
 * changed): `keyChurn` = key-space fraction whose owner node changed, per measured day (1 = the
 * whole key space once a day); `thrashing` = share of those ownership changes that sent buckets
 * back to the node they had just left within `thrashWindowMs` (plans undone soon after).
 */

export interface Layout {
  readonly timeMs: number;
  /** Boundaries as fractions of the key space (0 … 1). */
  readonly boundaries: readonly number[];
  readonly nodes: readonly number[];
}

export const THRASH_WINDOW_MS = 30 * 60_000;

function owners(l: Layout, B: number, out: Int32Array): Int32Array {
  for (let i = 0; i + 1 < l.boundaries.length; i++) out.fill(l.nodes[i], Math.round(l.boundaries[i] * B), Math.round(l.boundaries[i + 1] * B));
  return out;
}

export function churnMetrics(layouts: readonly Layout[], B: number, warmupMs: number, measuredMs: number, thrashWindowMs = THRASH_WINDOW_MS): { keyChurn: number; thrashing: number } {
  if (layouts.length < 2 || measuredMs <= 0) return { keyChurn: 0, thrashing: 0 };
  let cur: Int32Array = owners(layouts[0], B, new Int32Array(B));
  let next: Int32Array = new Int32Array(B);
  const prevNode = new Int32Array(B).fill(-1);
  const lastChange = new Float64Array(B).fill(-Infinity);
  let changed = 0;
  let thrashed = 0;
  for (let k = 1; k < layouts.length; k++) {
    const t = layouts[k].timeMs;
    owners(layouts[k], B, next);
    for (let b = 0; b < B; b++) {
      if (next[b] === cur[b]) continue;
      if (t >= warmupMs) {
        changed++;
        if (next[b] === prevNode[b] && t - lastChange[b] <= thrashWindowMs) thrashed++;
      }
      prevNode[b] = cur[b];
      lastChange[b] = t;
    }
    [cur, next] = [next, cur];
  }
  const days = measuredMs / 86_400_000;
  return { keyChurn: Math.round((changed / B / days) * 1e6) / 1e6, thrashing: changed ? Math.round((thrashed / changed) * 1e6) / 1e6 : 0 };
}

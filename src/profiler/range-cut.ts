/**
 * Re-cutting the KDP's forecast ranges. Ranges are unions of micro-groups that start equal-width;
 * when the heaviest carries more than 1.5× or the lightest less than 0.5× its fair share of the
 * groups' mean load, they are re-cut to equal load, so each range's model sees a comparable
 * series and hot regions get narrow ranges. A re-cut keeps the ranges it leaves as they were, and
 * each new range names the old one it shares most load with, whose record it starts from.
 */

/** Balanced enough: every range within [LOW, HIGH] × its fair share. */
const HIGH = 1.5;
const LOW = 0.5;
/** Uniform load added per group, as a share of the mean group load, so empty stretches still end up in a range. */
const FLOOR = 0.01;

/** `ranges + 1` cuts at group indices splitting `groups` groups into near-equal widths. */
export function equalWidthCuts(groups: number, ranges: number): number[] {
  const cuts: number[] = [];
  for (let r = 0; r <= ranges; r++) cuts.push(Math.floor((r * groups) / ranges));
  return cuts;
}

/**
 * New cuts (group indices, first 0, last `groupLoad.length`) when the ranges `cuts` are out of
 * balance under `groupLoad`; null when they are balanced, there is no load or a single range, no
 * equal-load cut fits, or the equal-load cut is `cuts` itself.
 */
export function recut(groupLoad: Float64Array, cuts: readonly number[]): number[] | null {
  const ranges = cuts.length - 1;
  const groups = groupLoad.length;
  let sum = 0;
  for (let g = 0; g < groups; g++) sum += groupLoad[g];
  if (sum <= 0 || ranges < 2) return null;
  const fair = sum / ranges;
  let heaviest = 0;
  let lightest = Infinity;
  for (let r = 0; r < ranges; r++) {
    let load = 0;
    for (let g = cuts[r]; g < cuts[r + 1]; g++) load += groupLoad[g];
    heaviest = Math.max(heaviest, load / fair);
    lightest = Math.min(lightest, load / fair);
  }
  if (heaviest <= HIGH && lightest >= LOW) return null;
  // A single hot group keeps its range over HIGH whatever the cut: the same cuts again are no re-cut.
  const next = equalLoadCuts(groupLoad, sum, ranges);
  return next && next.some((c, i) => c !== cuts[i]) ? next : null;
}

/** Cuts at group boundaries into `ranges` spans of near-equal load (plus the floor); null when they cannot end at the last group. */
function equalLoadCuts(groupLoad: Float64Array, sum: number, ranges: number): number[] | null {
  const groups = groupLoad.length;
  const floor = (FLOOR * sum) / groups;
  const total = sum + floor * groups;
  const cuts = [0];
  let run = 0;
  for (let g = 0; g < groups; g++) {
    run += groupLoad[g] + floor;
    const r = cuts.length;
    if (r < ranges && run >= (r * total) / ranges && groups - (g + 1) >= ranges - r) cuts.push(g + 1);
  }
  while (cuts.length < ranges) cuts.push(cuts[cuts.length - 1] + 1);
  cuts.push(groups);
  for (let i = 1; i < cuts.length; i++) if (cuts[i] <= cuts[i - 1]) cuts[i] = cuts[i - 1] + 1;
  return cuts[cuts.length - 1] === groups ? cuts : null;
}

/**
 * Index of the range of `cuts` (group indices) that shares the most load under `groupLoad` with
 * groups `[g0, g1)`, the most groups where no load is shared; ties to the first. -1 when none
 * overlaps.
 */
export function donorOf(groupLoad: Float64Array, cuts: readonly number[], g0: number, g1: number): number {
  let best = -1;
  let bestLoad = -1;
  let bestWidth = 0;
  for (let r = 0; r + 1 < cuts.length; r++) {
    const a = Math.max(g0, cuts[r]);
    const z = Math.min(g1, cuts[r + 1]);
    if (a >= z) continue;
    let load = 0;
    for (let g = a; g < z; g++) load += groupLoad[g];
    if (load > bestLoad || (load === bestLoad && z - a > bestWidth)) {
      best = r;
      bestLoad = load;
      bestWidth = z - a;
    }
  }
  return best;
}

/**
 * The ranges at `cuts` (group indices) that replace `old` (contiguous, from group 0): an old
 * range the cuts leave as it was is kept itself; a new one is `make(g0, g1, donor)`, `donor` the
 * old range it shares most load with (`donorOf`). `kept[i]`: the old index of range i, -1 if new.
 */
export function recutRanges<T extends { readonly g0: number; readonly g1: number }>(
  old: readonly T[],
  cuts: readonly number[],
  groupLoad: Float64Array,
  make: (g0: number, g1: number, donor: T | undefined) => T,
): { ranges: T[]; kept: number[]; fresh: T[] } {
  const current = [...old.map((r) => r.g0), cuts[cuts.length - 1]];
  const kept: number[] = [];
  const fresh: T[] = [];
  const ranges = cuts.slice(0, -1).map((g0, i) => {
    const g1 = cuts[i + 1];
    const same = old.findIndex((r) => r.g0 === g0 && r.g1 === g1);
    kept.push(same);
    if (same >= 0) return old[same];
    const d = donorOf(groupLoad, current, g0, g1);
    const r = make(g0, g1, d >= 0 ? old[d] : undefined);
    fresh.push(r);
    return r;
  });
  return { ranges, kept, fresh };
}

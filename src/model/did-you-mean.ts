/** Edit-distance suggestions for misspelt field names, shared by scenario files and snapshots. */

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * The closest candidate (case-insensitive; the first of equals) within a third of the word's
 * length but at least `minDistance` edits, or undefined.
 */
export function didYouMean(word: string, candidates: Iterable<string>, minDistance = 1): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(minDistance, Math.floor(word.length / 3)) ? best : undefined;
}

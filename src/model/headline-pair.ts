/**
 * The pair of policies a run's headline compares (report/headline.ts), kept in model/ because the
 * multi-seed summary (experiment/seeds.ts) must carry that pair's paired per-seed ratios: the
 * headline's intervals come from them.
 */

/** The pair the headline compares: predictive against reactive when both ran, else the nearest kinds. */
export function headlinePair(policies: Record<string, { kind: string }>): [string, string] | null {
  const names = Object.keys(policies);
  const first = (...kinds: string[]) => {
    for (const k of kinds) {
      const n = names.find((x) => policies[x].kind === k);
      if (n) return n;
    }
    return undefined;
  };
  const a = first('predictive', 'reactive', 'reactive-threshold', 'oracle');
  if (!a) return null;
  const b = first(...['reactive', 'reactive-threshold', 'static', 'oracle'].filter((k) => k !== policies[a].kind));
  return b ? [a, b] : null;
}

/**
 * Does the oracle bound predictive in this run? The oracle (`oracle` / `perfect-forecast`) is
 * predictive's own code path fed the truth, so it should have no more records over the SLO; where
 * it has more, the run's headline says so instead of leaving a reader to assume the bound holds
 * (docs/trust.md, "Does the oracle bound predictive?"). Over seeds the check is on the paired
 * ratios' intervals (worse beyond the interval); with one seed it is a plain comparison, said as
 * such.
 */
import type { Summary } from '../experiment/summary.ts';
import type { SeedStats } from './headline.ts';
import { fmtTimes } from './format.ts';
import { ORACLE_KINDS } from '../model/policy-outcome.ts';

const METRICS = [
  ['recordSecondsOverSlo', 'record-seconds over the SLO'],
  ['sloViolationRate', 'records over the SLO'],
] as const;

/** One sentence per oracle–predictive pair where the oracle did worse; empty when it bounds predictive (or no pair ran). */
export function oracleWarnings(s: Summary & { seeds?: SeedStats }): string[] {
  const names = Object.keys(s.policies);
  const oracles = names.filter((n) => ORACLE_KINDS.includes(s.policies[n].kind));
  const predictives = names.filter((n) => s.policies[n].kind === 'predictive');
  const ratios = s.seeds && s.seeds.seeds.length > 1 ? (s.seeds.ratios ?? {}) : null;
  const out: string[] = [];
  for (const o of oracles) {
    for (const p of predictives) {
      const worse: string[] = [];
      for (const [m, label] of METRICS) {
        if (ratios) {
          const r = ratios[`${o}/${p}`]?.[m];
          if (r && Number.isFinite(r.lo) && Number.isFinite(r.hi) && r.lo > 1) worse.push(`${label} ${fmtTimes(r.mean)} [${fmtTimes(r.lo)}, ${fmtTimes(r.hi)}]`);
        } else {
          const a = s.policies[o][m];
          const b = s.policies[p][m];
          if (a > b) worse.push(b > 0 ? `${label} ${fmtTimes(a / b)}` : `${label} (predictive none)`);
        }
      }
      if (!worse.length) continue;
      out.push(
        ratios
          ? `${o} (perfect forecast) did worse than ${p} beyond the interval: ${worse.join(', ')} — it does not bound ${p} on this scenario; see docs/trust.md`
          : `${o} (perfect forecast) did worse than ${p} at this seed: ${worse.join(', ')} — one seed, no interval: run --seeds N to tell whether it bounds ${p} here`,
      );
    }
  }
  return out;
}

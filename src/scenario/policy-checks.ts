/**
 * The policies and expectations of a scenario: which policies run (the scenario's, the defaults,
 * or those `--policies` keeps) and the `expect:` lines checked against the metrics and the
 * policies that exist, with the ones `--policies` leaves unevaluable set aside.
 */
import type { Problem } from '../model/errors.ts';
import type { AddProblem, Where } from './cross-checks.ts';
import { parseExpectation, references, type Expectation } from './expect.ts';
import { metricPathProblem } from './metrics.ts';
import { scenarioSchema, type PolicySpec, type Scenario } from './schema.ts';

/** An expectation not evaluated, and the policies it needs that did not run. */
export interface SkippedExpectation {
  readonly expr: string;
  readonly notRun: readonly string[];
}

/** Policy kinds a run can execute today; the default policy list is filtered by it. */
export const IMPLEMENTED_POLICY_KINDS: ReadonlySet<string> = new Set<string>(['static', 'reactive-threshold', 'reactive', 'predictive', 'oracle', 'perfect-forecast', 'mean-oracle', 'hindsight']);

const DEFAULT_POLICIES: [string, PolicySpec['kind']][] = [
  ['static', 'static'],
  ['reactive', 'reactive'],
  ['predictive', 'predictive'],
  ['oracle', 'oracle'],
];

/**
 * The policies that run: the scenario's (each name well-formed and its kind implemented) or the
 * defaults when it names none, kept to `only` (`--policies`, each of which must exist; problems
 * of the flag go to `problems`). Undefined when `policies:` itself is invalid. `defined`: every
 * policy the scenario defines.
 */
export function selectPolicies(sc: Partial<Scenario>, raw: unknown, only: readonly string[] | undefined, where: Where, add: AddProblem, problems: Problem[]): { policies?: [string, PolicySpec][]; defined: Set<string> } {
  // policies (the scenario's, or the defaults when it names none); unknown when `policies:` is invalid
  let policies: [string, PolicySpec][] | undefined;
  const policiesInvalid = raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).policies !== undefined && sc.policies === undefined;
  if (sc.policies) {
    policies = Object.entries(sc.policies);
    for (const [name, spec] of policies) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) add({ path: `policies.${name}`, ...where(['policies', name]), message: 'policy names match [a-z][a-z0-9_]*' });
      else if (!IMPLEMENTED_POLICY_KINDS.has(spec.kind)) {
        add({ path: `policies.${name}.kind`, ...where(['policies', name, 'kind']), message: `policy kind '${spec.kind}' is not implemented yet (available: ${[...IMPLEMENTED_POLICY_KINDS].join(', ')})` });
      }
    }
  } else if (!policiesInvalid) {
    policies = DEFAULT_POLICIES.filter(([, k]) => IMPLEMENTED_POLICY_KINDS.has(k)).map(([n, k]) => [n, scenarioSchema.shape.policies.unwrap().valueType.parse({ kind: k })]);
  }
  const defined = new Set((policies ?? []).map(([n]) => n));
  if (policies && only && only.length) {
    for (const p of only) {
      if (!defined.has(p)) problems.push({ file: '<cli>', path: '--policies', message: `no policy '${p}' in the scenario (policies: ${[...defined].join(', ')})` });
    }
    policies = policies.filter(([n]) => only!.includes(n));
  }
  return { policies, defined };
}

/**
 * The `expect:` lines parsed: well-formed, naming known metrics of defined policies. With
 * `--policies`, those that need a policy not run are skipped (and listed). `policies`: the ones
 * that run (undefined when unknown).
 */
export function checkExpectations(lines: readonly string[], policies: readonly [string, PolicySpec][] | undefined, defined: ReadonlySet<string>, where: Where, add: AddProblem): { expectations: Expectation[]; skippedExpectations: SkippedExpectation[] } {
  const running = new Set((policies ?? []).map(([n]) => n));
  const expectations: Expectation[] = [];
  const skippedExpectations: SkippedExpectation[] = [];
  lines.forEach((line, i) => {
    const at = where(['expect', i]);
    try {
      const e = parseExpectation(line);
      let ok = true;
      const kinds = new Map((policies ?? []).map(([n, p]) => [n, p.kind]));
      for (const r of references(e)) {
        const m = metricPathProblem(r.path) ?? kindProblem(r.policy, kinds.get(r.policy), r.path);
        if (m) {
          add({ path: `expect[${i}]`, ...at, message: m });
          ok = false;
        }
      }
      const named = [...new Set(references(e).map((r) => r.policy))];
      const undefinedPolicies = policies ? named.filter((n) => !defined.has(n)) : [];
      for (const n of undefinedPolicies) {
        add({ path: `expect[${i}]`, ...at, message: `no policy '${n}' in the scenario (policies: ${[...defined].join(', ')})` });
        ok = false;
      }
      const notRun = named.filter((n) => defined.has(n) && !running.has(n));
      if (ok && notRun.length) skippedExpectations.push({ expr: e.expr, notRun });
      else expectations.push(e);
    } catch (err) {
      add({ path: `expect[${i}]`, ...at, message: `malformed expectation '${line}': ${(err as Error).message}` });
    }
  });

  return { expectations, skippedExpectations };
}

/** A metric that `policy`'s kind never reports (`forecast.*`: the KDP's, predictive only), known before the run; else null. */
function kindProblem(policy: string, kind: string | undefined, path: readonly string[]): string | null {
  if (path[0] === 'forecast' && kind !== undefined && kind !== 'predictive') return `${policy}.${path.join('.')}: only predictive policies report a forecast (${policy} is ${kind})`;
  return null;
}

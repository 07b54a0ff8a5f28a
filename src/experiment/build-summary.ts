/** Turns a run's results into `summary.json` (DESIGN.md contract), expectations evaluated. */
import { InputError, type Problem } from '../model/errors.ts';
import { compare, evaluate } from '../scenario/expect.ts';
import { metricPathProblem } from '../scenario/metrics.ts';
import type { RunResult } from './run.ts';
import type { ExpectationResult, PolicySummary, Summary } from './summary.ts';
import type { LowerBounds } from './bounds.ts';

/** Looks a metric up in a policy summary; throws a message for unknown ones. */
export function metricValue(policies: Record<string, PolicySummary>, policy: string, path: readonly string[]): number {
  const p = policies[policy];
  if (!p) throw new Error(`policy '${policy}' did not run (ran: ${Object.keys(policies).join(', ')})`);
  const problem = metricPathProblem(path);
  if (problem) throw new Error(problem);
  let v: unknown = p;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  if (typeof v !== 'number') throw new Error(`${policy}.${path.join('.')} is not reported by this policy`);
  return v;
}

/** Evaluates expectations against policy summaries; a reference to a policy that did not run is bad input. */
export function evaluateExpectations(result: RunResult, policies: Record<string, PolicySummary>): ExpectationResult[] {
  const problems: Problem[] = [];
  const out: ExpectationResult[] = [];
  result.loaded.expectations.forEach((e, i) => {
    try {
      const lookup = (pol: string, path: string[]) => metricValue(policies, pol, path);
      const left = lookup(e.left.policy, e.left.path);
      const right = evaluate(e.right, lookup);
      out.push({ expr: e.expr, pass: compare(left, e.op, right), left, right });
    } catch (err) {
      problems.push({ file: result.loaded.file, path: `expect[${i}]`, message: (err as Error).message });
    }
  });
  if (problems.length) throw new InputError(problems);
  return out;
}

/** Relative slack of a bound check: float sums in a different order, nothing more. */
const BOUND_SLACK = 1e-9;

/** Every policy against the run's lower bounds: a policy below one is a bug (simulator or metric). */
export function boundChecks(policies: Record<string, PolicySummary>, b: LowerBounds): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const [name, p] of Object.entries(policies)) {
    for (const m of ['recordSecondsOverSlo', 'sloViolationRate'] as const) {
      const left = p[m];
      const right = b[m];
      out.push({ expr: `${name}.${m} >= bound.${m}`, pass: left >= right * (1 - BOUND_SLACK) - 1e-12, left, right });
    }
  }
  return out;
}

/** The summary of a run. */
export function buildSummary(result: RunResult, version: string): Summary {
  const sc = result.loaded.scenario;
  const policies: Record<string, PolicySummary> = {};
  for (const lane of result.lanes) {
    policies[lane.name] = sc.workload.trace ? { ...lane.summary, badRows: result.badRows } : lane.summary;
  }
  const expectations = evaluateExpectations(result, policies);
  const bounds = result.bounds ?? undefined;
  return {
    keycastVersion: version,
    scenario: sc.name,
    description: sc.description,
    scenarioHash: result.loaded.hash,
    seed: result.seed,
    simulatedMs: result.simulatedMs,
    measuredMs: result.measuredMs,
    sloLatencyMs: sc.slo.latency,
    sloPercentile: sc.slo.percentile,
    policies,
    ...(bounds ? { bounds, boundChecks: boundChecks(policies, bounds) } : {}),
    expectations,
    ...(result.loaded.skippedExpectations ? { skippedExpectations: result.loaded.skippedExpectations.map((e) => ({ expr: e.expr, notRun: [...e.notRun] })) } : {}),
    invariantViolations: result.lanes.reduce((s, l) => s + l.summary.invariantViolations, 0),
  };
}

/**
 * Loading scenario files: YAML with line numbers (the `yaml` package), `--set path=value`
 * overrides, schema validation (zod) and the cross-field checks a schema cannot express. Every
 * problem is collected and reported at once as `FILE:LINE:COL field.path: message`. This file
 * runs the phases in order on a scenario's text; the YAML document is in yaml-doc.ts, schema
 * problems in schema-problems.ts, cross-field checks in cross-checks.ts, policies and
 * expectations in policy-checks.ts. Reading the file is io/load-scenario.ts (`loadScenario`);
 * code that loads scenarios by path receives it as a `ScenarioLoader`.
 */
import { createHash } from 'node:crypto';
import { InputError, type Problem } from '../model/errors.ts';
import { crossFieldChecks } from './cross-checks.ts';
import type { Expectation } from './expect.ts';
import { checkExpectations, selectPolicies, type SkippedExpectation } from './policy-checks.ts';
import { schemaProblems } from './schema-problems.ts';
import { scenarioSchema, withTailDefault, type PolicySpec, type Scenario } from './schema.ts';
import { applyOverrides, dedupe, parseScenarioYaml, position, type CliField } from './yaml-doc.ts';

export { IMPLEMENTED_POLICY_KINDS, type SkippedExpectation } from './policy-checks.ts';

/** A validated scenario with where it came from. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file as named by the user (for messages). */
  readonly file: string;
  /** Folder that relative paths in the scenario resolve against. */
  readonly dir: string;
  /** sha256 (hex, 16 chars) of the validated scenario, seed excluded. */
  readonly hash: string;
  /** Parsed `expect:` lines. */
  readonly expectations: readonly Expectation[];
  /** Policies that run, in order (the scenario's, or the defaults). */
  readonly policies: readonly [string, PolicySpec][];
  /**
   * True when the scenario replays a trace and sets no `duration` (neither in the file nor by
   * `--set`): the run then lasts the trace's span ÷ speed, which building the workload resolves
   * into `scenario.duration` (until then it holds the schema default, 1d).
   */
  readonly durationFromTrace?: boolean;
  /** Expectations left out because they need a policy that `--policies` did not select. */
  readonly skippedExpectations?: readonly SkippedExpectation[];
}

/** Options of loading a scenario (`parseScenario`, `ScenarioLoader`). */
export interface LoadOptions {
  /** `path=value` overrides (values are YAML scalars or flow collections). */
  readonly sets?: readonly string[];
  /** Replaces the scenario's seed. */
  readonly seed?: number;
  /**
   * `path=value` settings of one point of the scenario's own `sweep.grid` (applied after `sets`):
   * their problems are reported at the grid field's line, not as flags the user never gave.
   */
  readonly gridSets?: readonly string[];
  /** Policy names to keep (must exist). */
  readonly policies?: readonly string[];
  /**
   * Whether a file exists (a trace's): the file system's when the file is read by
   * io/load-scenario.ts; without it the trace is not looked for here (the run reports it missing).
   */
  readonly exists?: (absPath: string) => boolean;
}

/** Reads and validates a scenario named by a path or a bundled name (io/load-scenario.ts `loadScenario`). */
export type ScenarioLoader = (arg: string, opts?: LoadOptions) => LoadedScenario;

/** Validates scenario text; `file` names it in messages and `dir` resolves relative paths. */
export function parseScenario(text: string, file: string, dir: string, opts: LoadOptions = {}): LoadedScenario {
  const problems: Problem[] = [];
  const add = (p: Omit<Problem, 'file'>) => problems.push({ file, ...p });
  const { doc, lc } = parseScenarioYaml(text, file);
  // Fields the command line sets: their problems are reported as flag problems (`<cli>: --set …`).
  const fromCli = applyOverrides(doc, opts.sets ?? [], opts.seed, problems, file);
  const fromGrid = applyOverrides(doc, opts.gridSets ?? [], undefined, problems, file);
  problems.push(...gridOverSets(fromCli, fromGrid));
  if (problems.length) throw new InputError(dedupe(problems));
  const within = (p: Problem, q: string) => p.path === q || p.path.startsWith(`${q}.`) || p.path.startsWith(`${q}[`);
  // A problem in a field the set wrote, or anywhere in what the set created (a policy it invented).
  const under = (p: Problem, c: { path: string; created?: string }) => within(p, c.path) || (c.created !== undefined && within(p, c.created));
  const toCli = (p: Problem): Problem => {
    if (p.file !== file) return p;
    const g = fromGrid.find((c) => under(p, c));
    if (g) return { file, ...position(doc, lc, ['sweep', 'grid', g.path]), path: `sweep.grid.${g.path}`, message: `value ${g.flag.slice(g.flag.indexOf('=') + 1)}: ${p.message}` };
    // The last --set on a path is the one that took effect (a later one overwrites an earlier).
    const c = [...fromCli].reverse().find((c) => under(p, c));
    return c ? { file: '<cli>', path: c.flag, message: `${p.path}: ${p.message}` } : p;
  };

  const where = (p: readonly PropertyKey[]) => position(doc, lc, p);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    // e.g. too many aliases, a merge key on something that is not a mapping
    throw new InputError([{ file, path: '', line: 1, col: 1, message: `YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
  // With field errors, the checks below still run on every top-level section that is valid on
  // its own, so that independent problems are reported together.
  const sc: Partial<Scenario> = parsed.success ? parsed.data : schemaProblems(parsed.error.issues, raw, where, add);
  const rawDuration = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).duration : undefined;
  const durationFromTrace = crossFieldChecks(sc, rawDuration, dir, opts.exists ?? (() => true), where, add);
  const { policies, defined } = selectPolicies(sc, raw, opts.policies, where, add, problems);
  const { expectations, skippedExpectations } = checkExpectations(sc.expect ?? [], policies, defined, where, add);
  // sweep grid paths must name scalar fields that exist in the scenario schema
  for (const key of Object.keys(sc.sweep?.grid ?? {})) {
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) add({ path: `sweep.grid.${key}`, ...where(['sweep', 'grid', key]), message: 'not a field path' });
  }

  if (problems.length || !parsed.success || !policies) throw new InputError(dedupe(problems.map(toCli)));
  // `tailQuantile` where a policy names none: from the SLO's percentile (set here, where the
  // scenario's SLO is known, so the summary, the hash and the random streams see the value used).
  const tail = ([n, s]: [string, PolicySpec]): [string, PolicySpec] => [n, withTailDefault(s, parsed.data.slo.percentile)];
  const full: Scenario = parsed.data.policies ? { ...parsed.data, policies: Object.fromEntries(Object.entries(parsed.data.policies).map(tail)) } : parsed.data;
  const { seed: _seed, ...rest } = full;
  const hash = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
  return {
    scenario: full,
    file,
    dir,
    hash,
    expectations,
    policies: policies.map(tail),
    ...(skippedExpectations.length ? { skippedExpectations } : {}),
    ...(durationFromTrace ? { durationFromTrace } : {}),
  };
}

/** A --set on a field the sweep grid sets at every point: the grid would overwrite it without a word. */
function gridOverSets(fromCli: readonly CliField[], fromGrid: readonly CliField[]): Problem[] {
  const nested = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return fromCli.flatMap((c) => {
    const g = fromGrid.find((x) => nested(x.path, c.path) || nested(c.path, x.path));
    return g ? [{ file: '<cli>', path: c.flag, message: `the sweep grid sets ${g.path} at every point, over this value: drop the --set or the grid field` }] : [];
  });
}

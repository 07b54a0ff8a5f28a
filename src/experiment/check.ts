/**
 * `keycast check`: runs scenario files as regression tests. Each scenario is a JUnit testsuite
 * with one testcase per expectation (plus one for the invariants); a scenario that fails to load
 * or run is a testsuite with an `<error>`. The result decides the exit code: 2 if any input was
 * bad, else 1 if any expectation failed, else 3 if an invariant broke, else 0.
 */
import * as path from 'node:path';
import { InputError, formatProblem } from '../model/errors.ts';
import type { LoadOptions, ScenarioLoader } from '../scenario/load.ts';
import { runScenario, type RunResult, type StartLanes } from './run.ts';
import { buildSummary } from './build-summary.ts';
import { combineSeeds, seedList, withOtherSeeds } from './seeds.ts';
import type { TaskRunner } from './sweep-task.ts';
import type { ExpectationResult, Summary } from './summary.ts';

/** One scenario's outcome. */
export interface CheckCase {
  readonly file: string;
  readonly name: string;
  readonly summary?: Summary;
  readonly result?: RunResult;
  /** Input problems (exit 2). */
  readonly problems?: readonly string[];
  readonly wallMs: number;
}

/** What `runChecks` is given besides the load options. */
export interface CheckOptions extends LoadOptions {
  readonly version: string;
  /** Loads each scenario file (io/load-scenario.ts). */
  readonly load: ScenarioLoader;
  /** Starts lanes in other threads (io/lane-threads.ts); without it each run stays in this thread. */
  readonly startLanes?: StartLanes;
  readonly onScenario?: (c: CheckCase) => void;
  readonly wallClock?: () => number;
  readonly keepResults?: boolean;
  /** Seeds to check each scenario over (seed, seed+1, …), replacing its `seeds:`. */
  readonly seeds?: number;
  /** Runs the other seeds in threads (io/task-threads.ts); without it they run in this thread. */
  readonly runner?: TaskRunner;
}

/**
 * Runs every scenario (each on its own; one bad file does not stop the others), over its
 * `seeds:` or `opts.seeds`: the first seed here (lanes over threads), the others through
 * `opts.runner` while it runs.
 */
export async function runChecks(files: readonly string[], opts: CheckOptions): Promise<CheckCase[]> {
  const clock = opts.wallClock ?? (() => 0);
  const cases: CheckCase[] = [];
  for (const file of files) {
    const t0 = clock();
    let c: CheckCase;
    try {
      const loaded = opts.load(file, opts);
      const seeds = seedList(loaded, opts.seeds ?? loaded.scenario.seeds).slice(1);
      const others = { file: path.resolve(file), opts, seeds, version: opts.version, load: opts.load, runner: opts.runner };
      const { first: result, others: summaries } = await withOtherSeeds(others, (threaded) => runScenario(loaded, { startLanes: opts.startLanes, ...(threaded ? { workers: 1 } : {}) }));
      const firstSummary = buildSummary(result, opts.version);
      const summary = summaries.length ? combineSeeds(loaded, [firstSummary, ...summaries]) : firstSummary;
      c = { file, name: loaded.scenario.name, summary, result: opts.keepResults ? result : undefined, wallMs: clock() - t0 };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      c = { file, name: path.basename(file).replace(/\.ya?ml$/, ''), problems: err.problems.map(formatProblem), wallMs: clock() - t0 };
    }
    opts.onScenario?.(c);
    cases.push(c);
  }
  return cases;
}

/**
 * How an expectation over seeds fared: "held at 7 of 10 seeds; failed at 6, 7, 13", or "" for
 * one seed or a `mean(…)` expectation (evaluated once).
 */
export function seedTally(e: ExpectationResult): string {
  if (!e.seeds || e.seeds.length < 2) return '';
  const failed = e.seeds.filter((x) => !x.pass).map((x) => x.seed);
  return `held at ${e.seeds.length - failed.length} of ${e.seeds.length} seeds${failed.length ? `; failed at seed ${failed.join(', ')}` : ''}`;
}

/** Exit code of a check: 2 bad input, 1 a failed expectation, 3 an invariant violated, 0 else. */
export function checkExitCode(cases: readonly CheckCase[]): number {
  if (cases.some((c) => c.problems)) return 2;
  if (cases.some((c) => expectationsOf(c.summary!).some((e) => !e.pass))) return 1;
  if (cases.some((c) => bugs(c.summary!) > 0)) return 3;
  return 0;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML: one testsuite per scenario, one testcase per expectation, and one for the invariants. */
export function junitXml(cases: readonly CheckCase[]): string {
  const suites = cases.map((c) => {
    const sec = (c.wallMs / 1000).toFixed(3);
    if (c.problems) {
      return `  <testsuite name="${xml(c.name)}" file="${xml(c.file)}" tests="1" failures="0" errors="1" time="${sec}">\n    <testcase classname="${xml(c.name)}" name="load and run" time="${sec}">\n      <error message="bad input" type="InputError">${xml(c.problems.join('\n'))}</error>\n    </testcase>\n  </testsuite>`;
    }
    const s = c.summary!;
    const cases_: string[] = expectationsOf(s).map((e) => {
      const tally = seedTally(e);
      const body = e.pass ? '' : `\n      <failure message="${xml(`${e.expr}: left ${e.left}, right ${e.right}${tally ? ` (${tally})` : ''}`)}" type="ExpectationFailed">${xml(`${e.expr}\nleft = ${e.left}\nright = ${e.right}${tally ? `\n${tally}` : ''}`)}</failure>\n    `;
      return `    <testcase classname="${xml(c.name)}" name="${xml(e.expr)}" time="0">${body}</testcase>`;
    });
    const inv = bugs(s);
    const invMsgs = [
      ...Object.entries(s.policies).flatMap(([n, p]) => (p.invariantMessages ?? []).map((m) => `${n}: ${m}`)),
      ...boundFailures(s).map((e) => `below a lower bound: ${e.expr} (${e.left} < ${e.right})`),
    ];
    cases_.push(`    <testcase classname="${xml(c.name)}" name="invariants hold" time="0">${inv ? `\n      <failure message="${inv} invariant violation(s)" type="InvariantViolated">${xml(invMsgs.join('\n'))}</failure>\n    ` : ''}</testcase>`);
    const failures = expectationsOf(s).filter((e) => !e.pass).length + (inv ? 1 : 0);
    return `  <testsuite name="${xml(c.name)}" file="${xml(c.file)}" tests="${cases_.length}" failures="${failures}" errors="0" time="${sec}">\n${cases_.join('\n')}\n  </testsuite>`;
  });
  const tests = cases.reduce((a, c) => a + (c.problems ? 1 : expectationsOf(c.summary!).length + 1), 0);
  const failures = cases.reduce((a, c) => a + (c.summary ? expectationsOf(c.summary).filter((e) => !e.pass).length + (bugs(c.summary) ? 1 : 0) : 0), 0);
  const errors = cases.filter((c) => c.problems).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="keycast check" tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** A summary's expectations. */
function expectationsOf(s: Summary): readonly ExpectationResult[] {
  return s.expectations;
}

/**
 * A summary's failed checks against the lower bounds (bounds.ts). A policy below a bound is a
 * keycast bug, like a violated invariant: it fails the invariants testcase and exits 3.
 */
function boundFailures(s: Summary): readonly ExpectationResult[] {
  return (s.boundChecks ?? []).filter((e) => !e.pass);
}

/** Invariant violations plus failed bound checks. */
function bugs(s: Summary): number {
  return s.invariantViolations + boundFailures(s).length;
}

/** A plain-text table of a check (stdout). */
export function checkTable(cases: readonly CheckCase[]): string {
  const lines: string[] = [];
  for (const c of cases) {
    if (c.problems) {
      lines.push(`ERROR ${c.name} (${c.file})`);
      for (const p of c.problems) lines.push(`      ${p}`);
      continue;
    }
    const s = c.summary!;
    const failed = expectationsOf(s).filter((e) => !e.pass).length;
    const below = boundFailures(s);
    lines.push(`${failed || bugs(s) ? 'FAIL ' : 'ok   '} ${c.name}: ${expectationsOf(s).length - failed}/${expectationsOf(s).length} expectations${s.invariantViolations ? `, ${s.invariantViolations} invariant violation(s)` : ''}${below.length ? `, ${below.length} policy metric(s) below a lower bound` : ''} (${(c.wallMs / 1000).toFixed(1)} s)`);
    for (const e of expectationsOf(s)) {
      const r = e.ratio;
      const tally = r ? `paired ratio ${r.mean.toPrecision(3)}× [${r.lo.toPrecision(3)}, ${r.hi.toPrecision(3)}]` : seedTally(e);
      lines.push(`      ${e.pass ? '✔' : '✘'} ${e.expr}   [${e.left} vs ${e.right}]${tally ? ` (${tally})` : ''}`);
    }
    for (const e of below) lines.push(`      ✘ ${e.expr}   [${e.left} vs ${e.right}] (a keycast bug: no layout can do this)`);
  }
  const bad = cases.filter((c) => c.problems || expectationsOf(c.summary!).some((e) => !e.pass) || bugs(c.summary!)).length;
  lines.push('', `${cases.length - bad} of ${cases.length} scenario(s) passed`);
  return lines.join('\n') + '\n';
}

/** `keycast check [PATH...] [--junit FILE]`: scenario files as CI regression tests. */
import type { KeycastCommand } from '../command.ts';
import type { LoadOptions } from '../../scenario/load.ts';
import { InputError, type Problem } from '../../model/errors.ts';
import { scenarioLoadOptions, scenarioOptions, seedsOption } from './scenario-options.ts';

export const checkCommand: KeycastCommand = {
  command: 'check [paths..]',
  describe: 'run scenario files (default: ./scenarios/, else the bundled ones) and check their expectations; JUnit XML for CI',
  builder: (y) =>
    scenarioOptions(
      y
        .usage('keycast check [FILE|DIR ...] [--seeds N] [--junit FILE] [--out DIR] [--force]\n\nEach *.yaml of a folder (not recursive) or each file named; exit 1 if an expectation fails, 2 on bad input.')
        .positional('paths', { type: 'string', array: true, describe: 'scenario files or folders (default: scenarios)' })
        .option('seeds', { type: 'string', describe: "check every scenario over N seeds (seed, seed+1, …), replacing its seeds:; each expectation must hold at every seed unless written mean(…)" })
        .option('junit', { type: 'string', describe: 'write JUnit XML here (one testsuite per scenario, one testcase per expectation)' })
        .option('out', { type: 'string', describe: 'also write each scenario’s report to DIR/<name>/' })
        .option('force', { type: 'boolean', default: false, describe: 'replace --out even if it is not a keycast output folder (deletes what is there), and --junit even if it is not a JUnit file' }),
    ),
  run: async (argv) => {
    const { runChecks, junitXml, checkTable, checkExitCode } = await import('../../experiment/check.ts');
    const { scenarioFiles } = await import('../../io/scenario-files.ts');
    const { version } = await import('../../api.ts');
    const { writeFileAtomic } = await import('../io.ts');
    const { BUNDLED_SCENARIOS } = await import('../../io/bundled.ts');
    const fs = await import('node:fs');
    // Default: ./scenarios, or the bundled scenarios where there is none (an installed package).
    const paths = (argv.paths as string[] | undefined)?.length ? (argv.paths as string[]) : [fs.existsSync('scenarios') ? 'scenarios' : BUNDLED_SCENARIOS];
    const files = scenarioFiles(paths);
    const load = scenarioLoadOptions(argv);
    const out = argv.out as string | undefined;
    const force = argv.force as boolean;
    const { assertOutDir, assertOutFile, ensureOutputParent } = await import('../../io/atomic-dir.ts');
    if (out !== undefined) {
      assertOutDir(out, { force, container: true });
      // Each scenario is parsed once more for its name: two with one name would write one folder.
      await assertReportFolders(out, files, load, force);
    }
    if (argv.junit !== undefined) assertOutFile(argv.junit as string, '--junit', (head) => head.includes('<testsuites name="keycast check"'), force);
    const { loadScenario } = await import('../../io/load-scenario.ts');
    const { startLaneThread } = await import('../../io/lane-threads.ts');
    const seeds = seedsOption(argv);
    const { threadRunner } = await import('../../io/task-threads.ts');
    const cases = await runChecks(files, {
      ...load,
      seeds,
      runner: threadRunner,
      load: loadScenario,
      startLanes: startLaneThread,
      version: version(),
      keepResults: out !== undefined,
      wallClock: () => performance.now(), // clock-ok: JUnit times only
      onScenario: (c) => process.stderr.write(process.stderr.isTTY && !process.env.CI ? `checked ${c.name}\n` : ''),
    });
    for (const c of cases) {
      // Input problems go to stderr too, one line each (the table on stdout lists them under their scenario).
      for (const p of c.problems ?? []) process.stderr.write(`${p}\n`);
      for (const e of c.summary?.skippedExpectations ?? []) {
        process.stderr.write(`keycast: ${c.name}: expectation '${e.expr}' skipped: it needs ${e.notRun.join(', ')}, not run (--policies)\n`);
      }
    }
    if (out) {
      const { writeReport } = await import('../../api.ts');
      ensureOutputParent(out, { force });
      for (const c of cases) if (c.summary && c.result) writeReport(`${out}/${c.name}`, c.result, c.summary, { force });
    }
    if (argv.junit) writeFileAtomic(argv.junit as string, junitXml(cases));
    process.stdout.write(checkTable(cases));
    return checkExitCode(cases);
  },
};

/**
 * Each scenario's report goes to `out/<name>/`, replacing what keycast wrote there: all are
 * checked before anything runs — two scenarios with one name (the second would overwrite the
 * first's report) and existing folders that are not keycast's are refused.
 */
async function assertReportFolders(out: string, files: readonly string[], load: LoadOptions, force: boolean): Promise<void> {
  const { loadScenario } = await import('../../io/load-scenario.ts');
  const { assertOutDir } = await import('../../io/atomic-dir.ts');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const byName = new Map<string, string>();
  const problems: Problem[] = [];
  for (const f of files) {
    let name: string;
    try {
      name = loadScenario(f, load).scenario.name;
    } catch {
      continue; // its problems are reported with the run
    }
    const first = byName.get(name);
    if (first !== undefined) problems.push({ file: f, path: 'name', message: `'${name}' is also the name of ${first}: with --out both reports would go to ${path.join(out, name)}` });
    else byName.set(name, f);
    if (fs.existsSync(path.join(out, name))) assertOutDir(path.join(out, name), { force });
  }
  if (problems.length) throw new InputError(problems);
}

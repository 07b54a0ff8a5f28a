/** `keycast run SCENARIO`: simulate every policy of a scenario and write the report. */
import type { KeycastCommand } from '../command.ts';
import { scenarioOptions, scenarioLoadOptions, seedsOption, workersOption } from './scenario-options.ts';
import { allProblems } from '../../model/errors.ts';

export const runCommand: KeycastCommand = {
  command: 'run <scenario>',
  describe: 'simulate a scenario under each policy and write a report (summary.json, index.html, summary.md, CSVs)',
  builder: (y) =>
    scenarioOptions(
      y
        .usage('keycast run SCENARIO [--out DIR] [--seed N] [--seeds N] [--policies a,b] [--set path=value]... [--json] [--skip-bad-rows] [--workers N] [--force]')
        .positional('scenario', { type: 'string', describe: 'scenario YAML file' })
        .option('out', { type: 'string', describe: 'report folder (default reports/<scenario name>/)' })
        .option('json', { type: 'boolean', default: false, describe: 'print summary.json on stdout and nothing else' })
        .option('force', { type: 'boolean', default: false, describe: 'replace --out even if it is not a keycast output folder (deletes what is there)' })
        .option('skip-bad-rows', { type: 'boolean', default: false, describe: 'trace replay: skip malformed rows, report their count as badRows' })
        .option('seeds', { type: 'string', describe: "seeds to run (seed, seed+1, …; default: the scenario's seeds:, else 1): summary.json gains means, 95% intervals and paired ratios" })
        .option('workers', { type: 'string', describe: 'threads to spread the policies over (same results for any N; default: 1 for small runs, else the cores)' }),
    ),
  run: async (argv) => {
    const { runScenarioFileSeeds } = await import('../../api.ts');
    const { withProgress } = await import('../progress.ts');
    const json = argv.json as boolean;
    // every policy advances through the same simulated time together (lockstep lanes): name them all
    const { loadScenario } = await import('../../io/load-scenario.ts');
    // Every flag's problem and the file's at once.
    const [workers, seeds, loaded] = allProblems(
      () => workersOption(argv),
      () => seedsOption(argv),
      () => loadScenario(argv.scenario as string, scenarioLoadOptions(argv)),
    );
    const names = Object.keys(loaded.scenario.policies ?? {});
    const label = `run ${argv.scenario}${names.length > 1 ? ` (${names.join(', ')} in lockstep)` : names.length ? ` (${names[0]})` : ''}`;
    // With several seeds, --workers is the number of threads the other seeds run in.
    const res = await withProgress(!json, label, (onProgress) =>
      runScenarioFileSeeds(argv.scenario as string, { ...scenarioLoadOptions(argv), out: argv.out as string | undefined, force: argv.force as boolean, onProgress, skipBadRows: argv['skip-bad-rows'] as boolean, workers, seeds, seedWorkers: workers }),
    );
    for (const e of res.summary.skippedExpectations ?? []) {
      process.stderr.write(`keycast: expectation '${e.expr}' skipped: it needs ${e.notRun.join(', ')}, not run (--policies)\n`);
    }
    if (json) process.stdout.write(JSON.stringify(res.summary, null, 2) + '\n');
    else {
      const { terminalSummary } = await import('../../report/terminal.ts');
      process.stdout.write(terminalSummary(res.summary, `${res.outDir}/index.html`, res.result.threads));
    }
    return res.exitCode;
  },
};

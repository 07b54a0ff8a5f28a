/** `keycast run SCENARIO`: simulate every policy of a scenario and write the report. */
import type { KeycastCommand } from '../main.ts';
import { scenarioOptions, scenarioLoadOptions } from './scenario-options.ts';

export const runCommand: KeycastCommand = {
  command: 'run <scenario>',
  describe: 'simulate a scenario under each policy and write a report (summary.json, index.html, summary.md, CSVs)',
  builder: (y) =>
    scenarioOptions(
      y
        .usage('keycast run SCENARIO [--out DIR] [--seed N] [--policies a,b] [--set path=value]... [--json] [--skip-bad-rows]')
        .positional('scenario', { type: 'string', describe: 'scenario YAML file' })
        .option('out', { type: 'string', describe: 'report folder (default reports/<scenario name>/)' })
        .option('json', { type: 'boolean', default: false, describe: 'print summary.json on stdout and nothing else' })
        .option('skip-bad-rows', { type: 'boolean', default: false, describe: 'trace replay: skip malformed rows, report their count as badRows' }),
    ),
  run: async (argv) => {
    const { runScenarioFile } = await import('../../api.ts');
    const { withProgress } = await import('../progress.ts');
    const json = argv.json as boolean;
    const res = await withProgress(!json, `run ${argv.scenario}`, (onProgress) =>
      runScenarioFile(argv.scenario as string, { ...scenarioLoadOptions(argv), out: argv.out as string | undefined, onProgress, skipBadRows: argv['skip-bad-rows'] as boolean }),
    );
    if (json) process.stdout.write(JSON.stringify(res.summary, null, 2) + '\n');
    else {
      const { renderMarkdown } = await import('../../report/markdown.ts');
      process.stdout.write(renderMarkdown(res.summary) + `\nReport: ${res.outDir}/index.html\n`);
    }
    return res.exitCode;
  },
};

/** `keycast compare BASELINE RUN [--tolerance 5%]`: metric-by-metric diff, exit 1 on a regression. */
import type { KeycastCommand } from '../command.ts';

export const compareCommand: KeycastCommand = {
  command: 'compare <baseline> <run>',
  describe: 'compare two run folders (summary.json) metric by metric; exit 1 on a regression beyond tolerance',
  builder: (y) =>
    y
      .usage('keycast compare BASELINE_DIR RUN_DIR [--tolerance 5%] [--json]')
      .positional('baseline', { type: 'string', describe: 'baseline run folder or summary.json' })
      .positional('run', { type: 'string', describe: 'new run folder or summary.json' })
      .option('tolerance', { type: 'string', default: '5%', describe: 'allowed worsening, relative (5% or 0.05)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' }),
  run: async (argv) => {
    const { compareSummaries, parseTolerance } = await import('../../experiment/compare.ts');
    const { readSummaries } = await import('../../io/summary-file.ts');
    const { comparisonTable } = await import('../../report/compare-table.ts');
    const { allProblems } = await import('../../model/errors.ts');
    // Every problem at once: the tolerance and both folders.
    const [tol, [base, run]] = allProblems(
      () => parseTolerance(String(argv.tolerance)),
      () => readSummaries([argv.baseline as string, argv.run as string]),
    );
    const rows = compareSummaries(base, run, tol);
    if (argv.json) process.stdout.write(JSON.stringify({ tolerance: tol, rows }, null, 2) + '\n');
    else process.stdout.write(comparisonTable(rows, base, run, tol));
    return rows.some((r) => r.status === 'REGRESSION' || r.status === 'missing') ? 1 : 0;
  },
};

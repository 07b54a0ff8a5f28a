/** `keycast capacity SCENARIO --nodes MIN..MAX`: fewest nodes that keep the SLO, per policy. */
import type { KeycastCommand } from '../command.ts';
import { scenarioLoadOptions, scenarioOptions } from './scenario-options.ts';

export const capacityCommand: KeycastCommand = {
  command: 'capacity <scenario>',
  describe: 'find per policy the fewest nodes whose SLO-percentile latency stays within slo.latency',
  builder: (y) =>
    scenarioOptions(
      y
        .usage('keycast capacity SCENARIO --nodes MIN..MAX [--seeds N] [--out DIR] [--json] [--force]')
        .positional('scenario', { type: 'string', describe: 'scenario YAML file' })
        .option('nodes', { type: 'string', demandOption: true, describe: 'node counts to try, MIN..MAX' })
        .option('seeds', { type: 'number', describe: 'run each node count at N seeds; the SLO must hold at every one (default 1)' })
        .option('out', { type: 'string', describe: 'output folder (default reports/<name>-capacity/)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' })
        .option('force', { type: 'boolean', default: false, describe: 'replace --out even if it is not a keycast output folder (deletes what is there)' }),
    ),
  run: async (argv) => {
    const { runCapacity, parseNodeRange } = await import('../../experiment/capacity.ts');
    const { capacityCsv, capacityHtml, capacityTable } = await import('../../report/capacity-report.ts');
    const { writeDirAtomic } = await import('../../io/atomic-dir.ts');
    const { progressBar } = await import('../progress.ts');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const range = parseNodeRange(String(argv.nodes));
    const seeds = argv.seeds as number | undefined;
    if (seeds !== undefined && (!Number.isInteger(seeds) || seeds < 1)) {
      const { InputError } = await import('../../model/errors.ts');
      throw new InputError([{ file: '<cli>', path: '--seeds', message: 'should be a whole number ≥ 1' }]);
    }
    const load = scenarioLoadOptions(argv);
    const { assertOutDir } = await import('../../io/atomic-dir.ts');
    const force = argv.force as boolean;
    if (argv.out !== undefined) assertOutDir(argv.out as string, { force });
    const bar = progressBar('capacity');
    const { loadScenario } = await import('../../io/load-scenario.ts');
    const { startLaneThread } = await import('../../io/lane-threads.ts');
    const r = runCapacity(argv.scenario as string, range, { ...load, load: loadScenario, startLanes: startLaneThread, seeds, onProgress: (n) => bar.update(n - range.min, range.max - range.min + 1, `running ${n} nodes`) });
    bar.stop();
    const out = (argv.out as string | undefined) ?? `reports/${r.scenario}-capacity`;
    writeDirAtomic(out, (tmp) => {
      fs.writeFileSync(path.join(tmp, 'capacity.json'), JSON.stringify(r, null, 2) + '\n');
      fs.writeFileSync(path.join(tmp, 'capacity.csv'), capacityCsv(r));
      fs.writeFileSync(path.join(tmp, 'index.html'), capacityHtml(r));
    }, { force });
    if (argv.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else process.stdout.write(capacityTable(r) + `\nReport: ${out}/index.html\n`);
    return 0;
  },
};

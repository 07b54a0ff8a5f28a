/** `keycast sweep SCENARIO`: the scenario's grid × seeds in parallel workers, or one shard of it. */
import type { KeycastCommand } from '../command.ts';
import { InputError } from '../../model/errors.ts';
import { scenarioLoadOptions, scenarioOptions } from './scenario-options.ts';

export const sweepCommand: KeycastCommand = {
  command: 'sweep <scenario>',
  describe: "run the scenario's sweep grid × seeds (parallel, shardable): results.csv, aggregate.csv, index.html",
  builder: (y) =>
    scenarioOptions(
      y
        .usage('keycast sweep SCENARIO [--out DIR] [--workers N] [--shard i/n] [--seeds N] [--set path=value]... [--force]')
        .positional('scenario', { type: 'string', describe: 'scenario YAML file with a sweep: section' })
        .option('out', { type: 'string', describe: 'output folder (default reports/<name>-sweep/)' })
        .option('workers', { type: 'number', describe: 'worker threads (default: the number of cores)' })
        .option('shard', { type: 'string', describe: 'run only shard i of n (1-based), e.g. 2/8' })
        .option('seeds', { type: 'number', describe: 'override sweep.seeds' })
        .option('force', { type: 'boolean', default: false, describe: 'replace --out even if it is not a keycast output folder (deletes what is there)' }),
    ),
  run: async (argv) => {
    const { runSweep } = await import('../../experiment/run-sweep.ts');
    const { parseResults, parseShard } = await import('../../experiment/sweep.ts');
    const { assertOutDir } = await import('../../io/atomic-dir.ts');
    const { writeSweepDir } = await import('../../io/sweep-dir.ts');
    const { sweepTableText } = await import('../../report/sweep-report.ts');
    const path = await import('node:path');
    const { version } = await import('../../api.ts');
    const { loadScenario } = await import('../../io/load-scenario.ts');
    const { threadRunner } = await import('../../io/task-threads.ts');
    const { progressBar } = await import('../progress.ts');
    const load = scenarioLoadOptions(argv);
    const workers = argv.workers as number | undefined;
    const seeds = argv.seeds as number | undefined;
    const bad: string[] = [];
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) bad.push('--workers');
    if (seeds !== undefined && (!Number.isInteger(seeds) || seeds < 1)) bad.push('--seeds');
    if (bad.length) throw new InputError(bad.map((b) => ({ file: '<cli>', path: b, message: 'should be a whole number ≥ 1' })));
    const shard = argv.shard !== undefined ? parseShard(String(argv.shard)) : undefined;
    const name = loadScenario(argv.scenario as string, load).scenario.name;
    const out = (argv.out as string | undefined) ?? `reports/${name}-sweep${shard ? `-shard${shard.index}of${shard.count}` : ''}`;
    const bar = progressBar(`sweep ${name}`);
    try {
      const force = argv.force as boolean;
      const checkOut = () => assertOutDir(out, { force });
      const { plan, manifest, resultsText } = await runSweep(argv.scenario as string, { ...load, checkOut, workers, shard, seeds, version: version(), onProgress: (d, t) => bar.update(d, t), load: loadScenario, runner: threadRunner });
      writeSweepDir(out, manifest, resultsText, 'results.csv', force);
      bar.stop();
      const { fields, rows } = parseResults(resultsText, path.join(out, 'results.csv'));
      process.stdout.write(sweepTableText(fields, rows) + '\n');
      process.stdout.write(`${plan.runs.length} run(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${plan.total})` : ''} → ${out}/results.csv, aggregate.csv, index.html\n`);
    } finally {
      bar.stop();
    }
    return 0;
  },
};

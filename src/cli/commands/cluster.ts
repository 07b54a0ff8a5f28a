/**
 * `keycast cluster up|down|status`: a local N-master Redis Cluster on loopback from the installed
 * `redis-server`, for `keycast live` and `keycast calibrate` (see src/cluster/redis/local-cluster.ts).
 */
import type { KeycastCommand } from '../command.ts';
import { InputError } from '../../model/errors.ts';

const DEFAULT_DIR = '.keycast/cluster';

function intOption(argv: Record<string, unknown>, name: string, min: number, max: number): number {
  const v = Number(argv[name]);
  if (!Number.isInteger(v) || v < min || v > max) throw new InputError([{ file: '<cli>', path: name, message: `must be a whole number in ${min}..${max}, got '${String(argv[name])}'` }]);
  return v;
}

export const clusterCommand: KeycastCommand = {
  command: 'cluster <action>',
  describe: 'start, stop or inspect a local Redis Cluster on loopback (for live and calibrate)',
  builder: (y) =>
    y
      .usage('keycast cluster up|down|status [--dir DIR] [--masters N] [--port P] [--json]')
      .positional('action', { type: 'string', choices: ['up', 'down', 'status'], describe: 'up: start N masters and join them; down: stop them and remove DIR; status: one line per node' })
      .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'folder keycast owns for the nodes (config, append-only files, logs, PIDs)' })
      .option('masters', { type: 'string', default: '3', describe: 'up: number of masters' })
      .option('port', { type: 'string', default: '7000', describe: 'up: first port (node i listens on port + i, its cluster bus on port + i + 10000)' })
      .option('keep-data', { type: 'boolean', default: false, describe: 'down: stop the nodes but keep DIR' })
      .option('json', { type: 'boolean', default: false, describe: 'status: print JSON' }),
  run: async (argv) => {
    const lc = await import('../../cluster/redis/local-cluster.ts');
    const dir = argv.dir as string;
    const action = argv.action as string;
    try {
      if (action === 'up') {
        const masters = intOption(argv, 'masters', 1, 64);
        const basePort = intOption(argv, 'port', 1, 55535);
        const t0 = performance.now();
        const s = await lc.clusterUp({ dir, masters, basePort });
        const seeds = s.ports.map((p) => `${s.host}:${p}`).join(',');
        process.stdout.write(`cluster up: ${masters} masters in ${Math.round(performance.now() - t0)} ms, data in ${dir}\n--redis ${seeds}\n`);
        return 0;
      }
      if (action === 'down') {
        const r = await lc.clusterDown(dir, { keepData: argv['keep-data'] as boolean });
        process.stdout.write(`cluster down: stopped ${r.stopped} node(s)${argv['keep-data'] ? '' : `, removed ${dir}`}\n`);
        return 0;
      }
      const st = await lc.clusterStatus(dir);
      if (!st) {
        process.stderr.write(`${dir}: no cluster here (keycast cluster up --dir ${dir} starts one)\n`);
        return 1;
      }
      if (argv.json) process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      else {
        process.stdout.write('node  address          pid      running  answering  state  slots  keys\n');
        st.nodes.forEach((n, i) => {
          process.stdout.write(
            `${String(i).padEnd(6)}${`${st.host}:${n.port}`.padEnd(17)}${String(n.pid).padEnd(9)}${String(n.running).padEnd(9)}${String(n.answering).padEnd(11)}${(n.clusterState ?? '-').padEnd(7)}${String(n.slots ?? '-').padEnd(7)}${n.keys ?? '-'}\n`,
          );
        });
      }
      return st.nodes.every((n) => n.answering) ? 0 : 1;
    } catch (err) {
      if (err instanceof lc.LocalClusterError) {
        process.stderr.write(`keycast cluster ${action}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};

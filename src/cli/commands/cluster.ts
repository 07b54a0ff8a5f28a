/**
 * `keycast cluster up|down|status|repair`: a local N-master Redis Cluster on loopback from the
 * installed `redis-server`, for `keycast live` and `keycast calibrate` (see
 * cluster-local.ts); `status` reports slots a killed run left open and `repair`
 * closes them (src/cluster/redis/slot-recovery.ts).
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
      .usage('keycast cluster up|down|status|repair [--dir DIR] [--masters N] [--port P] [--json]')
      .positional('action', {
        type: 'string',
        choices: ['up', 'down', 'status', 'repair'],
        describe: 'up: start N masters and join them; down: stop them and remove DIR; status: one line per node, and slots left open; repair: close slots a killed run left open',
      })
      .option('dir', { type: 'string', default: DEFAULT_DIR, describe: 'folder keycast owns for the nodes (config, append-only files, logs, PIDs)' })
      .option('masters', { type: 'string', default: '3', describe: 'up: number of masters' })
      .option('port', { type: 'string', default: '7000', describe: 'up: first port (node i listens on port + i, its cluster bus on port + i + 10000)' })
      .option('keep-data', { type: 'boolean', default: false, describe: 'down: stop the nodes but keep DIR' })
      .option('json', { type: 'boolean', default: false, describe: 'status: print JSON' }),
  run: async (argv) => {
    const lc = await import('./cluster-local.ts');
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
      if (action === 'repair') return await repair(dir, lc);
      const st = await lc.clusterStatus(dir);
      if (!st) {
        process.stderr.write(`${dir}: no cluster here (keycast cluster up --dir ${dir} starts one)\n`);
        return 1;
      }
      const open = [...new Set(st.nodes.flatMap((n) => n.openSlots ?? []))].sort((a, b) => a - b);
      if (argv.json) process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      else {
        process.stdout.write('node  address          pid      running  answering  state  slots  keys  open\n');
        st.nodes.forEach((n, i) => {
          process.stdout.write(
            `${String(i).padEnd(6)}${`${st.host}:${n.port}`.padEnd(17)}${String(n.pid).padEnd(9)}${String(n.running).padEnd(9)}${String(n.answering).padEnd(11)}${(n.clusterState ?? '-').padEnd(7)}${String(n.slots ?? '-').padEnd(7)}${String(n.keys ?? '-').padEnd(6)}${n.openSlots?.length ?? '-'}\n`,
          );
        });
      }
      if (open.length) {
        process.stderr.write(`${open.length} slot(s) left open (MIGRATING/IMPORTING) by a migration that never finished, e.g. a killed keycast live: ${open.slice(0, 8).join(', ')}${open.length > 8 ? ', …' : ''}\nclose them with: keycast cluster repair --dir ${dir}   (keycast live also does this when it starts)\n`);
        return 1;
      }
      return st.nodes.every((n) => n.answering) ? 0 : 1;
    } catch (err) {
      if (err instanceof lc.LocalClusterError) {
        process.stderr.write(`keycast cluster ${action}: ${err.message}\n`);
        return err.input ? 2 : 1;
      }
      throw err;
    }
  },
};

/** `cluster repair`: closes open slots (finished forward or closed in place, keys kept). */
async function repair(dir: string, lc: typeof import('./cluster-local.ts')): Promise<number> {
  const state = lc.readState(dir);
  if (!state) {
    process.stderr.write(`${dir}: no cluster here (keycast cluster up --dir ${dir} starts one)\n`);
    return 1;
  }
  const { repairCluster } = await import('../../cluster/redis/slot-recovery.ts');
  let closed: number[];
  try {
    closed = await repairCluster(state.ports.map((port) => ({ host: state.host, port })));
  } catch (err) {
    process.stderr.write(`keycast cluster repair: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(closed.length ? `cluster repair: closed ${closed.length} open slot(s) (${closed.slice(0, 8).join(', ')}${closed.length > 8 ? ', …' : ''}); keys a target held were moved back to the slot's owner\n` : 'cluster repair: no slot was open\n');
  return 0;
}

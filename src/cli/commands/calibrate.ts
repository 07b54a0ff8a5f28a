/**
 * `keycast calibrate --redis HOST:PORT[,…]`: measures a Redis Cluster's move durations against
 * range size, its cut-over and write latency under a move, and prints the scenario `cluster:`
 * fields that make the simulator reproduce the durations (src/experiment/calibrate.ts).
 */
import type { KeycastCommand } from '../command.ts';
import { InputError } from '../../model/errors.ts';
import { parseSeeds } from './live.ts';

export const calibrateCommand: KeycastCommand = {
  command: 'calibrate',
  describe: "measure a Redis Cluster's moves and print the scenario cluster: fields that reproduce them",
  builder: (y) =>
    y
      .usage('keycast calibrate --redis HOST:PORT[,…] [--sizes 1,10,100,300,1000] [--repeats N] [--out FILE.json] [--json]')
      .option('redis', { type: 'string', describe: 'masters of the cluster, HOST:PORT[,…] (at least 2 masters)' })
      .option('sizes', { type: 'string', default: '1,10,100,300,1000', describe: 'range sizes to measure, in slots' })
      .option('repeats', { type: 'string', default: '3', describe: 'samples per size and direction' })
      .option('keys-per-slot', { type: 'string', default: '100', describe: 'keys written into each filled slot that moves (100: one MIGRATE per slot, as a live run sends a bucket)' })
      .option('value-bytes', { type: 'string', default: '200', describe: 'bytes of each value' })
      .option('out', { type: 'string', describe: 'write the result as JSON (keycast live --calibration reads it)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out even if it is not a calibration keycast wrote' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON instead of a table' }),
  run: async (argv) => {
    const seeds = parseSeeds(argv.redis);
    const num = (name: string, min: number, max: number) => {
      const v = Number(argv[name]);
      if (!Number.isInteger(v) || v < min || v > max) throw new InputError([{ file: '<cli>', path: `--${name}`, message: `must be a whole number in ${min}..${max}, got '${String(argv[name])}'` }]);
      return v;
    };
    const sizes = String(argv.sizes).split(',').map((s) => Number(s.trim()));
    if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 4000)) throw new InputError([{ file: '<cli>', path: '--sizes', message: `must be whole numbers of slots in 1..4000, got '${String(argv.sizes)}'` }]);
    const repeats = num('repeats', 1, 50);
    const keysPerSlot = num('keys-per-slot', 0, 10_000);
    const valueBytes = num('value-bytes', 1, 1 << 20);
    const { calibrate } = await import('../../experiment/calibrate.ts');
    const json = argv.json as boolean;
    // Checked before minutes of measuring: the result overwrites only an earlier one.
    if (argv.out) (await import('../../io/atomic-dir.ts')).assertOutFile(String(argv.out), '--out', (h) => h.includes('"keysPerSlot"') && h.includes('"masters"'), Boolean(argv.force));
    const res = await calibrate({ seeds, sizes, repeats, keysPerSlot, valueBytes, onProgress: json ? undefined : (l) => process.stderr.write(l + '\n') });
    if (argv.out) {
      const { writeFileAtomic } = await import('../io.ts');
      writeFileAtomic(String(argv.out), JSON.stringify(res, null, 2) + '\n');
    }
    if (json) {
      process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      return 0;
    }
    const c = res.calibration;
    const lines = [
      `Moves on ${res.masters} masters, slots filled with ${res.keysPerSlot} keys of ${res.valueBytes} B or empty (medians of ${repeats} × 2 directions):`,
      '',
      '| slots | keys | bytes | measured ms | simulated ms | error |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...res.sizes.map((s) => `| ${s.slots} | ${s.filled ? res.keysPerSlot : 0}/slot | ${s.bytes} | ${s.measuredMs} | ${s.simulatedMs} | ${(s.relativeError * 100).toFixed(1)}% |`),
      '',
      `move bandwidth ${(c.moveBytesPerSec / 1024 / 1024).toFixed(2)} MB/s, fixed cost ${c.moveFixedMs} ms, per slot ${c.perSlotMs} ms, ${c.dataFixedMs ?? 0} ms more when the slots hold keys, cut-over (owner switch until all masters agree) ${c.cutoverMs} ms median`,
      `write latency p50/p99: idle ${res.latency.idle.p50Ms}/${res.latency.idle.p99Ms} ms (${res.latency.idle.writes} writes), during moves ${res.latency.duringMoves.p50Ms}/${res.latency.duringMoves.p99Ms} ms (${res.latency.duringMoves.writes} writes)`,
      '',
      'Scenario fields that reproduce these move durations in the simulator (movePerBucket for 256 buckets: per slot × 16384 / buckets; it takes time without pausing, as Redis does its per-slot work; moveDataSetup likewise, for a move that carries state):',
      `  ${res.scenarioFields}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return 0;
  },
};

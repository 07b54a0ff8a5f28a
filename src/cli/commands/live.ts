/**
 * `keycast live SCENARIO --redis HOST:PORT[,…]`: replays the scenario's workload as real writes
 * into a Redis Cluster, time-compressed into `--wall`, while one policy's KDP → PRE → APM
 * repartitions it live; writes a report folder (src/experiment/live.ts, live-report.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeycastCommand } from '../command.ts';
import { InputError, type Problem } from '../../model/errors.ts';
import { scenarioLoadOptions } from './scenario-options.ts';

/** Parses `HOST:PORT[,HOST:PORT…]`; problems are reported against `flag`. */
export function parseSeeds(text: unknown, flag = '--redis'): { host: string; port: number }[] {
  const problems: Problem[] = [];
  const seeds: { host: string; port: number }[] = [];
  const parts = typeof text === 'string' ? text.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (parts.length === 0) problems.push({ file: '<cli>', path: flag, message: 'give at least one HOST:PORT of the cluster (keycast cluster up prints them)' });
  for (const p of parts) {
    const m = /^([^:\s]+):(\d{1,5})$/.exec(p);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) problems.push({ file: '<cli>', path: flag, message: `'${p}' is not HOST:PORT` });
    else seeds.push({ host: m[1], port: Number(m[2]) });
  }
  if (problems.length) throw new InputError(problems);
  return seeds;
}

type Calibration = import('../../experiment/move-model.ts').Calibration;

/** The flags of `live` other than the scenario's; every problem at once (InputError, exit 2). */
function parseLiveFlags(argv: Record<string, unknown>, parseDuration: (s: string) => number | undefined) {
  const problems: Problem[] = [];
  let seeds: { host: string; port: number }[] = [];
  try {
    seeds = parseSeeds(argv.redis);
  } catch (e) {
    problems.push(...(e as InputError).problems);
  }
  const wallMs = parseDuration(String(argv.wall));
  if (wallMs === undefined || wallMs < 1000) problems.push({ file: '<cli>', path: '--wall', message: `should be a duration of at least 1s (e.g. 5m), not '${String(argv.wall)}'` });
  let rateScale: number | undefined;
  if (argv['rate-scale'] !== undefined) {
    rateScale = Number(argv['rate-scale']);
    if (!(rateScale > 0 && rateScale <= 1000)) problems.push({ file: '<cli>', path: '--rate-scale', message: `should be a number in (0, 1000], not '${String(argv['rate-scale'])}'` });
  }
  let calibration: Calibration | undefined;
  if (argv.calibration !== undefined) {
    try {
      const k = (JSON.parse(fs.readFileSync(String(argv.calibration), 'utf8')) as { calibration?: Calibration }).calibration;
      if (!k || !(k.moveBytesPerSec > 0) || !(k.moveFixedMs >= 0) || !(k.cutoverMs >= 0) || !((k.perSlotMs ?? 0) >= 0) || !((k.dataFixedMs ?? 0) >= 0)) throw new Error('no calibration { moveBytesPerSec, moveFixedMs, perSlotMs, cutoverMs } in it');
      calibration = k;
    } catch (e) {
      problems.push({ file: String(argv.calibration), path: 'calibration', message: (e as Error).message.split('\n')[0] });
    }
  }
  const pol = argv.policies as string | undefined;
  if (pol && pol.includes(',')) problems.push({ file: '<cli>', path: '--policies', message: 'live runs one policy: name one' });
  if (problems.length) throw new InputError(problems);
  return { seeds, wallMs: wallMs!, rateScale, calibration, pol };
}

/**
 * Ctrl-C or SIGTERM (`timeout`, a service manager) aborts the signal: the run stops the workload
 * and the policy, lets operations finish or cancels them (slots closed), checks the cluster and
 * writes the report. A second signal quits at once; slots then left open are closed by the next
 * live run or `keycast cluster repair`.
 */
function stopSignals(): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
    process.stderr.write(`\n${sig}: stopping, settling the cluster and writing the report (again to quit at once)\n`);
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export const liveCommand: KeycastCommand = {
  command: 'live <scenario>',
  describe: "run one policy live against a Redis Cluster: the scenario's workload as real writes, time-compressed",
  builder: (y) =>
    y
      .usage('keycast live SCENARIO --redis HOST:PORT[,…] [--policies NAME] [--wall D] [--rate-scale Y] [--calibration FILE] [--out DIR]')
      .positional('scenario', { type: 'string', describe: 'scenario YAML file' })
      .option('redis', { type: 'string', describe: 'masters of the cluster, HOST:PORT[,…] (keycast cluster up prints them)' })
      .option('policies', { type: 'string', describe: 'the policy to run (one of the scenario’s; default: predictive if it has one, else the first)' })
      .option('wall', { type: 'string', default: '5m', describe: 'wall-clock time the run lasts; the scenario’s duration is compressed into it' })
      .option('rate-scale', { type: 'string', describe: 'writes per scenario record (default: about 1000 writes/s on average)' })
      .option('calibration', { type: 'string', describe: 'calibration JSON from keycast calibrate --out: adds the simulated twin, side by side' })
      .option('out', { type: 'string', describe: 'report folder (default reports/<scenario name>-live/)' })
      .option('seed', { type: 'number', describe: "replace the scenario's seed" })
      .option('set', { type: 'string', array: true, describe: 'override any field: path=value (repeatable)' }),
  run: async (argv) => {
    const { loadScenario } = await import('../../io/load-scenario.ts');
    const { parseDuration } = await import('../../model/units.ts');
    const { runLive } = await import('../../experiment/live.ts');
    const { compareMoves, simulateTwin, liveSummary } = await import('../../experiment/live-report.ts');
    const { liveMarkdown, writeLiveReport } = await import('../../report/live-report.ts');
    const { writeDirAtomic, assertOutDir } = await import('../../io/atomic-dir.ts');
    const { version } = await import('../../api.ts');
    const { seeds, wallMs, rateScale, calibration, pol } = parseLiveFlags(argv, parseDuration);
    const loaded = loadScenario(argv.scenario as string, { ...scenarioLoadOptions({ ...argv, policies: undefined }) });
    const names = loaded.policies.map(([n]) => n);
    const policy = pol ?? (names.includes('predictive') ? 'predictive' : names[0]);
    if (!names.includes(policy)) throw new InputError([{ file: '<cli>', path: '--policies', message: `no policy '${policy}' in ${loaded.file} (has: ${names.join(', ')})` }]);
    const out = (argv.out as string | undefined) ?? path.join('reports', `${loaded.scenario.name}-live`);
    assertOutDir(out); // before a minute of live run, not after
    const { signal, release } = stopSignals();

    const tty = process.stderr.isTTY && !process.env.CI;
    try {
      const live = await runLive({
        loaded,
        policy,
        seeds,
        wallMs: wallMs!,
        rateScale,
        signal,
        onProgress: (f, line) => {
          if (tty) process.stderr.write(`\r\x1b[K${(f * 100).toFixed(0).padStart(3)}% ${line}`);
        },
        onStage: process.env.KEYCAST_DEBUG ? (what) => process.stderr.write(`live: ${what}\n`) : undefined,
        watchStrayRejections: (h) => {
          process.on('unhandledRejection', h);
          return () => process.off('unhandledRejection', h);
        },
      });
      if (tty) process.stderr.write('\n');
      if (live.repairedAtStart.length) process.stderr.write(`closed ${live.repairedAtStart.length} slot(s) an earlier run left open before starting\n`);
      const compared = calibration ? compareMoves(live, calibration) : [];
      const twin = calibration ? simulateTwin(loaded, policy, live, calibration) : undefined;
      const summary = liveSummary(loaded, policy, version(), live, calibration, twin, compared);
      writeDirAtomic(out, (tmp) => writeLiveReport(tmp, summary, live, compared));
      process.stdout.write(liveMarkdown(summary) + `\nReport: ${out}/summary.json\n`);
      return summary.writes.lost > 0 || summary.writes.misplaced > 0 || summary.writes.unread > 0 || !summary.consistency.mapEqualsClusterSlots ? 3 : 0;
    } finally {
      release();
    }
  },
};

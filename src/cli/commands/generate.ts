/** `keycast generate SCENARIO --format records|counts`: write a scenario's workload as CSV. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import * as zlibModule from 'node:zlib';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { KeycastCommand } from '../command.ts';
import { InputError, KeycastError, allProblems } from '../../model/errors.ts';
import { removeStaleSiblings } from '../../io/atomic-dir.ts';
import type { LoadOptions } from '../../scenario/load.ts';

export const generateCommand: KeycastCommand = {
  command: 'generate <scenario>',
  describe: "write a scenario's workload as CSV: one row per record, or counts per window and bucket",
  builder: (y) =>
    y
      .usage(
        'keycast generate SCENARIO --format records|counts [--out FILE] [--duration D] [--window W]\n\n' +
          'records: timeMs,key,bucket (one row per record, in time order, then bucket).\n' +
          'counts:  windowStartMs,bucket,count (zero counts omitted).\n' +
          'The counts are those `keycast run` simulates for the same seed. gzip when FILE ends in .gz.',
      )
      .positional('scenario', { type: 'string', describe: 'scenario YAML file' })
      .option('format', { choices: ['records', 'counts'] as const, demandOption: true, describe: 'what to write' })
      .option('out', { type: 'string', describe: 'output file (default stdout); .gz compresses' })
      .option('duration', { type: 'string', describe: "simulated time to generate (default: the scenario's duration)" })
      .option('window', { type: 'string', describe: 'window of --format counts (default 1m; a whole number of the scenario\'s ticks)' })
      .option('seed', { type: 'number', describe: "replace the scenario's seed" })
      .option('set', { type: 'string', array: true, describe: 'override any field: path=value (repeatable)' })
      .option('skip-bad-rows', { type: 'boolean', default: false, describe: 'trace replay: skip malformed rows (their count goes to stderr)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out even if it is not a file keycast generated' }),
  run: async (argv) => {
    const { scenarioLoadOptions } = await import('./scenario-options.ts');
    const { parseDuration } = await import('../../model/units.ts');
    const dur = (name: string): number | undefined => {
      const v = argv[name] as string | undefined;
      if (v === undefined) return undefined;
      const ms = parseDuration(v);
      if (ms === undefined) throw new InputError([{ file: '<cli>', path: `--${name}`, message: `not a duration: '${v}' (use a number with a unit ms, s, m, h or d)` }]);
      if (!(ms > 0)) throw new InputError([{ file: '<cli>', path: `--${name}`, message: `must be longer than 0, got '${v}'` }]);
      return ms;
    };
    const [durationMs, windowMs] = allProblems(
      () => dur('duration'),
      () => {
        if (argv.window !== undefined && argv.format === 'records') throw new InputError([{ file: '<cli>', path: '--window', message: 'applies to --format counts only (records carry their own times)' }]);
        return dur('window');
      },
    );
    let res;
    try {
      res = await generateFile(argv.scenario as string, {
      ...scenarioLoadOptions({ seed: argv.seed, set: argv.set }),
      format: argv.format as 'records' | 'counts',
      out: argv.out as string | undefined,
      force: argv.force as boolean,
      durationMs,
      windowMs,
      skipBadRows: argv['skip-bad-rows'] as boolean,
      });
    } catch (err) {
      if (err instanceof StdoutClosed) return 0;
      throw err;
    }
    if (argv.out) process.stderr.write(`generate: ${res.rows} rows, ${res.records} records → ${argv.out as string}\n`);
    if (res.badRows > 0) process.stderr.write(`generate: skipped ${res.badRows} bad rows\n`);
    return 0;
  },
};

/** Options of `generateFile`. */
export interface GenerateFileOptions extends LoadOptions {
  readonly format: 'records' | 'counts';
  /** Output file (gzip when it ends in `.gz`); stdout when absent. */
  readonly out?: string;
  /** Overwrite `out` even if it is not a file keycast generated. */
  readonly force?: boolean;
  /** Overrides the scenario's duration (ms). */
  readonly durationMs?: number;
  /** Window of `counts` (ms), default 1 minute. */
  readonly windowMs?: number;
  readonly skipBadRows?: boolean;
}

/**
 * The whole of `keycast generate`, callable from code: loads the scenario, builds its workload
 * exactly as `run` does (same seed, same random streams) and streams CSV to `out`. A file is
 * written through a temporary sibling and renamed at the end, so a failed run leaves none.
 */
export async function generateFile(scenarioFile: string, opts: GenerateFileOptions): Promise<{ rows: number; records: number; badRows: number }> {
  const { loadScenario } = await import('../../io/load-scenario.ts');
  const { makeWorkload } = await import('../../experiment/run.ts');
  const { RandomSource } = await import('../../engine/random.ts');
  const { generateWorkload, keyPickerFor, GENERATED_HEADERS } = await import('../../workload/generate.ts');
  const { assertOutFile } = await import('../../io/atomic-dir.ts');
  if (opts.out !== undefined) assertOutFile(opts.out, '--out', (head) => GENERATED_HEADERS.some((h) => csvHead(head).startsWith(h)), opts.force);
  const loaded = loadScenario(scenarioFile, opts);
  const sc = loaded.scenario;
  // A window holds whole ticks: one that is not a multiple of the tick would take 1 or 2 ticks in turn.
  const windowMs = opts.windowMs ?? 60_000;
  if (opts.format === 'counts' && windowMs % sc.tick !== 0) {
    throw new InputError([{ file: '<cli>', path: '--window', message: `${windowMs} ms${opts.windowMs === undefined ? ' (the default)' : ''} is not a whole number of the scenario's ${sc.tick} ms ticks (counts are summed over whole ticks)` }]);
  }
  const random = new RandomSource(sc.seed);
  const records = opts.format === 'records';
  const workload = makeWorkload(loaded, random, { skipBadRows: opts.skipBadRows, keepKeyWeights: records });
  const picker = records ? { keys: keyPickerFor(workload, sc.keyspace, random), times: random.fork('workload/record-times') } : undefined;
  const sink = openSink(opts.out);
  try {
    const res = await generateWorkload(workload, { format: opts.format, durationMs: opts.durationMs ?? sc.duration, windowMs }, sink, picker);
    await sink.close();
    return { rows: res.rows, records: res.records, badRows: workload.badRows };
  } catch (err) {
    sink.abort();
    throw err;
  } finally {
    (workload as { close?: () => void }).close?.();
  }
}

/** The text at the start of a file's first bytes `head` (latin1), gunzipped when they are gzip. */
function csvHead(head: string): string {
  if (!head.startsWith('\x1f\x8b')) return head;
  try {
    return zlibModule.gunzipSync(Buffer.from(head, 'latin1'), { finishFlush: zlibModule.constants.Z_SYNC_FLUSH }).toString('utf8');
  } catch {
    return '';
  }
}

interface Sink {
  write(s: string): Promise<void> | void;
  close(): Promise<void>;
  abort(): void;
}

/** Stops quietly when a reader of stdout goes away (`keycast generate … | head`). */
class StdoutClosed extends KeycastError {
  constructor() {
    super('STDOUT_CLOSED', 'the reader of stdout went away');
  }
}

function openSink(out: string | undefined): Sink {
  if (!out) {
    let closed = false;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') closed = true;
    });
    return {
      write: async (s) => {
        if (closed) throw new StdoutClosed();
        if (!process.stdout.write(s)) {
          try {
            await once(process.stdout, 'drain');
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new StdoutClosed();
            throw e;
          }
        }
      },
      close: async () => {},
      abort: () => {},
    };
  }
  const dir = path.dirname(path.resolve(out));
  fs.mkdirSync(dir, { recursive: true });
  removeStaleSiblings(out);
  const tmp = path.join(dir, `.${path.basename(out)}.tmp-${process.pid}`);
  const file = fs.createWriteStream(tmp);
  let head: Writable = file;
  if (out.endsWith('.gz')) {
    const gz = zlibModule.createGzip({ level: 6 });
    gz.pipe(file);
    head = gz;
  }
  return {
    write: async (s) => {
      if (!head.write(s)) await once(head, 'drain');
    },
    close: async () => {
      head.end();
      await finished(file);
      fs.renameSync(tmp, out);
    },
    abort: () => {
      head.destroy();
      file.destroy();
      fs.rmSync(tmp, { force: true });
    },
  };
}

/**
 * The keycast CLI: a thin yargs shell over the library API. Each command lives in
 * `commands/<name>.ts` and imports its heavy modules lazily inside its handler, so a command loads
 * only what it uses (bin/keycast's build keeps them apart as chunks). Errors become exit codes
 * (see exit-codes.ts); no stack traces.
 */
import yargs, { type CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { KeycastError } from '../model/errors.ts';
import { ExitCode } from './exit-codes.ts';
import { reportError } from './io.ts';
import { InputError, type Problem } from '../model/errors.ts';
import { commands } from './commands/index.ts';

/** Version from package.json. */
export function keycastVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export type { CommandResult, KeycastCommand } from './command.ts';
export { useLaneWorkerScript } from '../io/lane-threads.ts';
export { useTaskWorkerScripts } from '../io/task-threads.ts';

/** Runs the CLI on `args` and resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  readerMayLeave(process.stdout);
  readerMayLeave(process.stderr);
  const cli = yargs(args)
    .scriptName('keycast')
    .usage('keycast <command> [options]\n\nWhat-if testbed for predictive repartitioning of keyed streams.')
    .version(keycastVersion())
    .strict()
    .parserConfiguration({ 'camel-case-expansion': false })
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      // Throwing stops yargs: without it, the handler would still run after a usage error.
      throw err ?? new UsageError(msg ?? 'invalid command line');
    });
  for (const c of commands) {
    const mod: CommandModule = {
      command: c.command,
      describe: c.describe,
      builder: c.builder as CommandModule['builder'],
      handler: async (argv) => {
        try {
          repeatedFlags(argv, new Set((cli as unknown as { getOptions(): { array: string[] } }).getOptions().array));
          code = await c.run(argv as Record<string, unknown>);
        } catch (err) {
          code = reportError(err);
        }
      },
    };
    cli.command(mod);
  }
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof UsageError) {
      // yargs gives "Invalid values:" then one indented line per value: one line per problem, each under its heading.
      const lines = err.message.split('\n').map((l) => l.trim()).filter(Boolean);
      const head = lines.length > 1 && lines[0].endsWith(':') ? `${lines.shift()} ` : '';
      for (const l of lines) process.stderr.write(`<cli>: ${head}${l} (see keycast --help)\n`);
      return ExitCode.badInput;
    }
    return reportError(err);
  }
  return code;
}

/**
 * A reader that stops reading (`keycast sweep … | head -1`) closes the pipe: later writes fail
 * with EPIPE, which Node would throw as an unhandled 'error' event with a stack trace. The
 * command then goes on and finishes its files (a run's folder is still written whole); only what
 * it prints is lost, as the reader asked. `generate`, whose output is the pipe, stops by itself.
 */
function readerMayLeave(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

/** A command-line usage error (unknown flag, missing argument): exit 2. */
export class UsageError extends KeycastError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/**
 * A single-valued flag given more than once (`--out a --out b`) is a usage error naming the
 * flag: yargs would hand the command an array where it expects one value.
 */
function repeatedFlags(argv: Record<string, unknown>, arrays: ReadonlySet<string>): void {
  const problems: Problem[] = [];
  for (const [k, v] of Object.entries(argv)) {
    if (k === '_' || k === '$0' || arrays.has(k) || !Array.isArray(v)) continue;
    problems.push({ file: '<cli>', path: `--${k}`, message: `given ${v.length} times (${v.map(String).join(', ')}): give it once` });
  }
  if (problems.length) throw new InputError(problems);
}

/**
 * The keycast CLI: a thin yargs shell over the library API. Each command lives in
 * `commands/<name>.ts` and imports its heavy modules lazily inside its handler, so `--help` and
 * `--version` start fast. Errors become exit codes (see exit-codes.ts); no stack traces.
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { ExitCode } from './exit-codes.ts';
import { reportError } from './io.ts';
import { commands } from './commands/index.ts';

/** Version from package.json. */
export function keycastVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A command's handler result: the process exit code. */
export type CommandResult = Promise<number>;

/** Defines a command whose handler returns an exit code. */
export interface KeycastCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  run: (argv: Record<string, unknown>) => CommandResult;
}

/** Runs the CLI on `args` and resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  let failed = false;
  const cli = yargs(args)
    .scriptName('keycast')
    .usage('keycast <command> [options]\n\nWhat-if testbed for predictive repartitioning of keyed streams.')
    .version(keycastVersion())
    .strict()
    .demandCommand(1, 'name a command (see keycast --help)')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      failed = true;
      if (err) {
        code = reportError(err);
        return;
      }
      process.stderr.write(`<cli>: ${(msg ?? 'invalid command line').replace(/\n/g, '; ')}\n`);
      code = ExitCode.badInput;
    });
  for (const c of commands) {
    const mod: CommandModule = {
      command: c.command,
      describe: c.describe,
      builder: c.builder as CommandModule['builder'],
      handler: async (argv) => {
        try {
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
    if (!failed) code = reportError(err);
  }
  return code;
}

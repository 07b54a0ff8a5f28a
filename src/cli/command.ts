/**
 * What a command of the CLI is (commands/*.ts each export one; main.ts registers them with yargs):
 * a yargs command whose handler resolves to the process exit code. In its own file so that the
 * commands and main.ts do not import each other.
 */
import type { Argv } from 'yargs';

/** A command's handler result: the process exit code. */
export type CommandResult = Promise<number>;

/** Defines a command whose handler returns an exit code. */
export interface KeycastCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  run: (argv: Record<string, unknown>) => CommandResult;
}

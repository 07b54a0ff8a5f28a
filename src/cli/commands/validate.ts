/**
 * `keycast validate FILE...`: checks scenario files, reporting every problem of every file — the
 * values of a scenario's `sweep.grid` too, as `keycast sweep` checks them, so that a file
 * validate calls ok is one that sweep runs.
 */
import type { KeycastCommand } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { InputError } from '../../model/errors.ts';

export const validateCommand: KeycastCommand = {
  command: 'validate <files..>',
  describe: 'check scenario files; exit 2 if any is invalid',
  builder: (y) =>
    y
      .usage('keycast validate FILE...\n\nChecks each scenario file (its sweep grid values included) and prints every problem as FILE:LINE:COL field.path: message.')
      .positional('files', { type: 'string', array: true, describe: 'scenario files' })
      .option('set', { type: 'string', array: true, describe: 'override a field: path=value (repeatable)' }),
  run: async (argv) => {
    const { loadScenario } = await import('../../io/load-scenario.ts');
    const { gridProblems } = await import('../../experiment/sweep.ts');
    const { reportError } = await import('../io.ts');
    let code: number = ExitCode.ok;
    for (const f of argv.files as string[]) {
      try {
        const opts = { sets: (argv.set as string[] | undefined) ?? [] };
        const s = loadScenario(f, opts);
        const problems = gridProblems(f, s, loadScenario, opts);
        if (problems.length) throw new InputError(problems);
        process.stdout.write(`ok  ${f} (${s.scenario.name}; policies: ${s.policies.map(([n]) => n).join(', ')})\n`);
      } catch (err) {
        code = Math.max(code, reportError(err));
      }
    }
    return code;
  },
};

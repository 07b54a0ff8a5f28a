/** `keycast schema`: prints the JSON Schema of scenario files. */
import type { KeycastCommand } from '../command.ts';

export const schemaCommand: KeycastCommand = {
  command: 'schema',
  describe: 'print the JSON Schema of scenario files (for editor completion and checking)',
  builder: (y) => y.usage('keycast schema\n\nPrints the JSON Schema (2020-12) of scenario files on stdout.'),
  run: async () => {
    const { scenarioJsonSchema } = await import('../../scenario/schema.ts');
    process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    return 0;
  },
};

/** `keycast merge DIR... --out DIR`: combines sweep shards into exactly the unsharded result. */
import type { KeycastCommand } from '../command.ts';

export const mergeCommand: KeycastCommand = {
  command: 'merge <dirs..>',
  describe: 'merge sweep shard folders into the unsharded results (exit 2 if they are not the shards of one sweep)',
  builder: (y) =>
    y
      .usage('keycast merge DIR... --out DIR [--force]')
      .positional('dirs', { type: 'string', array: true, describe: 'shard output folders' })
      .option('out', { type: 'string', demandOption: true, describe: 'merged output folder' })
      .option('force', { type: 'boolean', default: false, describe: 'replace --out even if it is not a keycast output folder (deletes what is there)' }),
  run: async (argv) => {
    const { mergeShards } = await import('../../experiment/run-sweep.ts');
    const { assertOutDir } = await import('../../io/atomic-dir.ts');
    const { readSweepShards, writeSweepDir } = await import('../../io/sweep-dir.ts');
    const out = argv.out as string;
    const force = argv.force as boolean;
    const path = await import('node:path');
    const { InputError } = await import('../../model/errors.ts');
    // Replacing a shard, or a folder holding one, would lose it even with --force: refuse.
    const fs = await import('node:fs');
    const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
    const o = real(out);
    const inside = (argv.dirs as string[]).find((d) => {
      const rel = path.relative(o, real(d));
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
    if (inside !== undefined) throw new InputError([{ file: '<cli>', path: '--out', message: `${out} is or holds ${inside}, a shard being merged: name another folder` }]);
    assertOutDir(out, { force });
    const { manifest: m, text } = mergeShards(readSweepShards(argv.dirs as string[]));
    writeSweepDir(out, m, text, 'results.csv', force);
    process.stdout.write(`merged ${(argv.dirs as string[]).length} shard(s), ${m.total} runs → ${argv.out}\n`);
    return 0;
  },
};

/**
 * `keycast report DIR`: re-render a run's report pages from its data, without re-running. The
 * folder's `.keycast-output` marker says which files the run wrote: each must still be there.
 */
import type { KeycastCommand } from '../command.ts';

export const reportCommand: KeycastCommand = {
  command: 'report <dir>',
  describe: "re-render a run folder's index.html and summary.md from its data files",
  builder: (y) => y.usage('keycast report DIR').positional('dir', { type: 'string', describe: 'a keycast run folder' }),
  run: async (argv) => {
    const { rerenderReport } = await import('../../report/rerender.ts');
    const { listedPaths } = await import('../../io/output-marker.ts');
    const dir = argv.dir as string;
    const r = rerenderReport(dir, listedPaths(dir));
    process.stdout.write(`re-rendered ${r.files.join(', ')} in ${dir}\n`);
    return 0;
  },
};

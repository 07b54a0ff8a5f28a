/**
 * `keycast anomalies --input FILE.csv [--time COL --value COL] [--season DURATION] [--threshold Z]
 * --out FILE.csv`: online anomaly scores per row (`timestamp,score,anomaly`); a row's score uses
 * only the rows up to it, so truncating the input never changes earlier rows.
 */
import type { KeycastCommand } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';

export const anomaliesCommand: KeycastCommand = {
  command: 'anomalies',
  describe: 'score each row of a time series online and flag anomalies (timestamp,score,anomaly)',
  builder: (y) =>
    y
      .usage('keycast anomalies --input FILE.csv [--time COL --value COL] [--season 1d] [--threshold 6] --out FILE.csv\n\nWrites timestamp,score,anomaly (0/1), one row per input row.')
      .option('input', { type: 'string', demandOption: true, describe: 'CSV with a header row' })
      .option('time', { type: 'string', default: 'timestamp', describe: 'time column (ISO, zone-less = UTC, or epoch s/ms)' })
      .option('value', { type: 'string', default: 'value', describe: 'value column' })
      .option('season', { type: 'string', default: '1d', describe: 'seasonal period (duration with unit; 0 for none)' })
      .option('threshold', { type: 'number', default: 6, describe: 'score at or above which a row is an anomaly' })
      .option('out', { type: 'string', demandOption: true, describe: 'output CSV file' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out even if it is not a scores file keycast wrote' }),
  run: async (argv) => runAnomalies(argv),
};

/** The command's work, callable from tests without yargs. Returns the exit code (bad input throws `InputError`). */
export async function runAnomalies(argv: Record<string, unknown>): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const { InputError, gather } = await import('../../model/errors.ts');
  const { writeFileAtomic } = await import('../io.ts');
  const { parseDuration } = await import('../../model/units.ts');
  const { parseTimedCsv, fmt, OnlineAnomalyDetector } = await import('../../profiler/cli-support.ts');
  const file = String(argv.input);
  const problems: { file: string; path: string; message: string }[] = [];
  const { assertOutFile } = await import('../../io/atomic-dir.ts');
  gather(problems, () => assertOutFile(String(argv.out), '--out', (h) => h.startsWith('timestamp,score,anomaly'), Boolean(argv.force)));
  const seasonText = String(argv.season ?? '1d');
  const seasonMs = seasonText === '0' ? 0 : parseDuration(seasonText);
  if (seasonMs === undefined) problems.push({ file: '<cli>', path: 'season', message: `not a duration: '${seasonText}' (e.g. 1d, 12h, 0 for none)` });
  const threshold = Number(argv.threshold ?? 6);
  if (!(threshold > 0)) problems.push({ file: '<cli>', path: 'threshold', message: `must be a positive number, got '${String(argv.threshold)}'` });
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    problems.push({ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
  }
  if (problems.length) throw new InputError(problems);
  const rows = parseTimedCsv(text, file, String(argv.time ?? 'timestamp'), String(argv.value ?? 'value'));
  // Nothing to score (a header alone) is bad input, as `forecast` has it: no scores file is written.
  if (rows.length === 0) throw new InputError([{ file, path: '', message: 'no rows to score (a header alone)' }]);
  const det = new OnlineAnomalyDetector({ seasonMs, threshold });
  const out = ['timestamp,score,anomaly'];
  let flagged = 0;
  let first = '';
  for (const r of rows) {
    const s = det.push(r.timeMs, r.value);
    if (s.anomaly && flagged++ === 0) first = r.stamp;
    const stamp = /[",\n]/.test(r.stamp) ? `"${r.stamp.replace(/"/g, '""')}"` : r.stamp;
    out.push(`${stamp},${fmt(Number(s.score.toFixed(4)))},${s.anomaly ? 1 : 0}`);
  }
  writeFileAtomic(String(argv.out), out.join('\n') + '\n');
  process.stdout.write(`${flagged} of ${rows.length} row(s) flagged as anomalies (score ≥ ${threshold})${flagged ? `, the first at ${first}` : ''} → ${String(argv.out)}\n`);
  return ExitCode.ok;
}

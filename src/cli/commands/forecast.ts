/**
 * `keycast forecast --input FILE.csv --horizon H --season S[,S2] [--models auto|a,b] [--quantiles]
 * [--seed N] --out FILE.csv`: forecasts every series of a user's file with the KDP's models and
 * dynamic model choice (see docs/profiler.md). Output header `id,F1..FH` (with `--quantiles` also
 * `F1_p10,F1_p90,…,FH_p10,FH_p90`), one row per input series in input order. Long-format input
 * (id,time,value) with regular times also gets `FILE.long.csv`: id,time,forecast(,p10,p90) with
 * the forecast windows' times; times that do not parse, go back or repeat within a series are bad
 * input, and a series whose times increase unevenly is forecast but gets no `.long.csv` (its next
 * times are unknown; README promises the file for regular times only), which the command says.
 * Prints per series the model chosen and its backtest error.
 */
import type { KeycastCommand } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';

export const forecastCommand: KeycastCommand = {
  command: 'forecast',
  describe: 'forecast each series of a CSV file (M4 wide or id,time,value long format)',
  builder: (y) =>
    y
      .usage(
        'keycast forecast --input FILE.csv --horizon H --season S[,S2] [--models auto|a,b] [--quantiles] [--seed N] --out FILE.csv\n\n' +
          'Input: a header id,time,value means long format (times increasing within each series; evenly spaced ones also get FILE.long.csv with the forecast times); anything else is the M4 wide format (id, then values; ragged rows and quoted fields allowed).\n' +
          'H and S count points. Models: seasonal-naive ets arima mstl prophet lstm ensemble auto; several names = choose among them by backtest.',
      )
      .option('input', { type: 'string', demandOption: true, describe: 'series file (CSV)' })
      .option('horizon', { type: 'number', demandOption: true, describe: 'points to forecast' })
      .option('season', { type: 'string', default: '1', describe: 'seasonal period(s) in points, primary first (e.g. 24,168)' })
      .option('models', { type: 'string', default: 'auto', describe: 'auto, one model, or a comma list to choose among' })
      .option('quantiles', { type: 'boolean', default: false, describe: 'add F<i>_p10 and F<i>_p90 columns' })
      .option('seed', { type: 'number', default: 1, describe: 'seed for models that draw (lstm)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output CSV file' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out even if it is not a forecast file keycast wrote' }),
  run: async (argv) => runForecast(argv),
};

/** The command's work, callable from tests without yargs. Returns the exit code (bad input throws `InputError`). */
export async function runForecast(argv: Record<string, unknown>): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const { InputError, gather } = await import('../../model/errors.ts');
  const { writeFileAtomic } = await import('../io.ts');
  const { parseSeriesCsv, fmt, forecastSeries, isModelName, MODEL_NAMES, nextTimes } = await import('../../profiler/cli-support.ts');
  const { RandomSource } = await import('../../engine/random.ts');
  const file = String(argv.input);
  const problems: { file: string; path: string; message: string }[] = [];
  const horizon = Number(argv.horizon);
  if (!Number.isInteger(horizon) || horizon < 1) problems.push({ file: '<cli>', path: 'horizon', message: `must be a whole number ≥ 1, got '${String(argv.horizon)}'` });
  const seasons = String(argv.season ?? '1').split(',').map((s) => Number(s.trim()));
  if (seasons.some((s) => !Number.isInteger(s) || s < 1)) problems.push({ file: '<cli>', path: 'season', message: `must be whole numbers ≥ 1 separated by commas, got '${String(argv.season)}'` });
  const models = String(argv.models ?? 'auto').split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of models) if (!isModelName(m)) problems.push({ file: '<cli>', path: 'models', message: `unknown model '${m}' (one of ${MODEL_NAMES.join(', ')})` });
  const seed = Number(argv.seed ?? 1);
  // Its outputs overwrite only forecast files (never the input or another file of the user's).
  const { assertOutFile } = await import('../../io/atomic-dir.ts');
  const longOut = String(argv.out).replace(/(\.csv)?$/i, '.long.csv');
  gather(problems, () => assertOutFile(String(argv.out), '--out', (h) => h.startsWith('id,F1'), Boolean(argv.force)));
  gather(problems, () => assertOutFile(longOut, '--out', (h) => h.startsWith('id,time,forecast'), Boolean(argv.force)));
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    problems.push({ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
  }
  if (problems.length) throw new InputError(problems);
  const series = parseSeriesCsv(text, file);
  const quantiles = Boolean(argv.quantiles);
  const root = new RandomSource(Number.isFinite(seed) ? seed : 1);
  const head = ['id'];
  for (let i = 1; i <= horizon; i++) head.push(`F${i}`);
  if (quantiles) for (let i = 1; i <= horizon; i++) head.push(`F${i}_p10`, `F${i}_p90`);
  const out: string[] = [head.join(',')];
  const chosen: { id: string; model: string; smape?: number; mase?: number }[] = [];
  // Long input with times: also the long format with the forecast windows' times (`<out>.long.csv`).
  const long: string[] | null = series.every((s) => s.times) ? [`id,time,forecast${quantiles ? ',p10,p90' : ''}`] : null;
  let timed = long !== null;
  let untimed: (typeof series)[number] | undefined;
  for (const s of series) {
    const f = forecastSeries(s.values, { horizon, seasons, models: models.filter(isModelName), quantiles, rng: root.fork(`forecast/${s.id}`) });
    chosen.push({ id: s.id, model: f.model, smape: f.backtest?.smape, mase: f.backtest?.mase });
    const times = timed && s.times ? nextTimes(s.times, horizon) : null;
    if (!times && timed) untimed = s;
    if (!times) timed = false;
    else for (let i = 0; i < horizon; i++) long!.push([csvField(s.id), csvField(times[i]), fmt(f.mean[i]), ...(quantiles && f.p10 && f.p90 ? [fmt(f.p10[i]), fmt(f.p90[i])] : [])].join(','));
    const row = [csvField(s.id), ...Array.from(f.mean, fmt)];
    if (quantiles && f.p10 && f.p90) for (let i = 0; i < horizon; i++) row.push(fmt(f.p10[i]), fmt(f.p90[i]));
    out.push(row.join(','));
  }
  writeFileAtomic(String(argv.out), out.join('\n') + '\n');
  const longFile = String(argv.out).replace(/(\.csv)?$/i, '.long.csv');
  if (timed && long) writeFileAtomic(longFile, long.join('\n') + '\n');
  process.stdout.write(forecastReport(chosen, String(argv.out)) + (timed ? `with the times: ${longFile} (id,time,forecast${quantiles ? ',p10,p90' : ''})\n` : ''));
  if (untimed) process.stdout.write(`no ${longFile}: series '${untimed.id}' (line ${untimed.line}) ${untimed.times!.length < 2 ? 'has fewer than two times' : 'has unevenly spaced times'}, so its next times are unknown (written only for regular times)\n`);
  return ExitCode.ok;
}

/**
 * What `forecast` prints: per series the model chosen and its backtest error (sMAPE in %, MASE),
 * the first 20 series then a count per model, and where the forecasts went. sMAPE is in percent
 * (0–200), averaged over the backtest origins.
 */
export function forecastReport(rows: readonly { id: string; model: string; smape?: number; mase?: number }[], out: string): string {
  const shown = rows.slice(0, 20);
  const cells = shown.map((r) => [r.id, r.model, r.smape === undefined ? 'no backtest' : `${r.smape.toFixed(2)}%`, r.mase === undefined ? '' : r.mase.toFixed(3)]);
  const head = ['series', 'model', 'backtest sMAPE', 'MASE'];
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 2 ? x.padStart(w[i]) : x.padEnd(w[i]))).join('  ').trimEnd();
  const lines = [line(head), ...cells.map(line)];
  if (rows.length > shown.length) lines.push(`… and ${rows.length - shown.length} more series`);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.model, (counts.get(r.model) ?? 0) + 1);
  const withBt = rows.filter((r) => r.smape !== undefined);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  lines.push('', `models chosen: ${[...counts.entries()].map(([m, n]) => `${m} ${n}`).join(', ')}`);
  if (withBt.length) lines.push(`mean backtest sMAPE ${mean(withBt.map((r) => r.smape!)).toFixed(2)}%, MASE ${mean(withBt.map((r) => r.mase!)).toFixed(3)} over ${withBt.length} series`);
  lines.push(`${rows.length} forecast(s) → ${out}`);
  return lines.join('\n') + '\n';
}

/** Quotes a CSV field when it needs it. */
function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * `npm run study [-- --only NAME[,NAME]] [-- --seeds N] [-- --thresholds 0.02,0.05,0.1,0.2|none]
 * [-- --budgets 0.03,0.1|none] [-- --set path=value]... [-- --dir scenarios/study] [-- --out study]
 * [-- --workers N] [-- --worker-heap MB]`: runs every scenario of `scenarios/study/` over its seeds (`seeds:`, or
 * `--seeds`) and the aggressiveness sweep (src/study.ts), and writes
 * `study/results.json` (`{ command, entries: StudyEntry[] }`) and `study/index.html`
 * (src/report/study-report.ts); each scenario's first-seed report goes to `study/runs/<name>/`.
 * Results are deterministic; wall-clock reads here only time the run. Bad flags: exit 2, one line
 * each, nothing written.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, type Problem } from '../src/model/errors.ts';
import { DEFAULT_BUDGETS, DEFAULT_THRESHOLDS, runStudy, studyFiles, type StudyOptions } from '../src/study.ts';
import { studyHtml } from '../src/report/study-report.ts';
import { ensureOutputParent } from '../src/io/atomic-dir.ts';
import { reportError, writeFileAtomic } from '../src/cli/io.ts';
import type { StudyEntry } from '../src/experiment/study.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The flags, every problem at once (exit 2). */
export function studyArgs(argv: readonly string[]): StudyOptions & { only: string[] } {
  const problems: Problem[] = [];
  const bad = (flag: string, message: string) => problems.push({ file: '<cli>', path: flag, message });
  const o = { only: [] as string[], sets: [] as string[], seeds: undefined as number | undefined, thresholds: DEFAULT_THRESHOLDS, budgets: DEFAULT_BUDGETS, dir: path.join(root, 'scenarios', 'study'), out: path.join(root, 'study'), workers: undefined as number | undefined, workerHeapMb: undefined as number | undefined };
  const fractions = (flag: string, t: string): number[] => {
    if (t === 'none') return [];
    const xs = t.split(',').map(Number);
    if (xs.some((x) => !(x > 0 && x <= 1))) bad(flag, `'${t}' should be fractions in (0, 1], comma-separated, or none`);
    return xs;
  };
  const count = (flag: string, t: string): number | undefined => {
    const n = Number(t);
    if (!(Number.isInteger(n) && n >= 1)) bad(flag, `'${t}' should be a positive integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (!['--only', '--set', '--seeds', '--thresholds', '--budgets', '--dir', '--out', '--workers', '--worker-heap'].includes(a)) {
      bad(a, 'unknown flag (try --only, --seeds, --thresholds, --budgets, --set, --dir, --out, --workers, --worker-heap)');
      continue;
    }
    i++;
    if (v === undefined) {
      bad(a, 'needs a value');
      break;
    }
    if (a === '--only') o.only.push(...v.split(','));
    else if (a === '--set') o.sets.push(v);
    else if (a === '--seeds') o.seeds = count(a, v);
    else if (a === '--thresholds') o.thresholds = fractions(a, v);
    else if (a === '--budgets') o.budgets = fractions(a, v);
    else if (a === '--dir') o.dir = path.resolve(v);
    else if (a === '--out') o.out = path.resolve(v);
    else if (a === '--workers') o.workers = count(a, v);
    else if (!/^\d+$/.test(v) || (Number(v) > 0 && Number(v) < 128)) bad(a, `'${v}' should be a heap size in MB (at least 128), or 0 for V8's own limit`);
    else o.workerHeapMb = Number(v);
  }
  try {
    const names = studyFiles(o.dir).map((f) => path.basename(f, '.yaml'));
    for (const n of o.only) if (!names.includes(n)) bad('--only', `no scenario ${n} in ${o.dir} (there: ${names.join(', ')})`);
  } catch {
    bad('--dir', `${o.dir} is not a readable folder`);
  }
  if (problems.length) throw new InputError(problems);
  return o;
}

async function main(): Promise<void> {
  const o = studyArgs(process.argv.slice(2));
  ensureOutputParent(o.out); // refuses a folder that is not a keycast output
  const log = (line: string) => process.stderr.write(line + '\n');
  const t0 = performance.now(); // clock-ok: timing the run only
  const entries: StudyEntry[] = await runStudy(studyFiles(o.dir, o.only), { ...o, log }, (file) => path.relative(root, file));
  const seconds = Math.round((performance.now() - t0) / 1000); // clock-ok
  const command = ['npm run study', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  writeFileAtomic(path.join(o.out, 'results.json'), JSON.stringify({ command, entries }, null, 2) + '\n');
  writeFileAtomic(path.join(o.out, 'index.html'), studyHtml(entries, command));
  log(`study: ${entries.length} scenario(s) in ${seconds} s → ${path.join(o.out, 'index.html')}`);
  for (const e of entries) for (const v of e.verdicts) process.stdout.write(`${e.scenario}\t${v.reference ? 'reference, ' : ''}${v.met === true ? 'met' : v.met === false ? 'NOT met' : 'undefined'}\t${v.target}\t${v.detail}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => process.exit(reportError(e)));
}

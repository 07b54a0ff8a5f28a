/**
 * `npm run study [-- --only NAME]... [-- --seeds N] [-- --thresholds 0.02,0.05,0.1,0.2]
 * [-- --set path=value]... [-- --dir scenarios/study] [-- --out study] [-- --workers N]`: runs
 * every scenario of `scenarios/study/` over its seeds (`seeds:`, or `--seeds`), then the
 * aggressiveness sweep (the fair reactive baseline and predictive at each threshold, same seeds),
 * and writes `study/results.json` (src/experiment/study.ts: `StudyEntry[]` plus the command) and
 * `study/index.html`; each scenario's first-seed report goes to `study/runs/<name>/`. Results are
 * deterministic; wall-clock reads here only time the run.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenarioFileSeeds } from '../src/api.ts';
import { studyEntry, studyHtml, type FrontPoint, type StudyEntry } from '../src/experiment/study.ts';
import type { SeedStats } from '../src/experiment/seeds.ts';
import type { Summary } from '../src/experiment/summary.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SWEPT = ['reactive_fair', 'predictive'];

function args(argv: string[]) {
  const o = { only: [] as string[], sets: [] as string[], seeds: undefined as number | undefined, thresholds: [0.02, 0.05, 0.1, 0.2], dir: path.join(here, '..', 'scenarios', 'study'), out: path.join(here, '..', 'study'), workers: undefined as number | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--only') o.only.push(...v().split(','));
    else if (a === '--set') o.sets.push(v());
    else if (a === '--seeds') o.seeds = Number(v());
    else if (a === '--thresholds') {
      const t = v();
      o.thresholds = t === 'none' ? [] : t.split(',').map(Number);
    }
    else if (a === '--dir') o.dir = path.resolve(v());
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--workers') o.workers = Number(v());
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const statsOf = (s: Summary, policy: string, metric: 'sloViolationRate' | 'movedBytes'): SeedStats => {
  const st = s.seeds?.policies[policy]?.[metric];
  if (st) return st;
  const v = s.policies[policy][metric];
  return { mean: v, lo: v, hi: v, values: [v] };
};

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const files = readdirSync(o.dir)
    .filter((f) => f.endsWith('.yaml') && (o.only.length === 0 || o.only.includes(f.replace(/\.yaml$/, ''))))
    .sort();
  const entries: StudyEntry[] = [];
  const t0 = performance.now(); // clock-ok: timing the run only
  for (const f of files) {
    const file = path.join(o.dir, f);
    const name = f.replace(/\.yaml$/, '');
    process.stderr.write(`study: ${name} …\n`);
    const main = await runScenarioFileSeeds(file, { sets: o.sets, seeds: o.seeds, seedWorkers: o.workers, out: path.join(o.out, 'runs', name) });
    const front: Omit<FrontPoint, 'pareto'>[] = [];
    for (const t of o.thresholds) {
      const pols = SWEPT.filter((p) => p in main.summary.policies);
      if (pols.length === 0) break;
      const sets = [...o.sets, ...pols.map((p) => `policies.${p}.threshold=${t}`)];
      const r = await runScenarioFileSeeds(file, { sets, policies: pols, seeds: o.seeds, seedWorkers: o.workers, out: null });
      for (const p of pols) front.push({ policy: p, threshold: t, sloViolationRate: statsOf(r.summary, p, 'sloViolationRate'), movedBytes: statsOf(r.summary, p, 'movedBytes') });
    }
    entries.push(studyEntry(path.relative(path.join(here, '..'), file), main.summary, front));
  }
  const command = ['npm run study', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  mkdirSync(o.out, { recursive: true });
  writeFileSync(path.join(o.out, 'results.json'), JSON.stringify({ command, entries }, null, 2) + '\n');
  writeFileSync(path.join(o.out, 'index.html'), studyHtml(entries, command));
  process.stderr.write(`study: ${entries.length} scenario(s) in ${((performance.now() - t0) / 1000).toFixed(0)} s → ${path.join(o.out, 'index.html')}\n`); // clock-ok
  for (const e of entries) for (const v of e.verdicts) process.stdout.write(`${e.scenario}\t${v.met === true ? 'met' : v.met === false ? 'NOT met' : 'undefined'}\t${v.target}\t${v.detail}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(2);
});

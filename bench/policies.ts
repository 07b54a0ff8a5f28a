/**
 * `npm run bench:policies [-- --only NAME]... [-- --set path=value]... [-- --seed N]`: runs every
 * `scenarios/long/*.yaml` (one after the other, in file-name order) through the library API and
 * prints, per scenario, static / reactive / predictive / oracle side by side (SLO-violation rate,
 * p99 latency, bytes moved, plans) and the issue-8 target ratios:
 *
 * - periodic workloads (no `burst` events): predictive's cut of SLO-violating records against
 *   reactive (target ≥ 80%), predictive p99 / oracle p99 (target ≤ 1.1) and predictive moved /
 *   reactive moved (target ≤ 1);
 * - unforecastable bursts (the scenario has `burst` events): predictive p99 / reactive p99
 *   (target ≤ 1.1); the ratios above are printed too, for reference.
 *
 * The SLO cut is `1 − predictive.sloViolationRate / reactive.sloViolationRate` (measured records:
 * the scenarios' policies all see the identical workload, so rates compare like counts).
 *
 * Writes `bench/policies-results.json`: one entry per scenario (entries of scenarios not run this
 * time, e.g. with `--only`, are kept from the previous file). `--only` takes a file name without
 * `.yaml` or a scenario name (`flash-crowd` or `flash-crowd-long`), repeatable or comma-separated;
 * `--set` and `--seed` are passed to every scenario as `keycast run` would take them.
 * Wall-clock reads here are measurements only.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoaded, version } from '../src/api.ts';
import { loadScenario } from '../src/io/load-scenario.ts';
import type { PolicySummary } from '../src/experiment/summary.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const LONG_DIR = path.join(here, '..', 'scenarios', 'long');
const RESULTS = path.join(here, 'policies-results.json');
const SHOWN = ['static', 'threshold', 'reactive', 'predictive', 'oracle'];

function parseArgs(argv: string[]): { only: string[]; sets: string[]; seed?: number } {
  const only: string[] = [];
  const sets: string[] = [];
  let seed: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (eq > 0 && a.slice(0, eq) === name) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) usage(`${name} needs a value`);
      return v;
    };
    if (a === '--only' || a.startsWith('--only=')) only.push(...value('--only').split(',').filter(Boolean));
    else if (a === '--set' || a.startsWith('--set=')) sets.push(value('--set'));
    else if (a === '--seed' || a.startsWith('--seed=')) {
      seed = Number(value('--seed'));
      if (!Number.isInteger(seed)) usage('--seed must be an integer');
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument '${a}'`);
  }
  return { only, sets, seed };
}

function usage(problem?: string): never {
  const text = 'usage: npm run bench:policies [-- --only NAME[,NAME]] [--set path=value]... [--seed N]';
  if (problem) {
    process.stderr.write(`bench:policies: ${problem}\n${text}\n`);
    process.exit(2);
  }
  process.stdout.write(text + '\n');
  process.exit(0);
}

/** The figures kept per policy. */
interface PolicyFigures {
  sloViolationRate: number;
  p99LatencyMs: number;
  movedBytes: number;
  meanImbalance: number;
  plansProposed: number;
  operations: number;
  forecast?: { smape: number; mase: number; coverage80: number };
  wallMs: number;
}

interface Targets {
  kind: 'periodic' | 'bursts';
  /** 1 − predictive SLO-violation rate / reactive's (target ≥ 0.8 on periodic workloads). */
  predictiveSloCutVsReactive: number | null;
  /** predictive p99 / oracle p99 (target ≤ 1.1 on periodic workloads). */
  predictiveP99OverOracle: number | null;
  /** predictive moved bytes / reactive moved bytes (target ≤ 1 on periodic workloads). */
  predictiveMovedOverReactive: number | null;
  /** predictive p99 / reactive p99 (target ≤ 1.1 on unforecastable bursts). */
  predictiveP99OverReactive: number | null;
  met: Record<string, boolean>;
}

interface Entry {
  file: string;
  scenario: string;
  seed: number;
  sets: string[];
  simulatedMs: number;
  measuredMs: number;
  runWallMs: number;
  policies: Record<string, PolicyFigures>;
  targets: Targets;
}

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;
const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e6) / 1e6);

function figures(p: PolicySummary): PolicyFigures {
  const ops = p.operations;
  return {
    sloViolationRate: p.sloViolationRate,
    p99LatencyMs: p.p99LatencyMs,
    movedBytes: p.movedBytes,
    meanImbalance: p.meanImbalance,
    plansProposed: p.plans.proposed,
    operations: ops.split + ops.merge + ops.move + ops.create,
    ...(p.forecast ? { forecast: p.forecast } : {}),
    wallMs: p.wallMs,
  };
}

function targetsOf(policies: Record<string, PolicyFigures>, bursts: boolean): Targets {
  const r = policies.reactive;
  const p = policies.predictive;
  const o = policies.oracle;
  const sloRatio = ratio(p?.sloViolationRate, r?.sloViolationRate);
  // No violations for either: nothing to cut, and nothing lost.
  const cut = p && r && r.sloViolationRate === 0 && p.sloViolationRate === 0 ? 1 : sloRatio === null ? null : 1 - sloRatio;
  const t: Targets = {
    kind: bursts ? 'bursts' : 'periodic',
    predictiveSloCutVsReactive: round(cut),
    predictiveP99OverOracle: round(ratio(p?.p99LatencyMs, o?.p99LatencyMs)),
    predictiveMovedOverReactive: round(ratio(p?.movedBytes, r?.movedBytes)),
    predictiveP99OverReactive: round(ratio(p?.p99LatencyMs, r?.p99LatencyMs)),
    met: {},
  };
  const ok = (x: number | null, good: (v: number) => boolean) => x !== null && good(x);
  if (bursts) t.met['p99 within 10% of reactive'] = ok(t.predictiveP99OverReactive, (v) => v <= 1.1);
  else {
    t.met['SLO violations cut by >= 80% vs reactive'] = ok(t.predictiveSloCutVsReactive, (v) => v >= 0.8);
    t.met['p99 within 10% of oracle'] = ok(t.predictiveP99OverOracle, (v) => v <= 1.1);
    t.met['moves no more data than reactive'] = ok(t.predictiveMovedOverReactive, (v) => v <= 1);
  }
  return t;
}

const pct = (x: number) => (x > 0 && x < 1e-4 ? `${(100 * x).toPrecision(2)}%` : `${(100 * x).toFixed(2)}%`);
const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(1)} ms`);
const bytes = (x: number) => {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (x >= 1024 && i < u.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(i === 0 ? 0 : 1)} ${u[i]}`;
};
const fmtRatio = (x: number | null, asPct = false) => (x === null ? 'n/a' : asPct ? pct(x) : `${x.toFixed(3)}×`);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function printEntry(e: Entry): void {
  const names = SHOWN.filter((n) => e.policies[n]).concat(Object.keys(e.policies).filter((n) => !SHOWN.includes(n)));
  const rows: string[][] = [['policy', 'SLO viol.', 'p99', 'moved', 'imbalance', 'plans', 'ops', 'wall']];
  for (const n of names) {
    const f = e.policies[n];
    rows.push([n, pct(f.sloViolationRate), ms(f.p99LatencyMs), bytes(f.movedBytes), f.meanImbalance.toFixed(3), String(f.plansProposed), String(f.operations), `${(f.wallMs / 1000).toFixed(1)} s`]);
  }
  const t = e.targets;
  const days = (e.measuredMs / 86_400_000).toFixed(2);
  process.stdout.write(`\n## ${e.scenario} (${path.basename(e.file)}, seed ${e.seed}, ${days} measured days, ${(e.runWallMs / 1000).toFixed(1)} s)\n\n`);
  process.stdout.write(table(rows) + '\n\n');
  const pf = e.policies.predictive?.forecast;
  if (pf) process.stdout.write(`predictive forecast: sMAPE ${pf.smape.toFixed(3)}, MASE ${pf.mase.toFixed(3)}, 80% coverage ${pct(pf.coverage80)}\n`);
  process.stdout.write(`targets (${t.kind === 'bursts' ? 'unforecastable bursts' : 'periodic workload'}):\n`);
  const line = (label: string, value: string, target: string, applies: boolean, met?: boolean) =>
    process.stdout.write(`  ${label.padEnd(42)} ${value.padStart(10)}   ${applies ? `target ${target}: ${met ? 'met' : 'NOT met'}` : '(for reference)'}\n`);
  line('predictive SLO-violation cut vs reactive', fmtRatio(t.predictiveSloCutVsReactive, true), '>= 80%', t.kind === 'periodic', t.met['SLO violations cut by >= 80% vs reactive']);
  line('predictive p99 / oracle p99', fmtRatio(t.predictiveP99OverOracle), '<= 1.1×', t.kind === 'periodic', t.met['p99 within 10% of oracle']);
  line('predictive moved / reactive moved', fmtRatio(t.predictiveMovedOverReactive), '<= 1×', t.kind === 'periodic', t.met['moves no more data than reactive']);
  line('predictive p99 / reactive p99', fmtRatio(t.predictiveP99OverReactive), '<= 1.1×', t.kind === 'bursts', t.met['p99 within 10% of reactive']);
}

/** Writes the results file: this run's entries, plus the previous file's entries of scenarios not run. */
function save(entries: readonly Entry[]): void {
  let previous: Entry[] = [];
  if (existsSync(RESULTS)) {
    try {
      previous = (JSON.parse(readFileSync(RESULTS, 'utf8')) as { scenarios?: Entry[] }).scenarios ?? [];
    } catch {
      previous = [];
    }
  }
  const byName = new Map(previous.map((e) => [e.scenario, e]));
  for (const e of entries) byName.set(e.scenario, e);
  const all = [...byName.values()].sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(RESULTS, JSON.stringify({ keycastVersion: version(), scenarios: all }, null, 2) + '\n');
}

function main(): void {
  const { only, sets, seed } = parseArgs(process.argv.slice(2));
  const files = readdirSync(LONG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(LONG_DIR, f));
  const entries: Entry[] = [];
  const chosen = files
    .map((file) => ({ file, loaded: loadScenario(file, { sets, seed }) }))
    .filter(({ file, loaded }) => !only.length || only.includes(path.basename(file, '.yaml')) || only.includes(loaded.scenario.name));
  const unknown = only.filter((o) => !chosen.some(({ file, loaded }) => o === path.basename(file, '.yaml') || o === loaded.scenario.name));
  if (unknown.length) usage(`--only: no scenario named ${unknown.join(', ')} in scenarios/long/`);
  for (const { file, loaded } of chosen) {
    const name = loaded.scenario.name;
    process.stderr.write(`bench:policies: running ${path.relative(process.cwd(), file)} …\n`);
    const t0 = performance.now(); // clock-ok: measurement only
    let lastPct = -1;
    const { summary } = runLoaded(loaded, {
      onProgress: (f) => {
        const p = Math.floor(f * 10) * 10;
        if (p > lastPct && process.stderr.isTTY) {
          lastPct = p;
          process.stderr.write(`\r  ${p}%`);
        }
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\r      \r');
    const runWallMs = Math.round(performance.now() - t0); // clock-ok: measurement only
    const policies: Record<string, PolicyFigures> = {};
    for (const [n, p] of Object.entries(summary.policies)) policies[n] = figures(p);
    const bursts = loaded.scenario.workload.events.some((e) => 'burst' in e);
    const entry: Entry = {
      file: path.relative(path.join(here, '..'), file),
      scenario: name,
      seed: summary.seed,
      sets,
      simulatedMs: summary.simulatedMs,
      measuredMs: summary.measuredMs,
      runWallMs,
      policies,
      targets: targetsOf(policies, bursts),
    };
    if (summary.invariantViolations > 0) process.stderr.write(`bench:policies: ${name}: ${summary.invariantViolations} invariant violation(s)\n`);
    entries.push(entry);
    save(entries); // after each scenario: a long run interrupted keeps what it finished
    printEntry(entry);
  }

  process.stdout.write(`\n## summary\n\n`);
  const rows: string[][] = [['scenario', 'kind', 'SLO cut vs reactive', 'p99 pred/oracle', 'moved pred/reactive', 'p99 pred/reactive', 'targets met']];
  for (const e of entries) {
    const t = e.targets;
    const met = Object.values(t.met);
    rows.push([e.scenario, t.kind, fmtRatio(t.predictiveSloCutVsReactive, true), fmtRatio(t.predictiveP99OverOracle), fmtRatio(t.predictiveMovedOverReactive), fmtRatio(t.predictiveP99OverReactive), `${met.filter(Boolean).length}/${met.length}`]);
  }
  process.stdout.write(table(rows) + `\n\nwrote ${path.relative(process.cwd(), RESULTS)}\n`);
}

try {
  main();
} catch (err) {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'InputError') {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw err;
}

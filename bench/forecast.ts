/**
 * `npm run bench:forecast`: forecast accuracy of the KDP's models with the official M4 measures on
 * a validation split of M4 Hourly (the last 48 points of each training series held out; the
 * official test set is not used), per model and for `auto`, with runtime per series; then the
 * online anomaly detector on the NAB tweet series against NAB's labelled windows, and a one-day
 * forecast of each NAB tweet series.
 *
 * Then the KDP online as the predictive policy runs it (4096 buckets, 1-minute windows, `auto`,
 * 2 days of history, 32 ranges, 1,024 micro-groups) on `npm run bench`'s workload, forecasting 30
 * windows ahead every 5 minutes, once per refit schedule (`fixed`: every 6 h; `error`, the
 * default: when the measured error calls for it): refits, the total rate's sMAPE / MASE / p10–p90
 * coverage, and the total-variation distance between the forecast and the observed per-bucket
 * distribution at leads 0, 5 and 29, with the time the KDP took.
 *
 * With `--kdp-scenario FILE`: the KDP alone as a scenario's first predictive lane drives it (its
 * window, history, ranges and models; a forecast of its horizon at every decision time from
 * `minHistory` on), `--kdp-repeat N` times: the KDP's CPU time (the process CPU of the pass less
 * that of the same loop without the KDP, run just before; wall time of observe and forecast apart;
 * the medians are reported), its refits, the same error figures, the chosen models' backtest error, and
 * a digest of every forecast issued (equal digests: byte-identical forecasts).
 *
 * Options: `--limit N` (first N M4 series), `--models a,b` (default: every model and auto),
 * `--skip-m4`, `--skip-nab`, `--skip-kdp`, `--kdp-hours H` (default 48), `--data DIR` (default
 * data/, inside the repository), `--json FILE` (write results).
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RandomSource } from '../src/engine/random.ts';
import { forecastSeries } from '../src/profiler/select.ts';
import { parseSeriesCsv, parseTimedCsv } from '../src/profiler/series-csv.ts';
import { mase, maseScale, naive2, owa, smape, snaive } from '../src/profiler/metrics.ts';
import { isModelName, type ModelName } from '../src/profiler/forecaster.ts';
import { scoreSeries, evaluateWindows } from '../src/profiler/anomaly.ts';
import { KeyDistributionProfiler } from '../src/profiler/kdp.ts';
import { benchScenario } from './workload.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { makeWorkload } from '../src/experiment/run.ts';
import { loadScenario } from '../src/io/load-scenario.ts';
import { createHash } from 'node:crypto';
import type { PolicySpec } from '../src/scenario/schema.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string): boolean => args.includes(`--${name}`);
const dataDir = opt('data') ?? path.resolve(import.meta.dirname, '../data');
const H = 48;
const M = 24;
const results: Record<string, unknown> = {};

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function benchM4(): void {
  const file = path.join(dataDir, 'm4-hourly/Hourly-train.csv');
  if (!existsSync(file)) {
    console.log(`M4: ${file} not found, skipped`);
    return;
  }
  let series = parseSeriesCsv(readFileSync(file, 'utf8'), file);
  const limit = Number(opt('limit') ?? series.length);
  series = series.slice(0, limit);
  const models = (opt('models')?.split(',') ?? ['seasonal-naive', 'ets', 'mstl', 'arima', 'prophet', 'lstm', 'ensemble', 'auto']).filter(isModelName) as ModelName[];
  console.log(`M4 Hourly validation split: ${series.length} series, last ${H} points held out, m = ${M}`);
  const splits = series.map((s) => ({ id: s.id, train: s.values.subarray(0, s.values.length - H), test: s.values.subarray(s.values.length - H) }));
  const ref = { smape: 0, mase: 0 };
  const sn = { smape: 0, mase: 0 };
  for (const s of splits) {
    const sc = maseScale(s.train, M);
    const n2 = naive2(s.train, H, M);
    const sv = snaive(s.train, H, M);
    ref.smape += smape(s.test, n2) / splits.length;
    ref.mase += mase(s.test, n2, sc) / splits.length;
    sn.smape += smape(s.test, sv) / splits.length;
    sn.mase += mase(s.test, sv, sc) / splits.length;
  }
  const rows: { model: string; smape: number; mase: number; owa: number; msPerSeries: number; coverage80?: number; chosen?: Record<string, number> }[] = [];
  rows.push({ model: 'naive2 (reference)', smape: ref.smape, mase: ref.mase, owa: 1, msPerSeries: 0 });
  rows.push({ model: 'snaive (M4 definition)', smape: sn.smape, mase: sn.mase, owa: owa(sn.smape, sn.mase, ref.smape, ref.mase), msPerSeries: 0 });
  console.log(`${pad('model', 24)} ${pad('sMAPE', 8)} ${pad('MASE', 8)} ${pad('OWA', 7)} ${pad('ms/series', 10)} coverage p10–p90`);
  const show = (r: (typeof rows)[number]): void =>
    console.log(`${pad(r.model, 24)} ${pad(r.smape.toFixed(3), 8)} ${pad(r.mase.toFixed(3), 8)} ${pad(r.owa.toFixed(3), 7)} ${pad(r.msPerSeries.toFixed(1), 10)} ${r.coverage80 !== undefined ? (100 * r.coverage80).toFixed(1) + ' %' : ''}`);
  rows.forEach(show);
  for (const model of models) {
    let s = 0;
    let a = 0;
    let covered = 0;
    let total = 0;
    const chosen: Record<string, number> = {};
    const t0 = performance.now();
    for (const sp of splits) {
      const rng = new RandomSource(1).fork(`m4/${sp.id}`);
      const f = forecastSeries(sp.train, { horizon: H, seasons: [M, 168], models: [model], rng, quantiles: model === 'auto' });
      s += smape(sp.test, f.mean) / splits.length;
      a += mase(sp.test, f.mean, maseScale(sp.train, M)) / splits.length;
      chosen[f.model] = (chosen[f.model] ?? 0) + 1;
      if (f.p10 && f.p90)
        for (let i = 0; i < H; i++) {
          total++;
          if (sp.test[i] >= f.p10[i] && sp.test[i] <= f.p90[i]) covered++;
        }
    }
    const ms = (performance.now() - t0) / splits.length;
    const r = { model, smape: s, mase: a, owa: owa(s, a, ref.smape, ref.mase), msPerSeries: ms, coverage80: total ? covered / total : undefined, chosen: model === 'auto' ? chosen : undefined };
    rows.push(r);
    show(r);
    if (r.chosen) console.log(`  auto chose: ${Object.entries(chosen).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  results.m4 = { series: splits.length, horizon: H, m: M, rows };
}

function benchNab(): void {
  const dir = path.join(dataDir, 'nab');
  const labelsFile = path.join(dir, 'labels/combined_windows_subset.json');
  if (!existsSync(labelsFile)) {
    console.log('NAB: labels not found, skipped');
    return;
  }
  const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as Record<string, [string, string][]>;
  console.log('\nNAB tweets: online anomaly scores (threshold as shipped), windows caught and false-alarm episodes per week outside windows');
  console.log(`${pad('series', 28)} ${pad('windows', 8)} ${pad('caught', 7)} ${pad('FA/week', 8)} ${pad('first alarm delay (h)', 8)}`);
  const per: unknown[] = [];
  let win = 0;
  let caught = 0;
  let fa = 0;
  let weeks = 0;
  const fcRows: { id: string; smape: Record<string, number> }[] = [];
  for (const rel of Object.keys(labels).filter((k) => k.startsWith('realTweets/')).sort()) {
    const file = path.join(dir, rel);
    const rows = parseTimedCsv(readFileSync(file, 'utf8'), file, 'timestamp', 'value');
    const scored = scoreSeries(rows.map((r) => ({ timeMs: r.timeMs, value: r.value })));
    const ev = evaluateWindows(rows.map((r) => r.timeMs), scored.map((s) => s.anomaly), labels[rel].map(([a, b]) => [Date.parse(a.replace(' ', 'T') + 'Z'), Date.parse(b.replace(' ', 'T') + 'Z')]));
    win += ev.windows;
    caught += ev.caught;
    fa += ev.falseEpisodes;
    weeks += ev.weeksOutside;
    per.push({ series: rel, ...ev });
    console.log(`${pad(rel.replace('realTweets/', ''), 28)} ${pad(String(ev.windows), 8)} ${pad(String(ev.caught), 7)} ${pad((ev.falseEpisodes / ev.weeksOutside).toFixed(2), 8)} ${ev.meanDelayHours.toFixed(1)}`);
    // one-day-ahead forecast (288 five-minute points) from the last 14 days
    const vals = Float64Array.from(rows.map((r) => r.value));
    const hd = 288;
    const train = vals.subarray(Math.max(0, vals.length - hd - 14 * 288), vals.length - hd);
    const test = vals.subarray(vals.length - hd);
    const sm: Record<string, number> = {};
    for (const model of ['seasonal-naive', 'ets', 'mstl', 'arima', 'auto'] as ModelName[]) {
      const f = forecastSeries(train, { horizon: hd, seasons: [288], models: [model], rng: new RandomSource(1).fork(rel) });
      sm[model] = smape(test, f.mean);
    }
    fcRows.push({ id: rel, smape: sm });
  }
  console.log(`${pad('all tweets', 28)} ${pad(String(win), 8)} ${pad(String(caught), 7)} ${pad((fa / weeks).toFixed(2), 8)}`);
  console.log(`caught ${caught}/${win} windows (${((100 * caught) / win).toFixed(0)} %), ${(fa / weeks).toFixed(2)} false-alarm episodes per week outside windows`);
  console.log('\nNAB tweets, one day ahead (288 × 5 min) from the previous 14 days: sMAPE');
  const names = Object.keys(fcRows[0]?.smape ?? {});
  console.log(`${pad('series', 28)} ${names.map((n) => pad(n, 15)).join(' ')}`);
  for (const r of fcRows) console.log(`${pad(r.id.replace('realTweets/', ''), 28)} ${names.map((n) => pad(r.smape[n].toFixed(2), 15)).join(' ')}`);
  console.log(`${pad('mean', 28)} ${names.map((n) => pad((fcRows.reduce((s, r) => s + r.smape[n], 0) / fcRows.length).toFixed(2), 15)).join(' ')}`);
  results.nab = { windows: win, caught, falseEpisodesPerWeek: fa / weeks, perSeries: per, forecast: fcRows };
}

/**
 * Scores the forecasts made for the window starting at `start`, now closed with counts `open`:
 * the total-variation distance of each forecast's shares from the window's, by lead; the
 * window's pending forecasts are dropped.
 */
function scoreWindow(open: Float64Array, pending: Map<number, { lead: number; share: Float64Array }[]>, start: number, tv: number[][], leads: readonly number[]): void {
  let tot = 0;
  for (let b = 0; b < open.length; b++) tot += open[b];
  for (const p of pending.get(start) ?? []) {
    let d = 0;
    for (let b = 0; b < open.length; b++) d += Math.abs(p.share[b] - open[b] / tot);
    tv[leads.indexOf(p.lead)].push(d / 2);
  }
  pending.delete(start);
}

/** `npm run bench`'s workload (bench/run.ts), for the KDP online. */
const BENCH_WORKLOAD = (hours: number) => benchScenario(hours, '  static: { kind: static }');

function benchKdp(): void {
  const hours = Number(opt('kdp-hours') ?? 48);
  const LEADS = [0, 5, 29];
  console.log(`\nKDP online on the bench workload (${hours} h, forecasts of 30 windows every 5 min from hour 2): refit schedules`);
  console.log(`${pad('schedule', 10)} ${pad('refits', 7)} ${pad('skipped', 8)} ${pad('sMAPE', 8)} ${pad('MASE', 8)} ${pad('cov80', 7)} ${LEADS.map((l) => pad(`TV@${l}`, 8)).join(' ')} KDP s`);
  const out: Record<string, unknown> = {};
  for (const schedule of ['fixed', 'error'] as const) {
    const loaded = parseScenario(BENCH_WORKLOAD(hours), 'bench.yaml', process.cwd());
    const w = makeWorkload(loaded, new RandomSource(1));
    const B = 4096;
    const kdp = new KeyDistributionProfiler({ buckets: B, windowMs: 60_000, models: ['auto'], historyMs: 2 * 86_400_000, ranges: 32, microGroups: 1024, rng: new RandomSource(1).fork('kdp'), refitSchedule: schedule });
    // forecast per-bucket shares awaiting their window, by window start, per lead
    const pending = new Map<number, { lead: number; share: Float64Array }[]>();
    const tv: number[][] = LEADS.map(() => []);
    const open = new Float64Array(B);
    let openStart = 0;
    let kdpS = 0;
    for (let t = 0; t < 3600 * hours; t++) {
      const batch = w.nextBatch(t * 1000);
      const ms = t * 1000;
      if (ms >= openStart + 60_000) {
        // the window from openStart closed: score the forecasts of it
        scoreWindow(open, pending, openStart, tv, LEADS);
        open.fill(0);
        openStart += 60_000;
      }
      for (let b = 0; b < B; b++) open[b] += batch.counts[b];
      const t0 = performance.now();
      kdp.observe(batch);
      if ((t + 1) % 300 === 0 && t + 1 >= 7200) {
        const f = kdp.forecast((t + 1) * 1000, 30);
        for (const lead of LEADS) {
          const fw = f.windows[lead];
          if (!fw) continue;
          let tot = 0;
          for (let b = 0; b < B; b++) tot += fw.expectedLoad[b];
          const share = fw.expectedLoad.map((x) => x / tot);
          (pending.get(fw.startMs) ?? pending.set(fw.startMs, []).get(fw.startMs)!).push({ lead, share });
        }
      }
      kdpS += (performance.now() - t0) / 1000;
    }
    const acc = kdp.accuracy();
    const meanTv = tv.map((xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    out[schedule] = { refits: kdp.schedule.refits, refitsSkipped: kdp.schedule.refitsSkipped, smape: acc.smape, mase: acc.mase, coverage80: acc.coverage80, tvByLead: Object.fromEntries(LEADS.map((l, i) => [l, meanTv[i]])), kdpSeconds: kdpS };
    console.log(`${pad(schedule, 10)} ${pad(String(kdp.schedule.refits), 7)} ${pad(String(kdp.schedule.refitsSkipped), 8)} ${pad(acc.smape.toFixed(3), 8)} ${pad(acc.mase.toFixed(3), 8)} ${pad((100 * acc.coverage80).toFixed(1), 7)} ${meanTv.map((x) => pad(x.toFixed(4), 8)).join(' ')} ${kdpS.toFixed(1)}`);
  }
  results.kdp = { hours, ...out };
}

/** CPU seconds of this process (user + system) since `from`. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

/** The KDP alone as a scenario's first predictive lane drives it (see the module comment). */
function benchKdpScenario(file: string): void {
  const loaded = loadScenario(file);
  const sc = loaded.scenario;
  const entry = loaded.policies.find(([, p]) => p.kind === 'predictive');
  if (!entry) throw new Error(`${file}: no predictive policy`);
  const [name, spec] = entry as [string, Extract<PolicySpec, { kind: 'predictive' }>];
  const B = sc.keyspace.buckets;
  const horizon = Math.max(1, Math.round(spec.horizon / spec.window));
  const LEADS = [0, 5, horizon - 1].filter((l, i, a) => a.indexOf(l) === i);
  const repeat = Math.max(1, Number(opt('kdp-repeat') ?? 1));
  console.log(`\nKDP alone as ${sc.name}'s lane ${name} drives it (${B} buckets, ${spec.ranges} ranges, window ${spec.window / 60_000} min, ${sc.duration / 3_600_000} h, forecasts of ${horizon} windows every ${spec.every / 60_000} min from ${spec.minHistory / 60_000} min), ${repeat}×`);
  console.log(`${pad('run', 5)} ${pad('refits', 7)} ${pad('sMAPE', 8)} ${pad('MASE', 8)} ${pad('cov80', 7)} ${pad('model err', 10)} ${LEADS.map((l) => pad(`TV@${l}`, 8)).join(' ')} ${pad('observe w', 10)} ${pad('forecast w', 11)} ${pad('KDP CPU s', 10)} ${pad('pass s', 7)} ${pad('bare s', 7)} digest`);
  const runs: Record<string, unknown>[] = [];
  /** The same loop without the KDP (workload and scoring only): its CPU is taken off the KDP pass's. */
  const barePass = (): number => {
    const w = makeWorkload(loaded, new RandomSource(sc.seed));
    const open = new Float64Array(B);
    let openStart = 0;
    const c0 = process.cpuUsage();
    for (let t = 0; t < sc.duration; t += sc.tick) {
      const batch = w.nextBatch(t);
      if (t >= openStart + spec.window) {
        open.fill(0);
        openStart += spec.window;
      }
      for (let b = 0; b < B; b++) open[b] += batch.counts[b];
    }
    (w as { close?: () => void }).close?.();
    return cpuSeconds(c0);
  };
  for (let r = 0; r < repeat; r++) {
    const bareS = barePass();
    const passStart = process.cpuUsage();
    const w = makeWorkload(loaded, new RandomSource(sc.seed));
    const kdp = new KeyDistributionProfiler({ buckets: B, windowMs: spec.window, models: spec.models as ModelName[], historyMs: spec.history, ranges: spec.ranges, microGroups: Math.min(B, 1024), rng: new RandomSource(sc.seed).fork('kdp') });
    const digest = createHash('sha256');
    const pending = new Map<number, { lead: number; share: Float64Array }[]>();
    const tv: number[][] = LEADS.map(() => []);
    const open = new Float64Array(B);
    let openStart = 0;
    let observeS = 0;
    let forecastS = 0;
    let nextDecision = spec.minHistory;
    for (let t = 0; t < sc.duration; t += sc.tick) {
      const batch = w.nextBatch(t);
      if (t >= openStart + spec.window) {
        scoreWindow(open, pending, openStart, tv, LEADS);
        open.fill(0);
        openStart += spec.window;
      }
      for (let b = 0; b < B; b++) open[b] += batch.counts[b];
      let c0 = performance.now();
      kdp.observe(batch);
      observeS += (performance.now() - c0) / 1000;
      const now = t + sc.tick;
      if (now >= nextDecision) {
        nextDecision += spec.every;
        c0 = performance.now();
        const f = kdp.forecast(now, horizon);
        forecastS += (performance.now() - c0) / 1000;
        for (const fw of f.windows) {
          digest.update(new Uint8Array(fw.expectedLoad.buffer, fw.expectedLoad.byteOffset, fw.expectedLoad.byteLength));
          digest.update(new Uint8Array(fw.upperLoad!.buffer, fw.upperLoad!.byteOffset, fw.upperLoad!.byteLength));
          digest.update(`${fw.totalRate.p10},${fw.totalRate.p90};${fw.ranges.map((x) => x.model).join(',')}`);
        }
        for (const lead of LEADS) {
          const fw = f.windows[lead];
          if (!fw) continue;
          let tot = 0;
          for (let b = 0; b < B; b++) tot += fw.expectedLoad[b];
          const share = fw.expectedLoad.map((x) => x / tot);
          (pending.get(fw.startMs) ?? pending.set(fw.startMs, []).get(fw.startMs)!).push({ lead, share });
        }
      }
    }
    (w as { close?: () => void }).close?.();
    const passS = cpuSeconds(passStart);
    const acc = kdp.accuracy();
    const meanTv = tv.map((xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    // the chosen models' backtest error: their exponentially weighted absolute errors over the series' mean rates
    const choices = kdp.modelChoices();
    let modelErr = 0;
    for (const c of choices) {
      const sc = c.scores[c.model];
      const best = Math.min(...Object.values(c.scores));
      if (sc !== undefined && best > 0) modelErr += sc / choices.length;
    }
    const hex = digest.digest('hex').slice(0, 16);
    const row = { refits: kdp.schedule.refits, smape: acc.smape, mase: acc.mase, coverage80: acc.coverage80, modelError: modelErr, tvByLead: Object.fromEntries(LEADS.map((l, i) => [l, meanTv[i]])), observeS, forecastS, passS, bareS, kdpS: passS - bareS, digest: hex, models: Object.fromEntries(choices.map((c) => [c.range === 'total' ? 'total' : `${c.range.start}-${c.range.end}`, c.model])) };
    runs.push(row);
    console.log(`${pad(String(r + 1), 5)} ${pad(String(row.refits), 7)} ${pad(acc.smape.toFixed(3), 8)} ${pad(acc.mase.toFixed(3), 8)} ${pad((100 * acc.coverage80).toFixed(1), 7)} ${pad(modelErr.toFixed(3), 10)} ${meanTv.map((x) => pad(x.toFixed(4), 8)).join(' ')} ${pad(observeS.toFixed(2), 10)} ${pad(forecastS.toFixed(2), 11)} ${pad(row.kdpS.toFixed(2), 10)} ${pad(passS.toFixed(2), 7)} ${pad(bareS.toFixed(2), 7)} ${hex}`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const kdpMedian = med(runs.map((x) => x.kdpS as number));
  console.log(`median KDP CPU ${kdpMedian.toFixed(2)} s (wall: observe ${med(runs.map((x) => x.observeS as number)).toFixed(2)}, forecast ${med(runs.map((x) => x.forecastS as number)).toFixed(2)})`);
  results.kdpScenario = { file, lane: name, runs, kdpMedianS: kdpMedian };
}

const kdpScenario = opt('kdp-scenario');
if (kdpScenario) benchKdpScenario(kdpScenario);
if (!flag('skip-m4')) benchM4();
if (!flag('skip-nab')) benchNab();
if (!flag('skip-kdp')) benchKdp();
const jsonOut = opt('json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2) + '\n');

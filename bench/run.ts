/**
 * `npm run bench`: throughput of the simulator's parts, each also as a ratio to a bare
 * typed-array loop doing the same number of bucket-updates in the same process (machines are
 * noisy; ratios travel better than seconds). Writes bench/results.json (figures of sections not run keep
 * their last values).
 *
 *   npm run bench                      # engine, generation, KDP, 2-day static and four-policy runs
 *   npm run bench -- --week            # also the 7-day, 1024-partition four-policy run
 *   npm run bench -- --hours 6         # shorter runs
 *   npm run bench -- --large           # 16384 buckets
 *   npm run bench -- --workers 3       # workers of the parallel four-policy runs (default: the cores)
 *   npm run bench -- --only engine     # some sections: engine, generation, forecast, runs, soak,
 *                                      # start, study (the last two not in the default sections)
 *   npm run bench -- --only start      # `npm start` as the Quick start runs it (its own process,
 *                                      # wall time and peak RSS; the report to a temporary folder)
 *   npm run bench -- --only study      # a 5-seed cut of `npm run study` (default: daily-peak-fast,
 *                                      # 5 seeds, no threshold sweep; `--study-args "…"` replaces
 *                                      # the cut), timed, and the whole study's time extrapolated
 *                                      # from its seconds per lane-run
 *   npm run bench -- --only soak       # peak RSS of the soak runs (minutes; not in the default
 *                                      # sections): failure-soak at 0/15/30% failures, a 3×
 *                                      # overloaded 2-day static run, the 28-day trace replay
 *   npm run bench -- --only soak --no-month   # the soak runs without the hour-long replay
 *   npm run bench -- --only soak --growth-days 8   # live heap per simulated day, each policy alone
 *                                      # on flights-month for 8 days (default 8; --no-growth: skip)
 *   npm run bench -- --only soak --seed 8     # the soak runs at another seed (default: the scenarios')
 *   npm run bench -- --optimizer annealing  # the planning policies' optimizer (default: the scenario default)
 *   npm run bench -- --only decisions  # the PRE on captured decisions: CPU time and plan cost, annealing
 *                                      # against staged (bench/plan-decisions.ts; minutes; not default)
 *   npm run bench -- --repeat 3        # every figure the median of 3 repetitions (default 1; the
 *                                      # short sections always take at least 3)
 *
 * The machines are shared and their speed drifts by ±30% within minutes, so each run's ratio
 * to the bare loop uses bare-loop probes taken during that run (see bareProbe), and repeated
 * figures are reported as medians with their range; results.json keeps every sample.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { VirtualTimeScheduler, filter, interval, map, merge, take } from 'rxjs';
import { EventQueue } from '../src/engine/event-queue.ts';
import { VirtualScheduler } from '../src/engine/virtual-scheduler.ts';
import { RandomSource } from '../src/engine/random.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { loadScenario, runLoaded } from '../src/api.ts';
import { makeWorkload } from '../src/experiment/run.ts';
import { KeyDistributionProfiler } from '../src/profiler/kdp.ts';
import { median } from '../src/profiler/util.ts';
import { planDecisionSection } from './plan-decisions.ts';
import { benchScenario } from './workload.ts';
import { writeResults, type Results } from './results-file.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const hours = Number(arg('hours', '48'));
const buckets = process.argv.includes('--large') ? 16384 : 4096;
/** `--only engine,generation,forecast,runs`: run some sections (all by default). */
const only = arg('only', 'engine,generation,forecast,runs').split(',');
const want = (section: string) => only.includes(section);
const repeat = Math.max(1, Math.floor(Number(arg('repeat', '1'))) || 1);
/** Repetitions of the short sections (engine, generation): at least 3. */
const shortReps = Math.max(3, repeat);
/** "median unit (min–max)" of the samples, each formatted by `f`; just the value for one sample. */
const spread = (xs: readonly number[], f: (x: number) => string, unit = '') =>
  xs.length === 1 ? `${f(xs[0])}${unit}` : `${f(median(xs))}${unit} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const r = fn();
  return [r, (performance.now() - t0) / 1000];
};

/**
 * The bare loop: each tick sums the buckets of 256 contiguous partitions into their totals (the
 * cheapest honest "bucket-update"; ~1,100 M/s on this machine, the issue's yardstick), one
 * function call a tick, warmed up. `ticks(n)` runs n ticks.
 */
function bareTicks(B: number): (n: number) => void {
  const counts = new Float64Array(B).fill(1.5);
  const P = 256;
  const totals = new Float64Array(P);
  const bounds = Int32Array.from({ length: P + 1 }, (_, p) => Math.floor((p * B) / P));
  const tick = (c: Float64Array, tot: Float64Array, bd: Int32Array) => {
    for (let p = 0; p < P; p++) {
      let sum = 0;
      const hi = bd[p + 1];
      for (let j = bd[p]; j < hi; j++) sum += c[j];
      tot[p] += sum;
    }
  };
  const run = (n: number) => {
    for (let t = 0; t < n; t++) tick(counts, totals, bounds);
    if (!(totals[0] > 0)) throw new Error('bare loop did not run');
  };
  run(2000);
  return run;
}

/** The bare loop's speed over `updates` bucket-updates, best of three thirds: its own noise only ever makes the ratios larger. */
function bareLoop(updates: number, B: number): number {
  const run = bareTicks(B);
  const ticks = Math.ceil(updates / B / 3);
  let best = 0;
  for (let r = 0; r < 3; r++) best = Math.max(best, (ticks * B) / time(() => run(ticks))[1]);
  return best;
}

/**
 * The bare loop as a probe taken while a run goes on: `probe()` runs 400 ticks (1.6 M
 * bucket-updates at 4096 buckets, about 2 ms) twice and times the second, warm pass (the run
 * evicts the loop's data); `rate()` is the loop's speed over all probes. A run calls it at each
 * progress report (200 a run), so its ratio compares it with the bare loop at the same moments:
 * the machine's speed drifts by ±30% within minutes, which a bare loop measured before the run
 * does not see. `seconds()`, the probes' whole time, is taken off the run's time.
 */
function bareProbe(B: number): { probe(): void; rate(): number; seconds(): number } {
  const run = bareTicks(B);
  const TICKS = 400;
  let timed = 0;
  let spent = 0;
  let n = 0;
  return {
    probe() {
      const t0 = performance.now();
      run(TICKS);
      const t1 = performance.now();
      run(TICKS);
      const t2 = performance.now();
      timed += (t2 - t1) / 1000;
      spent += (t2 - t0) / 1000;
      n++;
    },
    rate: () => (n * TICKS * B) / timed,
    seconds: () => spent,
  };
}

/** A bare binary min-heap of times in a Float64Array on the hold model (the engine's yardstick). */
function bareHeapHold(P: number, M: number): number {
  const h = new Float64Array(P + 1);
  let n = 0;
  let x = 1;
  const push = (t: number) => {
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p] <= t) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = t;
  };
  const pop = () => {
    const top = h[0];
    const last = h[--n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1] < h[c]) c++;
      if (last <= h[c]) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
    return top;
  };
  for (let i = 0; i < P; i++) push(i);
  for (let k = 0; k < M; k++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    push(pop() + 1 + (x % 1000));
  }
  return h[0];
}

const results: Results = { date: new Date().toISOString(), node: process.version, buckets, hours }; // clock-ok: a benchmark
const rows: [string, string, string][] = [];
const bare = bareLoop(2e9, buckets);
results.bareLoopUpdatesPerSec = bare;
rows.push(['bare typed-array loop', `${(bare / 1e6).toFixed(0)} M bucket-updates/s`, '1.00']);

// Engine, on the classic "hold" model (P pending events; each event schedules the next after a
// pseudo-random delay, so the queue stays at P): own API, the queue alone, a bare typed heap of
// times, and RxJS operators on the engine (P concurrent `interval`s through `map`/`filter`,
// merged); plus a bulk load of 2 M events and RxJS's own VirtualTimeScheduler (small N: it
// re-sorts its whole queue on every schedule, so it is quadratic).
/** Runs `measure` `shortReps` times; records the median rate under `key` (and the samples) and a row. */
function rated(key: string, label: string, measure: () => number, show: (r: number) => string, unit: string): void {
  const xs = Array.from({ length: shortReps }, measure);
  results[key] = median(xs);
  (results.samples as Record<string, number[]>)[key] = xs;
  rows.push([label, spread(xs, show, unit), '']);
}
results.samples = {};
const mps = (r: number) => (r / 1e6).toFixed(2);
const MPS = ' M events/s';
if (want('engine')) {
  const P = 1000;
  const M = 3_000_000;
  const lcg = (x: number) => (x * 1103515245 + 12345) & 0x7fffffff;
  rated('engineEventsPerSec', `engine, own API (hold model, ${P} pending)`, () => {
    const s = new VirtualScheduler();
    let n = 0;
    let x = 1;
    const step = () => {
      if (++n > M) return;
      x = lcg(x);
      s.after(1 + (x % 1000), step);
    };
    for (let i = 0; i < P; i++) s.at(i, step);
    const [, sec] = time(() => s.run());
    return s.eventsProcessed / sec;
  }, mps, MPS);
  rated('eventQueueEventsPerSec', `event queue alone (hold model, ${P} pending)`, () => {
    const q = new EventQueue();
    const noop = () => {};
    let x = 1;
    for (let i = 0; i < P; i++) q.push(i, 0, noop);
    const [, sec] = time(() => {
      for (let k = 0; k < M; k++) {
        q.pop();
        x = lcg(x);
        q.push(q.poppedTime + 1 + (x % 1000), 0, noop);
      }
    });
    return M / sec;
  }, mps, MPS);
  rated('bareHeapEventsPerSec', `bare typed heap of times (hold model, ${P} pending)`, () => M / time(() => bareHeapHold(P, M))[1], mps, MPS);
  rated('engineBulkEventsPerSec', 'engine, own API (2 M queued at once)', () => {
    const N = 2_000_000;
    const s = new VirtualScheduler();
    let n = 0;
    const inc = () => n++;
    for (let i = 0; i < N; i++) s.at((i * 7919) % 1_000_000, inc);
    const [, sec] = time(() => s.run());
    return N / sec;
  }, mps, MPS);
  rated('engineRxEventsPerSec', `engine through RxJS interval/map/filter/merge (${P} intervals)`, () => {
    const R = 1_000_000;
    const s = new VirtualScheduler();
    let m = 0;
    // P intervals of different periods, through map and filter, merged, stopped after R values.
    merge(...Array.from({ length: P }, (_, i) => interval(1 + ((i * 7919) % 1000), s).pipe(map((v) => v + i), filter((v) => v >= 0))))
      .pipe(take(R))
      .subscribe(() => m++);
    const [, sec] = time(() => s.run());
    return s.eventsProcessed / sec;
  }, mps, MPS);
  const V = 5_000;
  rated('rxVirtualTimeSchedulerEventsPerSec', `RxJS's VirtualTimeScheduler (N=${V})`, () => {
    const vts = new VirtualTimeScheduler();
    for (let i = 0; i < V; i++) vts.schedule(() => {}, (i * 7919) % 100_000);
    return V / time(() => vts.flush())[1];
  }, (r) => (r / 1e3).toFixed(0), ' k events/s');
}

const scenario = (policies: string) => benchScenario(hours, policies, buckets);

// Generation alone.
if (want('generation')) {
  const loaded = parseScenario(scenario('  static: { kind: static }'), 'bench.yaml', process.cwd());
  const ticks = Math.min(3600 * hours, 7200);
  const samples = Array.from({ length: shortReps }, () => {
    const w = makeWorkload(loaded, new RandomSource(1));
    let records = 0;
    const [, s] = time(() => {
      for (let t = 0; t < ticks; t++) records += w.nextBatch(t * 1000).total;
    });
    return { ups: (ticks * buckets) / s, rps: records / s };
  });
  const ups = samples.map((x) => x.ups);
  results.generationUpdatesPerSec = median(ups);
  results.generationRecordsPerSec = median(samples.map((x) => x.rps));
  (results.samples as Record<string, number[]>).generationUpdatesPerSec = ups;
  rows.push([
    'generation (arrivals)',
    `${spread(ups, (x) => (x / 1e6).toFixed(1), ' M bucket-updates/s')}, ${((results.generationRecordsPerSec as number) / 1e6).toFixed(1)} M records/s`,
    spread(ups.map((u) => bare / u), (x) => x.toFixed(1)),
  ]);
}

// Forecasting: the KDP (the predictive policy's defaults: 1-minute windows, auto model choice)
// fed the workload tick by tick; time per observed tick and per forecast (30 windows ahead).
if (want('forecast')) {
  const loaded = parseScenario(scenario('  static: { kind: static }'), 'bench.yaml', process.cwd());
  const w = makeWorkload(loaded, new RandomSource(1));
  const kdp = new KeyDistributionProfiler({ buckets, windowMs: 60_000, models: ['auto'], historyMs: 2 * 86_400_000, ranges: 32, rng: new RandomSource(1).fork('kdp') });
  const simHours = Math.max(2, Math.min(hours, 12));
  let observeS = 0;
  let forecastS = 0;
  let forecasts = 0;
  for (let t = 0; t < 3600 * simHours; t++) {
    const batch = w.nextBatch(t * 1000);
    const [, o] = time(() => kdp.observe(batch));
    observeS += o;
    if ((t + 1) % 300 === 0 && t >= 3600) {
      const [, f] = time(() => kdp.forecast((t + 1) * 1000, 30));
      forecastS += f;
      forecasts++;
    }
  }
  results.forecast = { simulatedHours: simHours, observeUsPerTick: (observeS / (3600 * simHours)) * 1e6, msPerForecast: (forecastS / Math.max(1, forecasts)) * 1000, forecasts };
  rows.push([`KDP observe (${buckets} buckets, per tick)`, `${((observeS / (3600 * simHours)) * 1e6).toFixed(0)} µs`, '']);
  rows.push([`KDP forecast, 30 windows ahead (mean of ${forecasts} over ${simHours} h)`, `${((forecastS / Math.max(1, forecasts)) * 1000).toFixed(1)} ms per forecast`, '']);
}

// Whole runs: static alone; the four default policies in one thread (the issue's one-core
// figure) and spread over the cores (what a user waits for here); `--week`: the 7-day
// 1024-partition run. Bucket-updates count every lane: each policy's cluster takes every bucket
// of every tick, so a four-policy run does 4 × buckets × ticks of them.
const workersArg = Number(arg('workers', '0')) || undefined;
const runsToDo: { key: string; label: string; hours: number; partitions: number; policies: string; workers: number | undefined }[] = [];
const optimizerArg = arg('optimizer', '');
const opt = optimizerArg ? `, optimizer: ${optimizerArg}` : '';
const four = `  static: { kind: static }\n  reactive: { kind: reactive${opt} }\n  predictive: { kind: predictive${opt} }\n  oracle: { kind: oracle${opt} }`;
if (want('runs')) {
  runsToDo.push({ key: 'staticRun', label: 'run, static', hours, partitions: 256, policies: '  static: { kind: static }', workers: 1 });
  runsToDo.push({ key: 'fourPolicyRun', label: 'run, four policies, one thread', hours, partitions: 256, policies: four, workers: 1 });
  runsToDo.push({ key: 'fourPolicyRunParallel', label: `run, four policies, ${workersArg ?? 'auto'} workers`, hours, partitions: 256, policies: four, workers: workersArg });
}
if (process.argv.includes('--week')) runsToDo.push({ key: 'weekRun', label: `run, four policies, 1024 partitions, ${workersArg ?? 'auto'} workers`, hours: 168, partitions: 1024, policies: four, workers: workersArg });
for (const r of runsToDo) {
  const text = scenario(r.policies).replace('duration: ' + hours + 'h', `duration: ${r.hours}h`).replace('partitions: 256, maxPartitions: 1024', `partitions: ${r.partitions}, maxPartitions: ${Math.max(1024, 2 * r.partitions)}`);
  const loaded = parseScenario(text, 'bench.yaml', process.cwd());
  const lanes = loaded.policies.length;
  const updates = lanes * 3600 * r.hours * buckets;
  // Each repetition: the run with bare-loop probes at its progress reports (see bareProbe); only
  // the figures are kept, so the bench holds one run's results at a time.
  const reps = Array.from({ length: repeat }, () => {
    const bareNow = bareProbe(buckets);
    const c0 = process.cpuUsage();
    const [{ result, summary }, total] = time(() => runLoaded(loaded, { workers: r.workers, onProgress: () => bareNow.probe() }));
    const cpu = process.cpuUsage(c0);
    const sec = total - bareNow.seconds();
    const perDecision = Object.fromEntries(
      result.lanes
        .filter((l) => (l.report as { decisions?: number } | undefined)?.decisions)
        .map((l) => [l.name, Math.round((l.scheduledMs / (l.report as { decisions: number }).decisions) * 10) / 10]),
    );
    // Decisions skipped because nothing moved (planning-policy.ts), and the time per decision
    // that did plan (all of the lane's scheduled time over the decisions that called the PRE).
    const skipped = Object.fromEntries(
      result.lanes
        .filter((l) => (l.report as { decisions?: number } | undefined)?.decisions)
        .map((l) => {
          const rep = l.report as { decisions: number; skippedDecisions?: number };
          const sk = rep.skippedDecisions ?? 0;
          return [l.name, { decisions: rep.decisions, skipped: sk, msPerPlannedDecision: Math.round((l.scheduledMs / Math.max(1, rep.decisions - sk)) * 10) / 10 }];
        }),
    );
    // Where the run's time went: the lanes' ticks (cluster step, KDP observe), their decisions
    // (scheduled policy work), and the rest (generation, history, windows, the APM's re-checks at
    // operation ends, set-up). In a parallel run the lanes' times add up over threads, so the
    // rest is only shown for one thread.
    const decisionMs = result.lanes.reduce((a, l) => a + l.scheduledMs, 0);
    const laneMs = Object.values(summary.policies).reduce((a, p) => a + p.wallMs, 0);
    const split = { ticksS: (laneMs - decisionMs) / 1000, decisionsS: decisionMs / 1000, restS: r.workers === 1 ? sec - laneMs / 1000 : undefined };
    const wallMsPerPolicy = Object.fromEntries(Object.entries(summary.policies).map(([n, p]) => [n, p.wallMs]));
    return { sec, cpuS: (cpu.user + cpu.system) / 1e6 - bareNow.seconds(), bare: bareNow.rate(), vsBare: sec / (updates / bareNow.rate()), perDecision, skipped, split, wallMsPerPolicy };
  });
  const secs = reps.map((x) => x.sec);
  const ratios = reps.map((x) => x.vsBare);
  // The split and decision times are those of the repetition with the median time.
  const { perDecision, skipped, split, wallMsPerPolicy } = [...reps].sort((a, b) => a.sec - b.sec)[(reps.length - 1) >> 1];
  const sec = median(secs);
  results[r.key] = {
    hours: r.hours,
    partitions: r.partitions,
    lanes,
    repetitions: repeat,
    seconds: sec,
    cpuSeconds: median(reps.map((x) => x.cpuS)),
    simulatedSecondsPerWallSecond: (3600 * r.hours) / sec,
    bucketUpdates: updates,
    bucketUpdatesPerSec: updates / sec,
    vsBareLoop: median(ratios),
    workers: r.workers ?? 'auto',
    wallMsPerPolicy,
    planningMsPerDecision: perDecision,
    decisions: skipped,
    split: split,
    samples: { seconds: secs, vsBareLoop: ratios, bareLoopDuringRunUpdatesPerSec: reps.map((x) => x.bare), cpuSeconds: reps.map((x) => x.cpuS) },
  };
  rows.push([
    `${r.label} (${r.hours} h, ${r.partitions} partitions, ${lanes} lane(s))`,
    `${spread(secs, (x) => x.toFixed(1), ' s')}, ${((3600 * r.hours) / sec).toFixed(0)} sim-s/s, ${(updates / sec / 1e6).toFixed(1)} M bucket-updates/s`,
    spread(ratios, (x) => x.toFixed(1)),
  ]);
  for (const [n, ms] of Object.entries(perDecision)) {
    const k = skipped[n];
    rows.push([`  ${n}: decision time (planning, forecasting, APM steps) / decisions`, `${ms.toFixed(1)} ms (${k.decisions} decisions, ${k.skipped} skipped; ${k.msPerPlannedDecision.toFixed(1)} ms per planned one)`, '']);
  }
  rows.push([`  time: lanes' ticks / decisions${split.restS !== undefined ? ' / generation and the rest' : ''}`, `${split.ticksS.toFixed(1)} s / ${split.decisionsS.toFixed(1)} s${split.restS !== undefined ? ` / ${split.restS.toFixed(1)} s` : ''}`, '']);
}
/** Runs `cmd args` niced in its own process under /usr/bin/time: exit status, wall seconds, peak RSS (MB), stderr's last lines. */
function timedProcess(cmd: string, args: string[]): { exit: number | null; seconds: number; peakRssMB: number; tail: string } {
  const p = spawnSync('nice', ['-n', '10', '/usr/bin/time', '-f', '%M %e', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' } });
  const lines = (p.stderr ?? '').trim().split('\n');
  const [kb, secs] = (lines.at(-1) ?? '').split(' ').map(Number);
  return { exit: p.status, seconds: secs, peakRssMB: kb / 1024, tail: lines.slice(-4, -1).join(' | ').slice(0, 300) };
}
// `npm start` as the Quick start runs it (`./bin/keycast run scenarios/follow-the-sun.yaml`), in
// its own process, the report to a temporary folder: the issue's target is 20 s.
if (want('start')) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-start-'));
  const r = timedProcess(process.execPath, ['bin/keycast', 'run', 'scenarios/follow-the-sun.yaml', '--out', path.join(out, 'report')]);
  fs.rmSync(out, { recursive: true, force: true });
  results.npmStart = r;
  rows.push(['`npm start` (follow-the-sun, its own process)', r.exit === 0 || r.exit === 1 ? `${r.seconds.toFixed(1)} s (target ≤ 20), peak RSS ${r.peakRssMB.toFixed(0)} MB${r.exit ? `, exit ${r.exit}` : ''}` : `failed (exit ${r.exit}): ${r.tail}`, '']);
}
// The study (`npm run study`): a cut of it with at least 5 seeds, timed in its own process; the
// whole study's time is extrapolated from the cut's seconds per lane-run (one policy, one seed,
// one scenario: the study runs every policy × seeds per scenario, then the threshold sweep's 2
// policies × thresholds × seeds). The issue's target for the whole study: 30 minutes.
if (want('study')) {
  const studyArgs = arg('study-args', '--only daily-peak-fast --seeds 5 --thresholds none --budgets none').split(' ').filter(Boolean);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-study-'));
  const r = timedProcess(process.execPath, ['--import', 'tsx', 'bench/study.ts', ...studyArgs, '--out', path.join(out, 'study')]);
  fs.rmSync(out, { recursive: true, force: true });
  const argOf = (name: string) => {
    const i = studyArgs.indexOf(`--${name}`);
    return i >= 0 ? studyArgs[i + 1] : undefined;
  };
  const studyDir = path.join('scenarios', 'study');
  const all = fs.readdirSync(studyDir).filter((f) => f.endsWith('.yaml'));
  const cut = argOf('only')?.split(',') ?? all.map((f) => f.replace(/\.yaml$/, ''));
  const seeds = Number(argOf('seeds') ?? 5);
  const settings = (name: string, dflt: number) => (argOf(name) === 'none' ? 0 : (argOf(name)?.split(',').length ?? dflt));
  const thresholds = settings('thresholds', 4) + settings('budgets', 2);
  // lane-runs: every policy of each scenario at every seed, then the sweep's 2 policies per threshold and churn budget
  const lanesOf = (name: string) => loadScenario(path.join(studyDir, `${name}.yaml`), {}).policies.length;
  const laneRuns = (names: string[], t: number) => names.reduce((a, n) => a + seeds * (lanesOf(n) + 2 * t), 0);
  const inCut = laneRuns(cut, thresholds);
  const whole = laneRuns(all.map((f) => f.replace(/\.yaml$/, '')), 4 + 2);
  const ok = r.exit === 0;
  results.study = { args: studyArgs, ...r, laneRuns: inCut, secondsPerLaneRun: r.seconds / inCut, wholeStudyLaneRuns: whole, wholeStudyMinutesExtrapolated: ok ? (r.seconds / inCut) * whole / 60 : undefined };
  rows.push([`study cut (${studyArgs.join(' ')}; ${inCut} lane-runs)`, ok ? `${r.seconds.toFixed(0)} s, ${(r.seconds / inCut).toFixed(1)} s per lane-run, peak RSS ${r.peakRssMB.toFixed(0)} MB` : `failed (exit ${r.exit}): ${r.tail}`, '']);
  if (ok) rows.push([`  whole study (${all.length} scenarios, ${seeds} seeds, 4 thresholds and 2 churn budgets: ${whole} lane-runs), extrapolated from the cut`, `${(((r.seconds / inCut) * whole) / 60).toFixed(0)} min (target ≤ 30)`, '']);
}
// Soak: whole `keycast run`s in their own processes, each measured by /usr/bin/time (peak RSS of
// the process and its worker threads); the issue's targets are 1.5 GB each, and the failure
// runs' SLO figures against static and against the fault-free run.
if (want('soak')) {
  type SoakFigures = { sloViolationRate: number; p99LatencyMs: number; movedBytes: number };
  const soakRuns: { key: string; label: string; file: string; set: string[]; extra?: string[] }[] = [
    { key: 'failureSoak0', label: 'failure-soak, no failures', file: 'scenarios/long/failure-soak.yaml', set: ['cluster.faults.opFailureRate=0'] },
    { key: 'failureSoak15', label: 'failure-soak, 15% failures', file: 'scenarios/long/failure-soak.yaml', set: [] },
    { key: 'failureSoak30', label: 'failure-soak, 30% failures', file: 'scenarios/long/failure-soak.yaml', set: ['cluster.faults.opFailureRate=0.3'] },
    // 24,000 records/s on 7 nodes of 1,143/s: 3× overloaded for two days (the backlog grows all along).
    { key: 'overloadedStatic', label: 'static, 3× overloaded, 2 days', file: 'scenarios/long/failure-soak.yaml', set: ['cluster.nodeCapacity=1143', 'duration=2d', 'cluster.faults.opFailureRate=0'], extra: ['--policies', 'static'] },
  ];
  if (!process.argv.includes('--no-month')) soakRuns.push({ key: 'traceMonth', label: 'flights trace, 28 days, 10 s ticks, four policies', file: 'scenarios/long/flights-month.yaml', set: [] });
  const soak: Record<string, { file: string; set: string[]; exit: number | null; peakRssMB: number; seconds: number; policies: Record<string, SoakFigures> }> = {};
  const seedArg = arg('seed', '');
  for (const r of soakRuns) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-soak-'));
    const args = ['-f', '%M %e', process.execPath, 'bin/keycast', 'run', r.file, '--out', path.join(out, 'report'), '--json', ...(seedArg ? ['--seed', seedArg] : []), ...r.set.flatMap((x) => ['--set', x]), ...(r.extra ?? [])];
    // Each run in its own process, niced, its heap capped (a run that outgrows it fails here, not the machine).
    const p = spawnSync('nice', ['-n', '10', '/usr/bin/time', ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' } });
    fs.rmSync(out, { recursive: true, force: true });
    const timeLine = (p.stderr ?? '').trim().split('\n').at(-1) ?? '';
    const [kb, secs] = timeLine.split(' ').map(Number);
    let policies: Record<string, SoakFigures> = {};
    try {
      policies = JSON.parse(p.stdout).policies;
    } catch {
      /* the run failed: reported below */
    }
    const figures = Object.fromEntries(Object.entries(policies).map(([n, x]) => [n, { sloViolationRate: x.sloViolationRate, p99LatencyMs: x.p99LatencyMs, movedBytes: x.movedBytes }]));
    soak[r.key] = { file: r.file, set: r.set, exit: p.status, peakRssMB: kb / 1024, seconds: secs, policies: figures };
    const ok = p.status === 0 || p.status === 1; // 1: an expectation failed; the figures stand
    rows.push([`soak: ${r.label}`, ok && Number.isFinite(kb) ? `peak RSS ${(kb / 1024).toFixed(0)} MB (target < 1536), ${secs.toFixed(0)} s${p.status ? `, exit ${p.status}` : ''}` : `failed (exit ${p.status}): ${timeLine.slice(0, 200)}`, '']);
    for (const [n, x] of Object.entries(figures)) rows.push([`  ${n}`, `${(100 * x.sloViolationRate).toFixed(3)}% over the SLO, p99 ${x.p99LatencyMs.toFixed(0)} ms, ${(x.movedBytes / 2 ** 30).toFixed(0)} GiB moved`, '']);
  }
  // The issue's targets for the failure runs (#16 item 3), each a line: met or NOT met.
  const target = (what: string, met: boolean | undefined) => rows.push([`  target: ${what}`, met === undefined ? 'not measured' : met ? 'met' : 'NOT met', '']);
  const f0 = soak.failureSoak0?.policies;
  const f15 = soak.failureSoak15?.policies;
  const f30 = soak.failureSoak30?.policies;
  for (const n of ['predictive', 'reactive']) {
    target(`15% failures: ${n} ≤ 1% of records over the SLO`, f15?.[n] ? f15[n].sloViolationRate <= 0.01 : undefined);
    target(`15% failures: ${n} moves ≤ 5× its fault-free bytes`, f15?.[n] && f0?.[n] ? f15[n].movedBytes <= 5 * f0[n].movedBytes : undefined);
    target(`30% failures: ${n} no worse than static (SLO violations and p99)`, f30?.[n] && f30.static ? f30[n].sloViolationRate <= f30.static.sloViolationRate && f30[n].p99LatencyMs <= f30.static.p99LatencyMs : undefined);
  }
  for (const [k, x] of Object.entries(soak)) target(`${k} peak RSS < 1.5 GB`, Number.isFinite(x.peakRssMB) && (x.exit === 0 || x.exit === 1) ? x.peakRssMB < 1536 : false);
  // Memory against run length, the month replay's target ("a 28-day run needs no more memory
  // than a 2-day one") from shorter runs: each policy alone on flights-month for `--growth-days`
  // simulated days (bench/heap-growth.ts: live heap after a full GC at every day mark, and the
  // off-heap typed arrays), growth per simulated day from day 2 by least squares.
  const growth: Record<string, unknown> = {};
  if (!process.argv.includes('--no-growth')) {
    const days = Number(arg('growth-days', '8'));
    for (const pol of ['static', 'reactive', 'predictive', 'oracle']) {
      const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-growth-')), 'growth.json');
      const p = spawnSync('nice', ['-n', '10', process.execPath, '--expose-gc', '--import', 'tsx', 'bench/heap-growth.ts', 'scenarios/long/flights-month.yaml', '--set', `duration=${days}d`, '--policies', pol, '--json', json], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' } });
      if (p.status !== 0 || !fs.existsSync(json)) {
        rows.push([`soak: live heap, ${pol}, ${days} days`, `failed (exit ${p.status}): ${(p.stderr ?? '').trim().split('\n').at(-1)?.slice(0, 200)}`, '']);
        target(`${pol}: no growth with run length`, false);
        continue;
      }
      const g = JSON.parse(fs.readFileSync(json, 'utf8')) as { samples: { day: number; heapMB: number; externalMB: number; rssMB: number }[]; heapMBPerDay: number; externalMBPerDay: number };
      fs.rmSync(path.dirname(json), { recursive: true, force: true });
      growth[pol] = g;
      const d2 = g.samples.find((x) => x.day === 2);
      const last = g.samples.at(-1)!;
      rows.push([`soak: live heap, flights-month, ${pol} alone`, `day 2: ${d2?.heapMB.toFixed(1)} MB, day ${last.day}: ${last.heapMB.toFixed(1)} MB; ${g.heapMBPerDay.toFixed(2)} MB (+ ${g.externalMBPerDay.toFixed(2)} MB off-heap) per simulated day`, '']);
      // The last day's live heap (and off-heap) within 8 MB of day 2's: a sample after a GC varies
      // by a few MB with the plans in flight and the report files' 1 MB write buffers, and the
      // charts' series fill their fixed caps by day 3–5. Before the caps, the heap grew 1.6–3.4 MB
      // a simulated day per policy (12–27 MB over these 8 days).
      const at = (x: { heapMB: number; externalMB: number } | undefined) => (x ? x.heapMB + x.externalMB : NaN);
      target(`${pol}: live heap at day ${last.day} within 8 MB of day 2's`, at(last) <= at(d2) + 8);
    }
  }
  results.soak = { ...soak, growth };
}
results.peakRssMB = process.resourceUsage().maxRSS / 1024;
if (want('decisions')) {
  const dec = planDecisionSection({ candidate: 'staged' });
  results.planDecisions = dec;
  for (const r of dec) {
    const vs = `${r.speedup.toFixed(2)}x less CPU than annealing (means), cost ${r.meanRatio.toFixed(3)}x its mean, ${r.worstRatio.toFixed(3)}x worst`;
    rows.push([`PRE decision, ${r.case} (${r.decisions}), ${r.optimizer}`, `${r.cpuMedianMs.toFixed(2)} ms CPU median${r.optimizer === 'annealing' ? '' : `; ${vs}`}`, '']);
  }
}
rows.push(['peak RSS', `${(results.peakRssMB as number).toFixed(0)} MB`, '']);

const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`${'what'.padEnd(w0)}  ${'figure'.padEnd(w1)}  × bare loop`);
for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
writeResults(results);

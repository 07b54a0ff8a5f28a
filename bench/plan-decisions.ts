/**
 * `npx tsx bench/plan-decisions.ts`: the PRE's cost per policy decision. Replays consecutive
 * decisions of a planning policy on a drifting load (follow-the-sun-like: a shuffled Zipf base
 * plus a hot band that travels one key space per day, a diurnal factor, Poisson-like noise on
 * the observed load) and reports milliseconds per decision (median, p90, mean), how many plans
 * were proposed, and a fingerprint of the decisions (equal fingerprints = identical plans).
 * A proposed plan is applied at once (the APM's execution is not simulated).
 *
 * Cases: `reactive` (B = 1024, 24 partitions, 6 nodes, 1 window every minute), `oracle` (the same
 * cluster, 30 one-minute windows every 5 minutes) and `reactive-large` (B = 4096, 256 partitions,
 * 32 nodes). `DECISIONS` (default 200), `CASES` (comma-separated names) and `ITERATIONS` (the
 * search budget, default 20000) override.
 *
 * `BUDGETS=1250,2500,5000,10000` also replays the very same decision inputs (the trajectory of the
 * first pass) at each budget, with one seeded random stream per decision, and prints the time
 * per decision and the mean cost of the configurations the decisions end with: how much plan
 * quality the budget buys.
 * `COMPARE=annealing,staged` replays the same decision inputs with each optimizer (the same
 * budget, one seeded random stream per decision) and prints, per optimizer, the time per
 * decision (CPU time of the process, steadier than wall time on a shared machine, and wall
 * time) and the cost of the configuration each decision ends with (the plan's target when
 * proposed, else the current map) under the decision's own input: mean, and the mean and worst
 * ratio to the first optimizer listed, decision by decision (≤ 1 is as good or better).
 * `WARM=0.25,0.1` (with `COMPARE`) adds the first optimizer with warm starts: each decision
 * also starts from the replay's previous result and, while that leads every fresh start, spends
 * that share of its budget (`PlanOptions.warm`, as a planning policy's `warmShare` does).
 * `NOISE=1` adds the first optimizer replayed with other random streams: how far one search
 * lands from itself decision by decision (the yardstick for the worst ratio).
 * `reactive-bench` and `oracle-bench` are the cluster of `npm run bench` (B = 4096, 256
 * partitions, 32 nodes; one observed window every minute, or 30 windows every 5 minutes).
 * `PRICED=1` gives every input a window length (`windowMs`, one minute), as the planning policies
 * do: the search and the proposal then price a plan while it runs (docs/planner.md).
 * `policy-oracle` and `policy-reactive` are not synthetic: they are every decision the oracle or
 * the reactive policy makes on the near-saturation scenario of `test/policies` at seeds 1–5
 * (recorded with `recordDecisions`; tail loads, timed windows, the policy's budget of 3000),
 * where node placement and the price of a plan while it runs dominate the cost.
 *
 * `fts-reactive`, `fts-predictive` and `fts-oracle` are every decision of that policy of the
 * default scenario (`scenarios/follow-the-sun.yaml`, run with the policy alone: 2 days, its seed,
 * its budget of 2500, tails and timed windows; 575–1389 decisions); `dpf-predictive`,
 * `ahs-predictive` and `ahs-fair` the same from the study's daily-peak-fast and
 * append-hotspot-slow (588–1270 decisions). Every replay line ends with a fingerprint of its
 * decisions (proposed, savings, reason, actions and their dependencies): equal fingerprints
 * before and after a change to the planner mean it decides exactly as before.
 *
 * `planDecisionSection()` is the comparison as a section of `npm run bench` (decision time and
 * plan cost on the captured decisions, annealing against a candidate optimizer).
 * Wall-clock reads here are measurements only; the planner itself never reads a clock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { equalPartitionMap, type PartitionMap, type Plan } from '../src/model/index.ts';
import { planCosts, planRepartition, recordDecisions, resumePoint, seededRng, warmOptions, type Goals, type Optimizer, type OptimizerName, type PlanInput } from '../src/planner/index.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { runLoaded } from '../src/api.ts';

const DAY_MS = 86_400_000;

export interface Case {
  readonly name: string;
  readonly buckets: number;
  readonly partitions: number;
  readonly nodes: number;
  readonly everyMs: number;
  readonly windows: number;
  readonly rateRps: number;
}

export const cases: readonly Case[] = [
  { name: 'reactive', buckets: 1024, partitions: 24, nodes: 6, everyMs: 60_000, windows: 1, rateRps: 30_000 },
  { name: 'oracle', buckets: 1024, partitions: 24, nodes: 6, everyMs: 300_000, windows: 30, rateRps: 30_000 },
  { name: 'reactive-large', buckets: 4096, partitions: 256, nodes: 32, everyMs: 60_000, windows: 1, rateRps: 160_000 },
  { name: 'reactive-bench', buckets: 4096, partitions: 256, nodes: 32, everyMs: 60_000, windows: 1, rateRps: 40_000 },
  { name: 'oracle-bench', buckets: 4096, partitions: 256, nodes: 32, everyMs: 300_000, windows: 30, rateRps: 40_000 },
];

/** Expected records/s per bucket at time t: half a shuffled Zipf(0.9), half a moving band. */
function makeLoad(B: number, rateRps: number): (tMs: number, out: Float64Array) => Float64Array {
  const r = seededRng(42);
  const zipf = new Float64Array(B);
  let zs = 0;
  for (let rank = 1; rank <= 50_000; rank++) {
    const w = Math.pow(rank, -0.9);
    zipf[Math.floor(r.next() * B)] += w;
    zs += w;
  }
  for (let j = 0; j < B; j++) zipf[j] /= zs;
  return (tMs, out) => {
    const diurnal = 1 + 0.4 * Math.cos((2 * Math.PI * (tMs - 14 * 3_600_000)) / DAY_MS);
    const center = (0.1 + tMs / DAY_MS) % 1;
    const lo = center - 0.06;
    for (let j = 0; j < B; j++) {
      const x = (j + 0.5) / B;
      const d = (((x - lo) % 1) + 1) % 1;
      const band = d < 0.12 ? 1 / (0.12 * B) : 0;
      out[j] = rateRps * diurnal * (0.5 * zipf[j] + 0.5 * band);
    }
    return out;
  };
}

export const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** FNV-1a over a string, for a short fingerprint of the decisions. */
function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** One captured decision: its input and the previous plan, as the first pass met them. */
export interface Decision {
  readonly input: PlanInput;
  readonly previous: Plan | Readonly<PartitionMap> | undefined;
  readonly now: number;
  /** The budget the policy gave it (replays use it instead of theirs). */
  readonly iterations?: number;
  /** The search-window limit the policy gave it. */
  readonly maxSearchWindows?: number;
}

/**
 * The near-saturation scenario of `test/policies/policies.test.ts` (4 nodes at up to 87% of their
 * capacity, a hot band moving three key spaces a day, 256 buckets, movement weight 0.5), where
 * node placement and the price of a plan while it runs dominate the cost.
 */
const NEAR_SATURATION = `name: near-saturation
seed: 1
duration: 3h
warmup: 30m
tick: 2s
keyspace: { kind: user-id, keys: 20000, buckets: 256 }
workload:
  rate: 8000
  recordBytes: 128
  shape: { diurnal: { amplitude: 0.3, peak: 2h } }
  keys:
    - { share: 0.4, zipf: { s: 0.9, shuffle: true } }
    - { share: 0.6, band: { center: 0.1, width: 0.1, speed: 3 } }
cluster: { nodes: 4, nodeCapacity: 3000, partitions: 8, maxPartitions: 64, moveBandwidth: 20MB/s }
slo: { latency: 100ms }
policies:
`;

/** Policies whose decisions `capturePolicy` records, by case name. */
export const policyCases: Readonly<Record<string, string>> = {
  'policy-oracle': '  oracle: { kind: oracle, every: 5m, horizon: 20m, iterations: 3000, goals: { movement: 0.5 } }',
  'policy-reactive': '  reactive: { kind: reactive, every: 2m, window: 2m, iterations: 3000, goals: { movement: 0.5 } }',
};

/**
 * Every decision a running policy makes (its inputs as the PRE receives them: tail loads, timed
 * windows, the planning base, the previous plan, its budget), recorded from runs of the
 * near-saturation scenario at `seeds` with the policy's own optimizer (the scenario default).
 */
export function capturePolicy(name: string, seeds: readonly number[] = [1, 2, 3, 4, 5]): Decision[] {
  const line = policyCases[name];
  if (!line) throw new RangeError(`unknown policy case ${name} (known: ${Object.keys(policyCases).join(', ')})`);
  const out: Decision[] = [];
  recordDecisions((input, o) => out.push({ input, previous: o.previous, now: o.nowMs ?? 0, iterations: o.iterations, maxSearchWindows: o.maxSearchWindows }));
  try {
    for (const seed of seeds) runLoaded(parseScenario(`${NEAR_SATURATION}${line}\n`.replace('seed: 1', `seed: ${seed}`), 'near-saturation.yaml', '.'));
  } finally {
    recordDecisions(undefined);
  }
  return out;
}

/**
 * Policies of a scenario file, by case name: every decision each makes there when it runs alone
 * (the scenario's duration and seed) — the default scenario's three (`fts-*`), and the study's
 * daily-peak-fast predictive and append-hotspot-slow predictive and fair baseline.
 */
export const scenarioCases: Readonly<Record<string, { readonly file: string; readonly policy: string }>> = {
  'fts-reactive': { file: 'scenarios/follow-the-sun.yaml', policy: 'reactive' },
  'fts-predictive': { file: 'scenarios/follow-the-sun.yaml', policy: 'predictive' },
  'fts-oracle': { file: 'scenarios/follow-the-sun.yaml', policy: 'oracle' },
  'dpf-predictive': { file: 'scenarios/study/daily-peak-fast.yaml', policy: 'predictive' },
  'ahs-predictive': { file: 'scenarios/study/append-hotspot-slow.yaml', policy: 'predictive' },
  'ahs-fair': { file: 'scenarios/study/append-hotspot-slow.yaml', policy: 'reactive_fair' },
};

/** Every decision of one policy of a scenario file, run with that policy alone (no expectations, no sweep). */
export function captureScenario(name: string): Decision[] {
  const c = scenarioCases[name];
  if (!c) throw new RangeError(`unknown scenario case ${name} (known: ${Object.keys(scenarioCases).join(', ')})`);
  const text = fs.readFileSync(c.file, 'utf8');
  const lines = text.split('\n');
  const out: string[] = [];
  let section = '';
  for (const l of lines) {
    const top = /^([A-Za-z]+):/.exec(l);
    if (top) section = top[1];
    if (section === 'expect' || section === 'sweep') continue;
    const pol = /^  ([A-Za-z0-9_-]+):/.exec(l);
    if (section === 'policies' && pol && pol[1] !== c.policy) continue;
    out.push(l);
  }
  const decisions: Decision[] = [];
  recordDecisions((input, o) => decisions.push({ input, previous: o.previous, now: o.nowMs ?? 0, iterations: o.iterations, maxSearchWindows: o.maxSearchWindows }));
  try {
    runLoaded(parseScenario(out.join('\n'), path.basename(c.file), path.dirname(c.file)), { workers: 1 });
  } finally {
    recordDecisions(undefined);
  }
  return decisions;
}

/** The decisions of a named case: synthetic (`cases`), a policy on the near-saturation scenario, or a policy of a scenario file. */
export function decisionsOf(name: string, o: CaptureOptions): Decision[] {
  const c = cases.find((x) => x.name === name);
  if (c) return captureCase(c, o).decisions;
  if (policyCases[name]) return capturePolicy(name);
  return captureScenario(name);
}

/** The first pass over a case: its decisions and what they cost. */
export interface Capture {
  readonly decisions: Decision[];
  readonly ms: number[];
  readonly proposed: number;
  readonly finalK: number;
  readonly fingerprint: number;
}

export interface CaptureOptions {
  readonly decisions: number;
  readonly iterations: number;
  readonly optimizer: OptimizerName | Optimizer;
  /** Keep the decisions' inputs (for replays). */
  readonly keep: boolean;
  /** Give the inputs a window length (the policies' price of time). */
  readonly priced?: boolean;
}

/** Runs `o.decisions` consecutive decisions of case `c`, applying each proposed plan at once. */
export function captureCase(c: Case, o: CaptureOptions): Capture {
  const B = c.buckets;
  const expected = makeLoad(B, c.rateRps);
  const noise = seededRng(7);
  const rng = seededRng(11);
  const goals: Goals = { imbalance: 1, movement: 0.2, latency: 0.1 };
  let map: PartitionMap = equalPartitionMap(B, c.partitions, c.nodes);
  let previous: Plan | undefined;
  const ms: number[] = [];
  let proposed = 0;
  let fp = 0x811c9dc5;
  const startMs = 2 * 3_600_000;
  const decisions: Decision[] = [];
  for (let d = 0; d < o.decisions; d++) {
    const now = startMs + d * c.everyMs;
    const windows: Float64Array[] = [];
    if (c.windows === 1) {
      // Observed over the last minute: counts with Poisson-like (normal) noise, as records/s.
      const w = expected(now - 30_000, new Float64Array(B));
      for (let j = 0; j < B; j++) {
        const n = w[j] * 60;
        const g = Math.sqrt(-2 * Math.log(1 - noise.next())) * Math.cos(2 * Math.PI * noise.next());
        w[j] = Math.max(0, n + g * Math.sqrt(n)) / 60;
      }
      windows.push(w);
    } else {
      for (let k = 0; k < c.windows; k++) windows.push(expected(now + (k + 0.5) * 60_000, new Float64Array(B)));
    }
    // State: the last 30 minutes of records at 512 B each.
    const rate = expected(now - 900_000, new Float64Array(B));
    const stateBytes = rate.map((x) => x * 1800 * 512);
    const input: PlanInput = {
      map,
      windows,
      stateBytes,
      cluster: { nodes: c.nodes, nodeCapacity: (1.6 * c.rateRps) / c.nodes, maxPartitions: 256 },
      goals,
      threshold: 0.05,
      ...(o.priced ? { windowMs: 60_000 } : {}),
    };
    if (o.keep) decisions.push({ input, previous, now });
    const t0 = performance.now(); // clock-ok: benchmark measurement
    const r = planRepartition(input, { optimizer: o.optimizer, iterations: o.iterations, rng, previous, nowMs: now, id: `d${d}` });
    ms.push(performance.now() - t0); // clock-ok
    fp = fnv(`${r.proposed}|${r.savings.toFixed(9)}|${JSON.stringify(r.plan.actions)};`, fp);
    if (r.proposed && r.plan.actions.length > 0) {
      proposed++;
      previous = r.plan;
      map = r.plan.after;
    }
  }
  return { decisions, ms, proposed, finalK: map.ids.length, fingerprint: fp };
}

/** One optimizer replayed over captured decisions. */
export interface Replay {
  readonly name: string;
  /** CPU ms of each decision (the process's user + system time). */
  readonly cpu: number[];
  /** Wall ms of each decision. */
  readonly wall: number[];
  readonly proposed: number;
  /** Cost of the configuration each decision ends with, under the decision's own input. */
  readonly costs: number[];
  /** FNV-1a over every decision's outcome (proposed, savings, reason, actions, dependencies): equal = identical decisions. */
  readonly fingerprint: number;
}

/**
 * Replays `decisions` with `optimizer` (one seeded random stream per decision), each at its own
 * captured budget if it has one, else at `iterations`: time per decision and the cost of the
 * configuration each ends with (the plan's target when proposed, else the current map).
 */
export function replay(decisions: readonly Decision[], optimizer: OptimizerName | Optimizer, iterations: number, seedBase = 1000, warmShare = 0): Replay {
  const wall: number[] = [];
  const cpu: number[] = [];
  const costs: number[] = [];
  let proposed = 0;
  let fp = 0x811c9dc5;
  let last: PartitionMap | undefined;
  decisions.forEach(({ input, previous, now, iterations: own, maxSearchWindows }, d) => {
    const budget = own ?? iterations;
    // As a planning policy does (warmShare): resume from the last search's result on a share of the budget.
    const warm = warmOptions(last, budget, warmShare);
    const t0 = performance.now(); // clock-ok: benchmark measurement
    const c0 = process.cpuUsage();
    const r = planRepartition(input, { optimizer, iterations: budget, maxSearchWindows, rng: seededRng(seedBase + d), previous, nowMs: now, id: `d${d}`, ...(warm ? { warm } : {}) });
    const c1 = process.cpuUsage(c0);
    last = resumePoint(r) ?? last;
    wall.push(performance.now() - t0); // clock-ok
    cpu.push((c1.user + c1.system) / 1000);
    if (r.proposed) proposed++;
    fp = fnv(`${r.proposed}|${r.savings}|${r.reason}|${JSON.stringify(r.plan.actions)}|${JSON.stringify(r.plan.dependsOn)};`, fp);
    costs.push(planCosts([r.proposed ? r.plan.after : input.map], input, { maxSearchWindows })[0]);
  });
  const name = `${typeof optimizer === 'string' ? optimizer : optimizer.name}${warmShare > 0 ? ` warm ${warmShare}` : ''}`;
  return { name: seedBase === 1000 ? name : `${name}/${seedBase}`, cpu, wall, proposed, costs, fingerprint: fp };
}

/** A replay against a reference replay of the same decisions: cost ratios decision by decision. */
export function versus(r: Replay, ref: Replay): { meanRatio: number; worstRatio: number; bestRatio: number; meanCost: number; maxCost: number } {
  const ratios = r.costs.map((c, i) => c / ref.costs[i]);
  return { meanRatio: mean(ratios), worstRatio: Math.max(...ratios), bestRatio: Math.min(...ratios), meanCost: mean(r.costs), maxCost: Math.max(...r.costs) };
}

/** One line of a replay: times and costs against the reference. */
export function replayLine(r: Replay, ref: Replay): string {
  const v = versus(r, ref);
  return (
    `  ${r.name.padEnd(10)} CPU median ${quantile(r.cpu, 0.5).toFixed(2)} ms mean ${mean(r.cpu).toFixed(2)} ms  wall median ${quantile(r.wall, 0.5).toFixed(2)} ms  p90 ${quantile(r.wall, 0.9).toFixed(2)} ms  mean ${mean(r.wall).toFixed(2)} ms  ` +
    `proposed ${r.proposed}  cost mean ${v.meanCost.toFixed(5)} max ${v.maxCost.toFixed(5)}  vs ${ref.name}: mean ${v.meanRatio.toFixed(4)} worst ${v.worstRatio.toFixed(4)} best ${v.bestRatio.toFixed(4)}  ` +
    `fingerprint ${r.fingerprint.toString(16).padStart(8, '0')}`
  );
}

/** The comparison rows of `npm run bench`: one per case, CPU median per decision of each optimizer, the ratio, and the plan cost. */
export interface DecisionRow {
  readonly case: string;
  readonly optimizer: string;
  readonly decisions: number;
  readonly cpuMedianMs: number;
  readonly cpuMeanMs: number;
  readonly speedup: number;
  readonly meanCost: number;
  readonly maxCost: number;
  readonly meanRatio: number;
  readonly worstRatio: number;
}

/**
 * `npm run bench`'s section: the captured decisions of `reactive-bench` and `oracle-bench` (the
 * bench's cluster) and of the policies on the near-saturation scenario, replayed with `reference`
 * (annealing, today's budget) and `candidate`; per case and optimizer the CPU time per decision,
 * the reference's mean CPU time ÷ this one's, and the plan cost (mean, highest, and the mean and
 * worst ratio to the reference decision by decision).
 */
export function planDecisionSection(
  opts: { decisions?: number; iterations?: number; reference?: OptimizerName; candidate?: OptimizerName; cases?: readonly string[] } = {},
): DecisionRow[] {
  const iterations = opts.iterations ?? 5_000;
  const reference = opts.reference ?? 'annealing';
  const candidate = opts.candidate ?? 'staged';
  const rows: DecisionRow[] = [];
  for (const name of opts.cases ?? ['reactive-bench', 'oracle-bench', 'policy-reactive', 'policy-oracle']) {
    const decisions = decisionsOf(name, { decisions: opts.decisions ?? 200, iterations, optimizer: reference, keep: true });
    const ref = replay(decisions, reference, iterations);
    const cand = replay(decisions, candidate, iterations);
    for (const r of [ref, cand]) {
      const v = versus(r, ref);
      rows.push({
        case: name,
        optimizer: r.name,
        decisions: decisions.length,
        cpuMedianMs: quantile(r.cpu, 0.5),
        cpuMeanMs: mean(r.cpu),
        speedup: mean(ref.cpu) / mean(r.cpu),
        meanCost: v.meanCost,
        maxCost: v.maxCost,
        meanRatio: v.meanRatio,
        worstRatio: v.worstRatio,
      });
    }
  }
  return rows;
}

/** The section's rows as text lines (what `npm run bench` prints). */
export function decisionSectionLines(rows: readonly DecisionRow[]): string[] {
  return rows.map(
    (r) =>
      `  ${r.case.padEnd(16)} ${r.optimizer.padEnd(10)} ${String(r.decisions).padStart(4)} decisions  CPU ${r.cpuMedianMs.toFixed(2)} ms median, ${r.cpuMeanMs.toFixed(2)} ms mean (${r.speedup.toFixed(2)}x)  ` +
      `cost mean ${r.meanCost.toFixed(4)} max ${r.maxCost.toFixed(4)}  ratio mean ${r.meanRatio.toFixed(4)} worst ${r.worstRatio.toFixed(4)}`,
  );
}

function main(): void {
  const DECISIONS = Number(process.env.DECISIONS ?? 200);
  const ITERATIONS = Number(process.env.ITERATIONS ?? 20_000);
  const BUDGETS = (process.env.BUDGETS ?? '').split(',').filter(Boolean).map(Number);
  const CASES = (process.env.CASES ?? 'reactive,oracle,reactive-large').split(',');
  const COMPARE = (process.env.COMPARE ?? '').split(',').filter(Boolean) as OptimizerName[];
  const WARM = (process.env.WARM ?? '').split(',').filter(Boolean).map(Number);
  /** Optimizer of the first pass (the trajectory the replays follow). */
  const OPTIMIZER = (process.env.OPTIMIZER ?? 'annealing') as OptimizerName;
  const priced = process.env.PRICED === '1';
  for (const name of CASES) {
    const c = cases.find((x) => x.name === name);
    let decisions: Decision[];
    if (c) {
      const cap = captureCase(c, { decisions: DECISIONS, iterations: ITERATIONS, optimizer: OPTIMIZER, keep: BUDGETS.length > 0 || COMPARE.length > 0, priced });
      decisions = cap.decisions;
      console.log(
        [c.name, `B=${c.buckets}`, `k0=${c.partitions}`, `windows=${c.windows}`, `decisions=${DECISIONS}`, ...(priced ? ['priced'] : [])].join(' ').padEnd(58) +
          `median ${quantile(cap.ms, 0.5).toFixed(2)} ms  p90 ${quantile(cap.ms, 0.9).toFixed(2)} ms  mean ${mean(cap.ms).toFixed(2)} ms  ` +
          `proposed ${cap.proposed}  final k ${cap.finalK}  fingerprint ${cap.fingerprint.toString(16).padStart(8, '0')}`,
      );
    } else if (policyCases[name]) {
      decisions = capturePolicy(name);
      const d0 = decisions[0]?.input;
      console.log(`${name} B=${d0?.map.buckets} windows=${d0?.windows.length} decisions=${decisions.length} (seeds 1-5, the policy's budget)`);
    } else if (scenarioCases[name]) {
      decisions = captureScenario(name);
      const d0 = decisions[0]?.input;
      console.log(`${name} B=${d0?.map.buckets} windows=${d0?.windows.length} decisions=${decisions.length} (${scenarioCases[name].file}, the policy alone, its budget)`);
    } else throw new RangeError(`unknown case ${name}`);
    // The same inputs without their captured budgets, so that each runs at the budget swept.
    const unbudgeted = decisions.map((d) => ({ ...d, iterations: undefined }));
    for (const budget of BUDGETS) {
      const r = replay(unbudgeted, OPTIMIZER, budget);
      console.log(`  budget ${String(budget).padStart(6)}: median ${quantile(r.wall, 0.5).toFixed(2)} ms a decision, cost mean ${mean(r.costs).toFixed(5)}`);
    }
    let ref: Replay | undefined;
    for (const optimizer of COMPARE) {
      const r = replay(decisions, optimizer, ITERATIONS);
      if (!ref) {
        ref = r;
        console.log(replayLine(r, ref));
        if (process.env.NOISE === '1') console.log(replayLine(replay(decisions, optimizer, ITERATIONS, 5000), ref));
      } else console.log(replayLine(r, ref));
    }
    // Warm starts against the first optimizer compared, cold: the same inputs, each decision resuming from the replay's last result.
    for (const share of WARM) if (ref) console.log(replayLine(replay(decisions, COMPARE[0], ITERATIONS, 1000, share), ref));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

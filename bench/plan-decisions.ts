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
 * per decision and the mean saving found: how much plan quality the budget buys.
 * `COMPARE=annealing,staged` replays the same decision inputs with each optimizer (the same
 * budget, one seeded random stream per decision) and prints, per optimizer, the time per
 * decision (CPU time of the process, steadier than wall time on a shared machine, and wall
 * time) and the cost of the configuration each decision ends with (the plan's target when
 * proposed, else the current map) under the decision's own input: mean, and the mean and worst
 * ratio to the first optimizer listed, decision by decision (≤ 1 is as good or better).
 * `reactive-bench` and `oracle-bench` are the cluster of `npm run bench` (B = 4096, 256
 * partitions, 32 nodes; one observed window every minute, or 30 windows every 5 minutes).
 * Wall-clock reads here are measurements only; the planner itself never reads a clock.
 */
import { equalPartitionMap, type PartitionMap, type Plan } from '../src/model/index.ts';
import { planCosts, planRepartition, seededRng, type Goals, type OptimizerName, type PlanInput } from '../src/planner/index.ts';

const DECISIONS = Number(process.env.DECISIONS ?? 200);
const ITERATIONS = Number(process.env.ITERATIONS ?? 20_000);
const BUDGETS = (process.env.BUDGETS ?? '').split(',').filter(Boolean).map(Number);
const CASES = (process.env.CASES ?? 'reactive,oracle,reactive-large').split(',');
const COMPARE = (process.env.COMPARE ?? '').split(',').filter(Boolean) as OptimizerName[];
/** Optimizer of the first pass (the trajectory the replays follow). */
const OPTIMIZER = (process.env.OPTIMIZER ?? 'annealing') as OptimizerName;
const DAY_MS = 86_400_000;

interface Case {
  readonly name: string;
  readonly buckets: number;
  readonly partitions: number;
  readonly nodes: number;
  readonly everyMs: number;
  readonly windows: number;
  readonly rateRps: number;
}

const cases: Case[] = [
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

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

/** FNV-1a over a string, for a short fingerprint of the decisions. */
function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function runCase(c: Case): void {
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
  const replays: { input: PlanInput; previous: Plan | undefined; now: number }[] = [];
  for (let d = 0; d < DECISIONS; d++) {
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
    };
    if (BUDGETS.length || COMPARE.length) replays.push({ input, previous, now });
    const t0 = performance.now(); // clock-ok: benchmark measurement
    const r = planRepartition(input, { optimizer: OPTIMIZER, iterations: ITERATIONS, rng, previous, nowMs: now, id: `d${d}` });
    ms.push(performance.now() - t0); // clock-ok
    fp = fnv(`${r.proposed}|${r.savings.toFixed(9)}|${JSON.stringify(r.plan.actions)};`, fp);
    if (r.proposed && r.plan.actions.length > 0) {
      proposed++;
      previous = r.plan;
      map = r.plan.after;
    }
  }
  const mean = ms.reduce((a, x) => a + x, 0) / ms.length;
  console.log(
    [c.name, `B=${B}`, `k0=${c.partitions}`, `windows=${c.windows}`, `decisions=${DECISIONS}`].join(' ').padEnd(58) +
      `median ${quantile(ms, 0.5).toFixed(2)} ms  p90 ${quantile(ms, 0.9).toFixed(2)} ms  mean ${mean.toFixed(2)} ms  ` +
      `proposed ${proposed}  final k ${map.ids.length}  fingerprint ${fp.toString(16).padStart(8, '0')}`,
  );
  for (const budget of BUDGETS) {
    let savings = 0;
    const t: number[] = [];
    replays.forEach(({ input, previous, now }, d) => {
      const t0 = performance.now(); // clock-ok: benchmark measurement
      const r = planRepartition(input, { iterations: budget, rng: seededRng(1000 + d), previous, nowMs: now, id: `d${d}` });
      t.push(performance.now() - t0); // clock-ok
      savings += r.savings;
    });
    console.log(`  budget ${String(budget).padStart(6)}: median ${quantile(t, 0.5).toFixed(2)} ms a decision, mean saving ${((100 * savings) / replays.length).toFixed(2)}%`);
  }
  let reference: number[] | undefined;
  for (const optimizer of COMPARE) {
    const t: number[] = [];
    const cpu: number[] = [];
    const costs: number[] = [];
    let proposedHere = 0;
    replays.forEach(({ input, previous, now }, d) => {
      const t0 = performance.now(); // clock-ok: benchmark measurement
      const c0 = process.cpuUsage();
      const r = planRepartition(input, { optimizer, iterations: ITERATIONS, rng: seededRng(1000 + d), previous, nowMs: now, id: `d${d}` });
      const c1 = process.cpuUsage(c0);
      t.push(performance.now() - t0); // clock-ok
      cpu.push((c1.user + c1.system) / 1000);
      if (r.proposed) proposedHere++;
      costs.push(planCosts([r.proposed ? r.plan.after : input.map], input)[0]);
    });
    reference ??= costs;
    const ratios = costs.map((c, i) => c / reference![i]);
    const meanCost = costs.reduce((a, x) => a + x, 0) / costs.length;
    const meanRatio = ratios.reduce((a, x) => a + x, 0) / ratios.length;
    console.log(
      `  ${optimizer.padEnd(10)} CPU median ${quantile(cpu, 0.5).toFixed(2)} ms mean ${(cpu.reduce((a, x) => a + x, 0) / cpu.length).toFixed(2)} ms  wall median ${quantile(t, 0.5).toFixed(2)} ms  p90 ${quantile(t, 0.9).toFixed(2)} ms  mean ${(t.reduce((a, x) => a + x, 0) / t.length).toFixed(2)} ms  ` +
        `proposed ${proposedHere}  cost mean ${meanCost.toFixed(5)}  vs ${COMPARE[0]}: mean ${meanRatio.toFixed(4)} worst ${Math.max(...ratios).toFixed(4)} best ${Math.min(...ratios).toFixed(4)}`,
    );
  }
}

for (const c of cases) if (CASES.includes(c.name)) runCase(c);

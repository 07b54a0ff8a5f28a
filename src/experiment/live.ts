/**
 * A live run (`keycast live`): the scenario's workload replayed as real writes into a Redis
 * Cluster while one policy's real KDP → PRE → APM repartitions it through `RedisControlPlane`.
 *
 * Time is compressed: the run lasts `wallMs`, so scenario time runs `speed = duration / wallMs`
 * times faster than the wall clock (a wall-clock `SchedulerPort`; the policy, its decisions and
 * the APM's retries all run on it). Rates are scaled: each tick's per-bucket record counts × `Y`
 * (`rateScale`, carried over ticks so fractions add up) become writes of `recordBytes`-byte
 * values to fresh keys `{t_s}:<run>:<n>` in the bucket's first slot, fired at the tick's wall
 * time (live-writer.ts). The policy sees the scenario's own counts (its decisions are the
 * simulator's), the cluster sees Y of them. State sizes and move costs then scale consistently:
 * the cluster holds Y of every record written so far (no retention), and a move of R records'
 * state costs what moving Y·R keys costs; `equivalentCluster` (move-model.ts) gives the scenario
 * `cluster:` fields under which the simulator reproduces that, for the sim-vs-real comparison.
 *
 * Measured: client latency of every write (wall ms; percentiles after warm-up, SLO violations
 * against `slo.latency`, separately while a move is in flight), operations (durations, bytes,
 * failures, rollbacks), and at the end that the map equals `CLUSTER SLOTS` with no slot open and
 * that every acknowledged write is still there (live-check.ts; 0 lost is the bar). An abort
 * (Ctrl-C, SIGTERM) stops the workload and the policy, lets operations in flight finish (and
 * cancels them, slots closed, if they outlast the settle time), then checks and reports as usual.
 */
import { Cluster } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { RandomSource } from '../engine/random.ts';
import { Priority, type SchedulerPort } from '../engine/virtual-scheduler.ts';
import { WallClockScheduler } from '../engine/wall-clock-scheduler.ts';
import { BucketHistory } from '../cluster/bucket-history.ts';
import { RedisControlPlane } from '../cluster/redis/redis-control-plane.ts';
import { slotsPerBucket } from '../cluster/redis/slot-tags.ts';
import { withTimeout } from '../cluster/redis/with-timeout.ts';
import { InputError } from '../model/errors.ts';
import type { OpEvent } from '../model/control-plane.ts';
import { partitionLoads } from '../model/partition-map.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { PolicySpec } from '../scenario/schema.ts';
import type { Policy, PolicyContext } from '../policies/policy.ts';
import { createPolicy } from './policy-factory.ts';
import { clusterFacts, makeWorkload, WINDOW_MS } from './run.ts';
import { realisedFor } from './realised.ts';
import { startMap } from './lane.ts';
import { checkWrites, type WriteCheck } from './live-check.ts';
import { latencyFigures, LiveWriter } from './live-writer.ts';

export type { Calibration } from './move-model.ts';
export type { LatencyFigures } from './live-writer.ts';
export type { LiveOptions, LiveResult, LiveRow } from './live-types.ts';
import type { LiveOptions, LiveResult, LiveRow } from './live-types.ts';



const r3 = (x: number) => Math.round(x * 1000) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The policy's spec and the slots per bucket; bad input is an InputError. */
function checkOptions(o: LiveOptions): { spec: LoadedScenario['policies'][number][1]; spb: number } {
  const spec = o.loaded.policies.find(([n]) => n === o.policy);
  if (!spec) throw new InputError([{ file: '<cli>', path: 'policies', message: `no policy '${o.policy}' in ${o.loaded.file} (has: ${o.loaded.policies.map(([n]) => n).join(', ')})` }]);
  try {
    return { spec: spec[1], spb: slotsPerBucket(o.loaded.scenario.keyspace.buckets) };
  } catch (err) {
    throw new InputError([{ file: o.loaded.file, path: 'keyspace.buckets', message: (err as Error).message }]);
  }
}

/** Connects the control plane (adopting the scenario's initial map) and a cluster client. */
async function connectCluster(o: LiveOptions, port: SchedulerPort, spec: PolicySpec): Promise<{ cp: RedisControlPlane; client: Cluster }> {
  const sc = o.loaded.scenario;
  const B = sc.keyspace.buckets;
  const cp = await RedisControlPlane.connect({ seeds: o.seeds, scheduler: port, buckets: B, initialMap: startMap(sc, spec), maxConcurrentOps: sc.cluster.maxConcurrentOps, maxPartitions: sc.cluster.maxPartitions });
  if (cp.masters.length !== sc.cluster.nodes) {
    await cp.close();
    throw new InputError([{ file: o.loaded.file, path: 'cluster.nodes', message: `is ${sc.cluster.nodes} but the Redis cluster has ${cp.masters.length} masters (keycast cluster up --masters ${sc.cluster.nodes}, or --set cluster.nodes=${cp.masters.length})` }]);
  }
  const client = new Cluster(
    o.seeds.map((s) => ({ host: s.host, port: s.port })),
    { scaleReads: 'master', maxRedirections: 32, retryDelayOnTryAgain: 20, retryDelayOnMoved: 0, redisOptions: { maxRetriesPerRequest: 1 } },
  );
  client.on('error', () => {});
  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('end', () => reject(new Error('the cluster client could not connect')));
  });
  try {
    await withTimeout(ready, 30_000, 'connecting the cluster client');
  } catch (err) {
    client.disconnect();
    await cp.close();
    throw err;
  }
  return { cp, client };
}

/** One live run's state: the workload's ticks, the policy, the measurements. */
class LiveRun {
  readonly sc: LoadedScenario['scenario'];
  readonly B: number;
  readonly speed: number;
  readonly y: number;
  readonly wall: WallClockScheduler;
  readonly port: SchedulerPort;
  stopping = false;
  readonly operations: OpEvent[] = [];
  movesInFlight = 0;
  readonly rows: LiveRow[] = [];
  readonly layouts: LiveResult['layouts'] = [];
  private readonly random: RandomSource;
  private readonly workload: ReturnType<typeof makeWorkload>;
  private readonly carry: Float64Array;
  private tick = 0;
  private windowStart = 0;
  private lastVersion = -1;
  private imbalanceSum = 0;
  private imbalanceN = 0;
  private wall0 = 0;
  history!: BucketHistory;
  policy!: Policy;
  cp!: RedisControlPlane;
  writer!: LiveWriter;

  constructor(
    readonly o: LiveOptions,
    readonly spb: number,
  ) {
    this.sc = o.loaded.scenario;
    this.B = this.sc.keyspace.buckets;
    this.speed = this.sc.duration / o.wallMs;
    this.y = o.rateScale ?? Number(Math.min(1, 1000 / (this.sc.workload.rate * this.speed)).toPrecision(3));
    this.random = new RandomSource(this.sc.seed);
    this.workload = makeWorkload(o.loaded, this.random);
    this.carry = new Float64Array(this.B);
    this.wall = new WallClockScheduler({ speed: this.speed });
    // Policy decisions stop when the run ends; the APM's own steps (rollbacks) go on.
    const gate = (fn: () => void, p?: Parameters<SchedulerPort['at']>[2]) => () => (this.stopping && p === Priority.policy ? undefined : fn());
    this.port = {
      now: () => this.wall.now(),
      at: (t, fn, p) => this.wall.at(t, gate(fn, p), p),
      after: (d, fn, p) => this.wall.after(d, gate(fn, p), p),
      cancel: (h) => this.wall.cancel(h),
    };
  }

  /** The policy's view of the run (the scenario's counts, the real control plane). */
  context(spec: LoadedScenario['policies'][number][1]): PolicyContext {
    const sc = this.sc;
    this.history = new BucketHistory(this.B, WINDOW_MS, Math.max(sc.cluster.retention, 3_600_000, 'window' in spec ? (spec as { window: number }).window : 0));
    this.policy = createPolicy(spec);
    return {
      name: this.o.policy,
      scheduler: this.port,
      control: this.cp,
      cluster: clusterFacts(sc),
      buckets: this.B,
      startMs: 0,
      endMs: sc.duration,
      warmupMs: sc.warmup,
      rng: this.random.fork(`policy/${this.o.policy}`),
      observedRate: (spanMs, out) => this.history.recentRate(this.wall.now(), spanMs, out),
      expectedRate: (tMs, out) => this.workload.expectedRates(tMs, out),
      // The scenario's arrivals as the simulator counts them (the live writes are a scaled copy).
      realised: realisedFor({ ...this.o.loaded, policies: [[this.o.policy, spec]] }, sc.duration),
      stateBytes: (out) => {
        this.history.bucketCounts(this.wall.now(), sc.cluster.retention, out);
        for (let i = 0; i < this.B; i++) out[i] *= sc.workload.recordBytes;
        return out;
      },
    };
  }

  watchOperations(): void {
    this.cp.events$.subscribe((e) => {
      const moving = e.action.kind === 'move' || e.action.kind === 'create';
      if (e.status === 'started') {
        if (moving) this.movesInFlight++;
        return;
      }
      if (moving) this.movesInFlight--;
      this.operations.push({ ...e, map: undefined });
    });
  }

  /** Imbalance of the window just ended and the layout if it changed. */
  closeWindow(): void {
    const map = this.cp.currentMap();
    const loads = partitionLoads(map, this.history.slot(0));
    let max = 0;
    let sum = 0;
    for (const l of loads) {
      sum += l;
      max = Math.max(max, l);
    }
    if (this.windowStart >= this.sc.warmup && sum > 0) {
      this.imbalanceSum += max / (sum / loads.length);
      this.imbalanceN++;
    }
    if (map.version !== this.lastVersion) {
      this.lastVersion = map.version;
      this.layouts.push({ timeMs: this.windowStart, boundaries: map.boundaries.map((b) => b / this.B), nodes: [...map.nodes] });
    }
  }

  /** One tick of the workload: the policy observes it, the cluster gets Y of its records. */
  onTick(done: () => void): void {
    if (this.stopping || this.o.signal?.aborted) return done();
    const sc = this.sc;
    const t = this.tick * sc.tick;
    const batch = this.workload.nextBatch(t);
    if (t >= this.windowStart + WINDOW_MS) {
      this.closeWindow();
      this.windowStart += WINDOW_MS;
    }
    this.history.add(batch);
    this.policy.observe?.(batch);
    const measured = t >= sc.warmup;
    const moving = this.movesInFlight > 0;
    for (let b = 0; b < this.B; b++) {
      const c = batch.counts[b];
      if (c === 0 && this.carry[b] === 0) continue;
      const want = c * this.y + this.carry[b];
      const n = Math.floor(want);
      this.carry[b] = want - n;
      // A bucket's records go to its first slot, ⌊x·16384⌋ of its position x = b/B: a move then
      // drains one slot per bucket (one MIGRATE per 100 keys); spread over all its slots, a move
      // paid a MIGRATE per slot, a cost the calibration's dense slots did not show.
      for (let k = 0; k < n; k++) this.writer.write(b * this.spb, measured, moving);
    }
    this.tick++;
    if (this.tick < Math.ceil(sc.duration / sc.tick)) this.port.at(this.tick * sc.tick, () => this.onTick(done), Priority.tick);
    else done();
  }

  /** The row of the wall second just ended (and the progress line). */
  progressRow(): void {
    const sec = this.writer.takeSecond();
    const q = (p: number) => (sec.n ? r3(sec.h.quantile(p)) : 0);
    const map = this.cp.currentMap();
    this.rows.push({ wallMs: Math.round(performance.now() - this.wall0), scenarioMs: Math.round(this.wall.now()), writes: sec.writes, acknowledged: sec.acknowledged, failed: sec.failed, p50LatencyMs: q(0.5), p99LatencyMs: q(0.99), movesInFlight: this.movesInFlight, partitions: map.ids.length }); // clock-ok
    this.o.onProgress?.(Math.min(1, this.wall.now() / this.sc.duration), `${this.o.policy}: ${sec.writes} writes/s, p99 ${q(0.99)} ms, ${map.ids.length} partitions, ${this.operations.length} ops done, ${this.movesInFlight} moving`);
  }

  /** Runs the workload until its end or an abort; resolves with the scenario ms reached. */
  async replay(ctx: PolicyContext): Promise<number> {
    let finish!: () => void;
    const ticksDone = new Promise<void>((r) => (finish = r));
    this.wall.reset(); // scenario time starts now, after connecting and adopting the map
    this.wall0 = performance.now(); // clock-ok
    this.policy.start(ctx);
    this.port.at(0, () => this.onTick(finish), Priority.tick);
    const onAbort = () => finish();
    this.o.signal?.addEventListener('abort', onAbort);
    await ticksDone;
    this.stopping = true;
    this.o.signal?.removeEventListener('abort', onAbort);
    const reached = Math.min(this.sc.duration, this.wall.now());
    this.closeWindow();
    return reached;
  }

  /**
   * Waits for writes and operations in flight (a quiet spell of 2 s with none); operations still
   * running after `settleMs` (or 10 s after an abort) are cancelled, their slots closed.
   */
  async settle(): Promise<number> {
    const limit = this.o.signal?.aborted ? Math.min(10_000, this.o.settleMs ?? 120_000) : (this.o.settleMs ?? 120_000);
    const end = performance.now() + limit; // clock-ok
    let quietSince = performance.now(); // clock-ok
    while (performance.now() < end) { // clock-ok
      if (this.writer.inFlight > 0 || this.cp.inFlight() > 0) quietSince = performance.now(); // clock-ok
      else if (performance.now() - quietSince > 2000) return 0; // clock-ok
      await sleep(50);
    }
    const left = this.cp.inFlight();
    if (left > 0) await this.cp.cancelAll('timeout', 'the live run ended');
    return left;
  }

  meanImbalance(): number {
    return this.imbalanceN ? Math.round((this.imbalanceSum / this.imbalanceN) * 1e6) / 1e6 : 1;
  }

  wallSince0(): number {
    return performance.now() - this.wall0; // clock-ok
  }
}

/** Runs the live experiment; resolves when the run ended and the map is settled and checked. */
export async function runLive(o: LiveOptions): Promise<LiveResult> {
  const stage = (what: string) => o.onStage?.(what);
  const { spec, spb } = checkOptions(o);
  const run = new LiveRun(o, spb);
  const sc = run.sc;
  stage('connecting');
  let conn: Awaited<ReturnType<typeof connectCluster>>;
  try {
    conn = await connectCluster(o, run.port, spec);
  } catch (err) {
    run.wall.close();
    throw err;
  }
  const { cp, client } = conn;
  run.cp = cp;
  const runId = Math.floor(performance.timeOrigin).toString(36); // clock-ok: keeps keys of separate runs apart
  run.writer = new LiveWriter(client, runId, sc.workload.recordBytes, o.maxInFlight ?? 2000, o.watchStrayRejections);
  const ctx = run.context(spec);
  run.watchOperations();
  stage('running');
  const progress = setInterval(() => run.progressRow(), 1000);
  let scenarioMs = 0;
  let cancelledAtEnd = 0;
  try {
    scenarioMs = await run.replay(ctx);
    stage('settling');
    cancelledAtEnd = await run.settle();
  } finally {
    clearInterval(progress);
    run.wall.close();
  }
  const report = run.policy.finish?.();
  const wallMs = run.wallSince0();
  stage('verifying');
  const verifyProblems = await cp.verify();
  const map = cp.currentMap();
  stage('reading keys back');
  const check = await checkWrites(cp.masters, map, spb, run.writer.acked, (s, id) => run.writer.key(s, id));
  client.disconnect();
  await cp.close();
  run.writer.close();
  return liveResult(run, cp, { scenarioMs, cancelledAtEnd, wallMs, report, verifyProblems, finalMap: map, check });
}

/** What the end of a run measured, besides what `run` and `cp` hold. */
interface RunEnd extends Pick<LiveResult, 'cancelledAtEnd' | 'report' | 'verifyProblems' | 'finalMap'> {
  readonly scenarioMs: number;
  readonly wallMs: number;
  readonly check: WriteCheck;
}

/** The result of a finished live run. */
function liveResult(run: LiveRun, cp: RedisControlPlane, e: RunEnd): LiveResult {
  const sc = run.sc;
  const w = run.writer;
  return {
    strayTimeouts: w.strayTimeouts,
    speed: run.speed,
    rateScale: run.y,
    wallMs: Math.round(e.wallMs),
    scenarioMs: Math.round(e.scenarioMs),
    stoppedEarly: e.scenarioMs < sc.duration - sc.tick,
    masters: cp.masters.length,
    writes: { ...w.counts, ...e.check },
    bytesPerWrite: r3(w.bytesPerWrite()),
    slotsPerBucket: run.spb,
    repairedAtStart: cp.repairedAtConnect,
    cancelledAtEnd: e.cancelledAtEnd,
    latency: latencyFigures(w.all, w.measured, sc.slo.latency),
    latencyDuringMoves: latencyFigures(w.duringMoves, w.measuredMoving, sc.slo.latency),
    operations: run.operations,
    opStats: cp.stats,
    movedBytes: cp.movedBytes,
    report: e.report,
    verifyProblems: e.verifyProblems,
    rows: run.rows,
    meanImbalance: run.meanImbalance(),
    finalMap: e.finalMap,
    layouts: run.layouts,
  };
}

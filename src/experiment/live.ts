/**
 * A live run (`keycast live`): the scenario's workload replayed as real writes into a Redis
 * Cluster while one policy's real KDP → PRE → APM repartitions it through `RedisControlPlane`.
 *
 * Time is compressed: the run lasts `wallMs`, so scenario time runs `speed = duration / wallMs`
 * times faster than the wall clock (a wall-clock `SchedulerPort`; the policy, its decisions and
 * the APM's retries all run on it). Rates are scaled: each tick's per-bucket record counts × `Y`
 * (`rateScale`, carried over ticks so fractions add up) become writes of `recordBytes`-byte
 * values to fresh keys `{t_s}:<run>:<n>` in the bucket's slots, fired at the tick's wall time.
 * The policy sees the scenario's own counts (its decisions are the simulator's), the cluster
 * sees Y of them. State sizes and move costs then scale consistently: the cluster holds Y of
 * every record written so far (no retention), and a move of R records' state costs what moving
 * Y·R keys costs. `equivalentCluster()` turns measured Redis figures into the scenario
 * `cluster:` fields that make the simulator reproduce that, which the sim-vs-real comparison uses.
 *
 * Measured: client latency of every write (wall ms; percentiles after warm-up, SLO violations
 * against `slo.latency`, separately while a move is in flight), operations (durations, bytes,
 * failures, rollbacks), and at the end that the map equals `CLUSTER SLOTS` with no slot open and
 * that every acknowledged write is still there (0 lost is the bar).
 */
import { Cluster, Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { RandomSource } from '../engine/random.ts';
import { Priority, type SchedulerPort } from '../engine/virtual-scheduler.ts';
import { WallClockScheduler } from '../engine/wall-clock-scheduler.ts';
import { BucketHistory } from '../cluster/bucket-history.ts';
import { LatencyHistogram } from '../cluster/latency-histogram.ts';
import { RedisControlPlane, type RedisOpStats } from '../cluster/redis/redis-control-plane.ts';
import { SLOTS, slotKey, slotsPerBucket } from '../cluster/redis/slot-tags.ts';
import { withTimeout } from '../cluster/redis/with-timeout.ts';
import { InputError } from '../model/errors.ts';
import type { OpEvent } from '../model/control-plane.ts';
import { equalPartitionMap, partitionLoads, type PartitionMap } from '../model/partition-map.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { PolicyContext, PolicyReport } from '../policies/policy.ts';
import { createPolicy } from './policy-factory.ts';
import { clusterFacts, makeWorkload, WINDOW_MS } from './run.ts';

/** Measured figures of a Redis Cluster's moves (from `keycast calibrate`), wall time. */
export interface Calibration {
  /** Bytes/s of a move's data phase. */
  readonly moveBytesPerSec: number;
  /** Fixed wall ms of a move (open, switch, agreement) regardless of its size. */
  readonly moveFixedMs: number;
  /** Wall ms of the owner switch (the cut-over). */
  readonly cutoverMs: number;
}

export interface LiveOptions {
  readonly loaded: LoadedScenario;
  /** The policy (a name of the scenario's `policies:`). */
  readonly policy: string;
  readonly seeds: readonly { readonly host: string; readonly port: number }[];
  /** Wall ms the run lasts (the scenario's duration is compressed into it). */
  readonly wallMs: number;
  /** Writes per scenario record (default: whatever makes the mean write rate ~1000/s). */
  readonly rateScale?: number;
  /** Writes in flight at most; beyond, a write is skipped and counted (default 2000). */
  readonly maxInFlight?: number;
  /** Ends the run early (Ctrl-C): the map is settled and the report written as usual. */
  readonly signal?: AbortSignal;
  /** Called about once a wall second. */
  readonly onProgress?: (fraction: number, line: string) => void;
  /** Wall ms to wait at the end for operations in flight and rollbacks (default 120 s). */
  readonly settleMs?: number;
}

/** One wall second of the live run. */
export interface LiveRow {
  wallMs: number;
  scenarioMs: number;
  writes: number;
  acknowledged: number;
  failed: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  movesInFlight: number;
  partitions: number;
}

/** Percentiles of a latency histogram. */
export interface LatencyFigures {
  writes: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
  sloViolationRate: number;
}

export interface LiveResult {
  readonly speed: number;
  readonly rateScale: number;
  /** Command timeouts ioredis reported only as unhandled rejections (failed commands, not writes lost). */
  readonly strayTimeouts: number;
  readonly wallMs: number;
  /** Scenario ms reached (less than the duration when stopped early). */
  readonly scenarioMs: number;
  readonly stoppedEarly: boolean;
  readonly masters: number;
  readonly writes: { issued: number; acknowledged: number; failed: number; skipped: number; lost: number; misplaced: number; checked: number };
  /** After warm-up. */
  readonly latency: LatencyFigures;
  /** After warm-up, writes issued while a move or create was running. */
  readonly latencyDuringMoves: LatencyFigures;
  readonly operations: readonly OpEvent[];
  readonly opStats: readonly RedisOpStats[];
  readonly movedBytes: number;
  readonly report?: PolicyReport;
  readonly verifyProblems: readonly string[];
  readonly rows: readonly LiveRow[];
  readonly meanImbalance: number;
  readonly finalMap: PartitionMap;
  readonly layouts: { timeMs: number; boundaries: number[]; nodes: number[] }[];
}

function figures(h: LatencyHistogram, n: number, sloMs: number): LatencyFigures {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    writes: n,
    p50LatencyMs: n ? r(h.quantile(0.5)) : 0,
    p95LatencyMs: n ? r(h.quantile(0.95)) : 0,
    p99LatencyMs: n ? r(h.quantile(0.99)) : 0,
    maxLatencyMs: n ? r(h.quantile(1)) : 0,
    sloViolationRate: n ? Math.round((h.countAbove(sloMs) / n) * 1e6) / 1e6 : 0,
  };
}

/**
 * The scenario `cluster:` fields under which the simulator's moves take what measured Redis
 * moves take in a live run compressed by `speed` with rate scale `y`: the sim's state of R
 * records is Y·R keys in Redis, and a wall ms is `speed` scenario ms. So the sim's bandwidth is
 * the measured one / (speed · y) (per record's bytes) and its move pause the measured fixed cost
 * × speed; retention covers the whole run (Redis keeps every key written).
 */
export function equivalentCluster(cal: Calibration, speed: number, y: number, durationMs: number): { moveBandwidth: number; pauses: { move: number }; retention: number } {
  return {
    moveBandwidth: cal.moveBytesPerSec / (speed * y),
    pauses: { move: Math.max(1, Math.round(cal.moveFixedMs * speed)) },
    retention: durationMs,
  };
}

/** Runs the live experiment; resolves when the run ended and the map is settled and checked. */
export async function runLive(o: LiveOptions): Promise<LiveResult> {
  const stage = (what: string) => process.env.KEYCAST_DEBUG && process.stderr.write(`live: ${what}\n`);
  const sc = o.loaded.scenario;
  const B = sc.keyspace.buckets;
  const spec = o.loaded.policies.find(([n]) => n === o.policy);
  if (!spec) throw new InputError([{ file: '<cli>', path: 'policies', message: `no policy '${o.policy}' in ${o.loaded.file} (has: ${o.loaded.policies.map(([n]) => n).join(', ')})` }]);
  try {
    slotsPerBucket(B);
  } catch (err) {
    throw new InputError([{ file: o.loaded.file, path: 'keyspace.buckets', message: (err as Error).message }]);
  }
  const speed = sc.duration / o.wallMs;
  const meanRate = sc.workload.rate;
  const y = o.rateScale ?? Number(Math.min(1, 1000 / (meanRate * speed)).toPrecision(3));
  const random = new RandomSource(sc.seed);
  const workload = makeWorkload(o.loaded, random);
  const wall = new WallClockScheduler({ speed });
  let stopping = false;
  // Policy decisions stop when the run ends; the APM's own steps (rollbacks) go on.
  const port: SchedulerPort = {
    now: () => wall.now(),
    at: (t, fn, p) => wall.at(t, () => (stopping && p === Priority.policy ? undefined : fn()), p),
    after: (d, fn, p) => wall.after(d, () => (stopping && p === Priority.policy ? undefined : fn()), p),
    cancel: (h) => wall.cancel(h),
  };
  stage('connecting');
  const cp = await RedisControlPlane.connect({
    seeds: o.seeds,
    scheduler: port,
    buckets: B,
    initialMap: equalPartitionMap(B, sc.cluster.partitions, sc.cluster.nodes),
    maxConcurrentOps: sc.cluster.maxConcurrentOps,
    maxPartitions: sc.cluster.maxPartitions,
  }).catch((err: Error) => {
    wall.close();
    throw err;
  });
  if (cp.masters.length !== sc.cluster.nodes) {
    await cp.close();
    wall.close();
    throw new InputError([{ file: o.loaded.file, path: 'cluster.nodes', message: `is ${sc.cluster.nodes} but the Redis cluster has ${cp.masters.length} masters (keycast cluster up --masters ${sc.cluster.nodes}, or --set cluster.nodes=${cp.masters.length})` }]);
  }
  stage('connected; cluster client');
  const client = new Cluster(
    o.seeds.map((s) => ({ host: s.host, port: s.port })),
    { scaleReads: 'master', maxRedirections: 32, retryDelayOnTryAgain: 20, retryDelayOnMoved: 0, redisOptions: { maxRetriesPerRequest: 1 } },
  );
  client.on('error', () => {});
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('end', () => reject(new Error('the cluster client could not connect')));
    }),
    30_000,
    'connecting the cluster client',
  ).catch(async (err) => {
    client.disconnect();
    await cp.close();
    wall.close();
    throw err;
  });

  const history = new BucketHistory(B, WINDOW_MS, Math.max(sc.cluster.retention, 3_600_000, 'window' in spec[1] ? (spec[1] as { window: number }).window : 0));
  const policy = createPolicy(spec[1]);
  const ctx: PolicyContext = {
    name: o.policy,
    scheduler: port,
    control: cp,
    cluster: clusterFacts(sc),
    buckets: B,
    startMs: 0,
    endMs: sc.duration,
    warmupMs: sc.warmup,
    rng: random.fork(`policy/${o.policy}`),
    observedRate: (spanMs, out) => history.recentRate(wall.now(), spanMs, out),
    expectedRate: (tMs, out) => workload.expectedRates(tMs, out),
    stateBytes: (out) => {
      history.bucketCounts(wall.now(), sc.cluster.retention, out);
      for (let i = 0; i < B; i++) out[i] *= sc.workload.recordBytes;
      return out;
    },
  };

  const operations: OpEvent[] = [];
  let movesInFlight = 0;
  cp.events$.subscribe((e) => {
    const moving = e.action.kind === 'move' || e.action.kind === 'create';
    if (e.status === 'started') {
      if (moving) movesInFlight++;
      return;
    }
    if (moving) movesInFlight--;
    operations.push({ ...e, map: undefined });
  });

  const spb = SLOTS / B;
  const runId = Math.floor(performance.timeOrigin).toString(36); // clock-ok: keeps keys of separate runs apart
  const value = 'v'.repeat(Math.max(1, sc.workload.recordBytes));
  const carry = new Float64Array(B);
  const acked = new Map<number, number[]>();
  const all = new LatencyHistogram();
  const duringMoves = new LatencyHistogram();
  let measured = 0;
  let measuredMoving = 0;
  const w = { issued: 0, acknowledged: 0, failed: 0, skipped: 0 };
  let inFlight = 0;
  const maxInFlight = o.maxInFlight ?? 2000;
  let seq = 0;
  const rows: LiveRow[] = [];
  let sec = { writes: 0, acknowledged: 0, failed: 0, h: new LatencyHistogram(), n: 0 };
  const layouts: LiveResult['layouts'] = [];
  let lastVersion = -1;
  let imbalanceSum = 0;
  let imbalanceN = 0;

  const write = (slot: number, measuredWrite: boolean, moving: boolean) => {
    if (inFlight >= maxInFlight) {
      w.skipped++;
      return;
    }
    const id = seq++;
    const t0 = performance.now(); // clock-ok: client latency is the measurement
    inFlight++;
    w.issued++;
    sec.writes++;
    withTimeout(client.set(slotKey(slot, `${runId}:${id}`), value), 5000, 'write').then(
      () => {
        const ms = performance.now() - t0; // clock-ok
        inFlight--;
        w.acknowledged++;
        sec.acknowledged++;
        sec.h.add(ms, 1);
        sec.n++;
        let list = acked.get(slot);
        if (!list) acked.set(slot, (list = []));
        list.push(id);
        if (measuredWrite) {
          all.add(ms, 1);
          measured++;
          if (moving) {
            duringMoves.add(ms, 1);
            measuredMoving++;
          }
        }
      },
      () => {
        inFlight--;
        w.failed++;
        sec.failed++;
      },
    );
  };

  // The workload, one tick at a time on the compressed wall clock.
  const ticks = Math.ceil(sc.duration / sc.tick);
  let tick = 0;
  let windowStart = 0;
  let finishTicks!: () => void;
  const ticksDone = new Promise<void>((r) => (finishTicks = r));
  const closeWindow = () => {
    const loads = partitionLoads(cp.currentMap(), history.slot(0));
    let max = 0;
    let sum = 0;
    for (const l of loads) {
      sum += l;
      max = Math.max(max, l);
    }
    if (windowStart >= sc.warmup && sum > 0) {
      imbalanceSum += max / (sum / loads.length);
      imbalanceN++;
    }
    const map = cp.currentMap();
    if (map.version !== lastVersion) {
      lastVersion = map.version;
      layouts.push({ timeMs: windowStart, boundaries: map.boundaries.map((b) => b / B), nodes: [...map.nodes] });
    }
  };
  const onTick = () => {
    if (stopping || o.signal?.aborted) {
      finishTicks();
      return;
    }
    const t = tick * sc.tick;
    const batch = workload.nextBatch(t);
    if (t >= windowStart + WINDOW_MS) {
      closeWindow();
      windowStart += WINDOW_MS;
    }
    history.add(batch);
    policy.observe?.(batch);
    const measuredWrite = t >= sc.warmup;
    const moving = movesInFlight > 0;
    for (let b = 0; b < B; b++) {
      const c = batch.counts[b];
      if (c === 0 && carry[b] === 0) continue;
      const want = c * y + carry[b];
      const n = Math.floor(want);
      carry[b] = want - n;
      // A bucket's records go to its first slot, ⌊x·16384⌋ of its position x = b/B: a move then
      // drains one slot per bucket (one MIGRATE per 100 keys), as the bytes-only move model of
      // the simulator assumes; spread over all its slots, a move paid a MIGRATE per slot.
      for (let k = 0; k < n; k++) write(b * spb, measuredWrite, moving);
    }
    tick++;
    if (tick < ticks) port.at(tick * sc.tick, onTick, Priority.tick);
    else finishTicks();
  };
  // ioredis can leave a timed-out command's promise unhandled inside its cluster client; such a
  // write is one that failed (not acknowledged), so it must not end the run.
  let strayTimeouts = 0;
  const onStray = (err: unknown) => {
    if (err instanceof Error && err.message === 'Command timed out') strayTimeouts++;
    else throw err;
  };
  process.on('unhandledRejection', onStray);
  stage('running');
  wall.reset(); // scenario time starts now, after connecting and adopting the map
  const wall0 = performance.now(); // clock-ok
  policy.start(ctx);
  port.at(0, onTick, Priority.tick);
  const progress = setInterval(() => {
    const h = sec.h;
    rows.push({
      wallMs: Math.round(performance.now() - wall0), // clock-ok
      scenarioMs: Math.round(wall.now()),
      writes: sec.writes,
      acknowledged: sec.acknowledged,
      failed: sec.failed,
      p50LatencyMs: sec.n ? Math.round(h.quantile(0.5) * 1000) / 1000 : 0,
      p99LatencyMs: sec.n ? Math.round(h.quantile(0.99) * 1000) / 1000 : 0,
      movesInFlight,
      partitions: cp.currentMap().ids.length,
    });
    const last = rows[rows.length - 1];
    o.onProgress?.(Math.min(1, wall.now() / sc.duration), `${o.policy}: ${last.writes} writes/s, p99 ${last.p99LatencyMs} ms, ${cp.currentMap().ids.length} partitions, ${operations.length} ops done, ${movesInFlight} moving`);
    sec = { writes: 0, acknowledged: 0, failed: 0, h: new LatencyHistogram(), n: 0 };
  }, 1000);
  const onAbort = () => finishTicks();
  o.signal?.addEventListener('abort', onAbort);
  await ticksDone;
  stopping = true;
  o.signal?.removeEventListener('abort', onAbort);
  const scenarioMs = Math.min(sc.duration, wall.now());
  closeWindow();
  const report = policy.finish?.();

  stage('settling');
  // Settle: writes answered, operations and rollbacks finished (a quiet spell with none in flight).
  const settleEnd = performance.now() + (o.settleMs ?? 120_000); // clock-ok
  let quietSince = performance.now(); // clock-ok
  while (performance.now() < settleEnd) { // clock-ok
    if (inFlight > 0 || cp.inFlight() > 0) quietSince = performance.now(); // clock-ok
    else if (performance.now() - quietSince > 2000) break; // clock-ok
    await new Promise((r) => setTimeout(r, 50));
  }
  clearInterval(progress);
  const wallMs = performance.now() - wall0; // clock-ok
  wall.close();
  stage('verifying');
  const verifyProblems = await cp.verify();

  // Every acknowledged write must still be in the cluster, on the master that owns its slot
  // (a key found only on another master is misplaced: unreachable through the cluster).
  const map = cp.currentMap();
  let lost = 0;
  let misplaced = 0;
  let checked = 0;
  const slotsAcked = [...acked.keys()].sort((a, b) => a - b);
  const ownerOf = (slot: number) => {
    const bucket = Math.floor(slot / spb);
    let i = 0;
    while (map.boundaries[i + 1] <= bucket) i++;
    return map.nodes[i];
  };
  stage('reading keys back');
  const present = cp.masters.map(() => new Map<number, Set<string>>());
  for (const m of cp.masters) {
    const c = new Redis({ host: m.host, port: m.port });
    c.on('error', () => {});
    try {
      for (let k = 0; k < slotsAcked.length; k += 256) {
        const part = slotsAcked.slice(k, k + 256);
        const res = (await withTimeout(c.pipeline(part.map((s) => ['cluster', 'getkeysinslot', String(s), '100000000'])).exec(), 60_000, 'reading keys back')) ?? [];
        part.forEach((s, j) => present[m.index].set(s, new Set(res[j][0] ? [] : (res[j][1] as string[]))));
      }
    } catch {
      /* an unreachable master: its keys count as lost below */
    } finally {
      c.disconnect();
    }
  }
  for (const s of slotsAcked) {
    const owner = ownerOf(s);
    for (const id of acked.get(s)!) {
      checked++;
      const key = slotKey(s, `${runId}:${id}`);
      if (present[owner].get(s)?.has(key)) continue;
      if (present.some((p) => p.get(s)?.has(key))) misplaced++;
      else lost++;
    }
  }
  client.disconnect();
  await cp.close();
  process.off('unhandledRejection', onStray);
  return {
    strayTimeouts,
    speed,
    rateScale: y,
    wallMs: Math.round(wallMs),
    scenarioMs: Math.round(scenarioMs),
    stoppedEarly: scenarioMs < sc.duration - sc.tick,
    masters: cp.masters.length,
    writes: { ...w, lost, misplaced, checked },
    latency: figures(all, measured, sc.slo.latency),
    latencyDuringMoves: figures(duringMoves, measuredMoving, sc.slo.latency),
    operations,
    opStats: cp.stats,
    movedBytes: cp.movedBytes,
    report,
    verifyProblems,
    rows,
    meanImbalance: imbalanceN ? Math.round((imbalanceSum / imbalanceN) * 1e6) / 1e6 : 1,
    finalMap: map,
    layouts,
  };
}

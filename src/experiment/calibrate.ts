/**
 * Calibration of the simulator against a real Redis Cluster (`keycast calibrate`): measures how
 * long moving a slot range takes as a function of its size (1–1000 slots by default) twice, once
 * with every slot holding the same keys (bytes grow with slots) and once with the slots empty
 * (the per-slot cost alone), how long the owner switch (cut-over) takes, and client write latency
 * with and without a move in flight; then fits the simulator's move model (move-model.ts:
 * fixed + per slot + more when the slots hold keys + bytes / bandwidth) to the durations, so that moves of any key density are
 * predicted, not only the calibration's own. Prints the scenario `cluster:` fields that reproduce
 * the measurements and the per-size relative errors.
 *
 * A filled sample is a `create` (the top n slots of node 0's partition go to node 1) and the move
 * back; an empty one does the same with node 1's top n slots (to node 0 and back); a merge
 * (bookkeeping) restores the layout. All go through `RedisControlPlane`. One round of the smallest
 * size is run first and not counted (the first moves after the fill ran several times slower),
 * and each repeat goes through every size in turn, so that a change of the machine's load over the
 * run falls on all sizes alike.
 */
import { Cluster, Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../cluster/latency-histogram.ts';
import { RedisControlPlane, type RedisOpStats } from '../cluster/redis/redis-control-plane.ts';
import { SLOTS, slotKey } from '../cluster/redis/slot-tags.ts';
import { withTimeout } from '../cluster/redis/with-timeout.ts';
import { WallClockScheduler } from '../engine/wall-clock-scheduler.ts';
import { equalPartitionMap } from '../model/partition-map.ts';
import type { PlanAction } from '../model/plan.ts';
import { fitMoveModel, modelMs, type Calibration } from './move-model.ts';

export interface CalibrateOptions {
  readonly seeds: readonly { readonly host: string; readonly port: number }[];
  /** Range sizes in slots (default 1, 10, 100, 300, 1000). */
  readonly sizes?: readonly number[];
  /** Samples per size and direction (default 3). */
  readonly repeats?: number;
  readonly keysPerSlot?: number;
  readonly valueBytes?: number;
  /** Background client writes per second while measuring (default 500). */
  readonly writeRate?: number;
  readonly onProgress?: (line: string) => void;
}

export interface CalibrationSample {
  readonly slots: number;
  /** Whether the range held the calibration's keys (false: empty slots, the per-slot cost). */
  readonly filled: boolean;
  readonly direction: 'out' | 'back';
  readonly keys: number;
  readonly bytes: number;
  readonly wallMs: number;
  readonly cutoverWallMs: number;
}

export interface SizeFit {
  readonly slots: number;
  readonly filled: boolean;
  readonly bytes: number;
  readonly measuredMs: number;
  readonly simulatedMs: number;
  /** (simulated − measured) / measured, of the medians. */
  readonly relativeError: number;
}

export interface CalibrationResult {
  readonly masters: number;
  readonly keysPerSlot: number;
  readonly valueBytes: number;
  readonly samples: readonly CalibrationSample[];
  readonly calibration: Calibration;
  readonly sizes: readonly SizeFit[];
  readonly latency: { readonly idle: { writes: number; p50Ms: number; p99Ms: number }; readonly duringMoves: { writes: number; p50Ms: number; p99Ms: number } };
  /** The scenario `cluster:` fields (YAML) that reproduce the measured move durations in the simulator. */
  readonly scenarioFields: string;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** A size in bytes/s as a scenario bandwidth (`12.5MB/s`). */
function bandwidthText(bps: number): string {
  if (!Number.isFinite(bps)) return '10GB/s';
  if (bps >= 1024 * 1024) return `${Number((bps / 1024 / 1024).toPrecision(3))}MB/s`;
  if (bps >= 1024) return `${Number((bps / 1024).toPrecision(3))}KB/s`;
  return `${Math.round(bps)}B/s`;
}

/** The scenario fields for a key space of `buckets` buckets (a bucket is 16384 / buckets slots). */
export function scenarioFields(cal: Calibration, buckets: number): string {
  const perBucket = r3((cal.perSlotMs ?? 0) * (SLOTS / buckets));
  return `cluster: { moveBandwidth: ${bandwidthText(cal.moveBytesPerSec)}, movePerBucket: ${perBucket}ms, moveDataSetup: ${r3(cal.dataFixedMs ?? 0)}ms, pauses: { move: ${Math.max(1, Math.round(cal.moveFixedMs))}ms } }`;
}

/** Writes `keysPerSlot` keys of `valueBytes` into slots `[from, to)` through master `node`. */
async function fill(node: { host: string; port: number }, from: number, to: number, keysPerSlot: number, valueBytes: number): Promise<void> {
  const filler = new Redis({ host: node.host, port: node.port });
  filler.on('error', () => {});
  const value = 'c'.repeat(valueBytes);
  try {
    for (let s = from; s < to; s += 100) {
      const p = filler.pipeline();
      for (let t = s; t < Math.min(to, s + 100); t++) for (let j = 0; j < keysPerSlot; j++) p.set(slotKey(t, `cal:${j}`), value);
      await p.exec();
    }
  } finally {
    filler.disconnect();
  }
}

/** Background client writes (half into the filled range, half anywhere but the empty one), timed idle or during a move. */
class BackgroundWriter {
  readonly idle = new LatencyHistogram();
  readonly moving = new LatencyHistogram();
  nIdle = 0;
  nMoving = 0;
  inMove = false;
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly client: Cluster;

  /** `avoid`: slots no write may land in (the empty ranges must stay empty). */
  constructor(seeds: CalibrateOptions['seeds'], rate: number, hotTop: number, hotSize: number, valueBytes: number, avoid: { start: number; end: number }) {
    this.client = new Cluster(seeds.map((s) => ({ host: s.host, port: s.port })), { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 1 } });
    this.client.on('error', () => {});
    const value = 'c'.repeat(valueBytes);
    this.timer = setInterval(() => {
      for (let k = 0; k < Math.max(1, Math.round(rate / 100)); k++) {
        const seq = this.seq++;
        let slot = seq % 2 === 0 ? hotTop - 1 - (seq % hotSize) : (seq * 7919) % SLOTS;
        if (slot >= avoid.start && slot < avoid.end) slot = hotTop - 1 - (seq % hotSize);
        const during = this.inMove;
        const t0 = performance.now(); // clock-ok: client latency is the measurement
        withTimeout(this.client.set(slotKey(slot, `calw:${seq}`), value), 5000, 'write').then(
          () => this.add(performance.now() - t0, during), // clock-ok
          () => {},
        );
      }
    }, 10);
  }

  private add(ms: number, during: boolean): void {
    if (during) {
      this.moving.add(ms, 1);
      this.nMoving++;
    } else {
      this.idle.add(ms, 1);
      this.nIdle++;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await new Promise((r) => setTimeout(r, 200));
    this.client.disconnect();
  }
}

/** Submits `a` and resolves with its figures when it is done (rejects when it fails or is refused). */
function runOp(cp: RedisControlPlane, a: PlanAction): Promise<RedisOpStats> {
  return new Promise((resolve, reject) => {
    const r = cp.submit(a, 'calibrate');
    if (!r.accepted) return reject(new Error(`calibration step refused: ${r.reason}`));
    const sub = cp.events$.subscribe((e) => {
      if (e.opId !== r.opId || e.status === 'started') return;
      sub.unsubscribe();
      if (e.status === 'failed') reject(new Error(`calibration step failed: ${e.reason}`));
      else resolve(cp.stats.find((s) => s.opId === r.opId)!);
    });
  });
}

/** One sample: the top `n` slots of partition `from` (on node `fromNode`) go to node `to` and back. */
async function sample(cp: RedisControlPlane, writer: BackgroundWriter, n: number, filled: boolean, newId: string): Promise<CalibrationSample[]> {
  const map = cp.currentMap();
  const i = filled ? 0 : 1;
  const part = map.ids[i];
  writer.inMove = true;
  const out = await runOp(cp, { kind: 'create', partition: part, at: map.boundaries[i + 1] - n, node: filled ? 1 : 0, newId });
  const back = await runOp(cp, { kind: 'move', partition: newId, node: map.nodes[i] });
  writer.inMove = false;
  await runOp(cp, { kind: 'merge', partition: part, with: newId });
  const row = (s: RedisOpStats, direction: 'out' | 'back'): CalibrationSample => ({ slots: n, filled, direction, keys: s.keys, bytes: s.bytes, wallMs: r3(s.wallMs), cutoverWallMs: r3(s.cutoverWallMs) });
  return [row(out, 'out'), row(back, 'back')];
}

/**
 * The fitted model and its per-size errors. The model is fitted to the median of each size and
 * kind (filled or empty), the figures the errors are reported on: one move slowed by the shared
 * machine then moves one median a little, not the fit, where the relative weights would let a
 * single fast or slow small move pull every term.
 */
export function fitSamples(samples: readonly CalibrationSample[], sizes: readonly number[]): { calibration: Calibration; fits: SizeFit[] } {
  const groups = new Map<string, CalibrationSample[]>();
  for (const s of samples) {
    const k = `${s.slots}:${s.filled}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const fit = fitMoveModel([...groups.values()].map((g) => ({ slots: g[0].slots, bytes: median(g.map((x) => x.bytes)), wallMs: median(g.map((x) => x.wallMs)) })));
  const calibration: Calibration = {
    moveBytesPerSec: r3(fit.moveBytesPerSec),
    moveFixedMs: r3(fit.moveFixedMs),
    perSlotMs: Math.round(fit.perSlotMs * 1e6) / 1e6,
    dataFixedMs: r3(fit.dataFixedMs),
    cutoverMs: r3(median(samples.map((s) => s.cutoverWallMs))),
  };
  const fits: SizeFit[] = [];
  for (const filled of [true, false]) {
    for (const n of sizes) {
      const mine = samples.filter((s) => s.slots === n && s.filled === filled);
      if (mine.length === 0) continue;
      const bytes = median(mine.map((s) => s.bytes));
      const measured = median(mine.map((s) => s.wallMs));
      const sim = modelMs(calibration, n, bytes);
      fits.push({ slots: n, filled, bytes, measuredMs: r3(measured), simulatedMs: r3(sim), relativeError: r3((sim - measured) / measured) });
    }
  }
  return { calibration, fits };
}

export async function calibrate(o: CalibrateOptions): Promise<CalibrationResult> {
  const sizes = o.sizes ?? [1, 10, 100, 300, 1000];
  const repeats = o.repeats ?? 3;
  const keysPerSlot = o.keysPerSlot ?? 100;
  const valueBytes = o.valueBytes ?? 200;
  const scheduler = new WallClockScheduler();
  // One bucket per slot: a partition is any slot range.
  const cp = await RedisControlPlane.connect({ seeds: o.seeds, scheduler, buckets: SLOTS, initialMap: (m) => equalPartitionMap(SLOTS, Math.max(2, m), m), maxConcurrentOps: 1 });
  const maxSize = Math.max(...sizes);
  const top = cp.currentMap().boundaries[1];
  let writer: BackgroundWriter | undefined;
  const samples: CalibrationSample[] = [];
  try {
    if (cp.masters.length < 2) throw new Error('calibration needs at least 2 masters');
    if (maxSize >= top) throw new Error(`the largest range (${maxSize} slots) must be smaller than node 0's partition (${top} slots)`);
    await fill(cp.masters[0], top - maxSize, top, keysPerSlot, valueBytes);
    const top1 = cp.currentMap().boundaries[2];
    writer = new BackgroundWriter(o.seeds, o.writeRate ?? 500, top, maxSize, valueBytes, { start: top1 - maxSize, end: top1 });
    await new Promise((r) => setTimeout(r, 1000)); // idle latency first
    let id = 0;
    // One move out and back of each kind, not counted: the first moves after the fill ran slow.
    for (const filled of [true, false]) await sample(cp, writer, Math.min(...sizes), filled, `cal${id++}`);
    // Repeats outside sizes: a drift of the machine's load spreads over every size, not one.
    for (let i = 0; i < repeats; i++) {
      for (const n of sizes) {
        for (const filled of [true, false]) {
          const got = await sample(cp, writer, n, filled, `cal${id++}`);
          samples.push(...got);
          o.onProgress?.(`${n} ${filled ? 'filled' : 'empty'} slots: out ${Math.round(got[0].wallMs)} ms, back ${Math.round(got[1].wallMs)} ms (${got[0].bytes} B)`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  } finally {
    await writer?.close();
    await cp.close();
    scheduler.close();
  }
  const { calibration, fits } = fitSamples(samples, sizes);
  const q = (h: LatencyHistogram, n: number) => ({ writes: n, p50Ms: n ? r3(h.quantile(0.5)) : 0, p99Ms: n ? r3(h.quantile(0.99)) : 0 });
  return {
    masters: cp.masters.length,
    keysPerSlot,
    valueBytes,
    samples,
    calibration,
    sizes: fits,
    latency: { idle: q(writer!.idle, writer!.nIdle), duringMoves: q(writer!.moving, writer!.nMoving) },
    scenarioFields: scenarioFields(calibration, 256),
  };
}

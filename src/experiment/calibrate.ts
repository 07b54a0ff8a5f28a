/**
 * Calibration of the simulator against a real Redis Cluster (`keycast calibrate`): measures how
 * long moving a slot range takes as a function of its size (1–1000 slots by default, each slot
 * holding the same keys, so bytes grow with slots), how long the owner switch (cut-over) takes,
 * and client write latency with and without a move in flight; then fits the simulator's move
 * model to the durations. The simulator moves a range in `bytes / moveBandwidth` plus the fixed
 * `pauses.move` (test/cluster/control-plane.test.ts pins that), so a least-squares line
 * `duration = fixed + bytes / bandwidth` over the samples gives the scenario `cluster:` fields
 * (`moveBandwidth`, `pauses.move`) that reproduce the measured durations, and the per-size
 * relative errors say how well.
 *
 * Each sample is a `create` (the top n slots of node 0's partition go to node 1) and the move
 * back, through `RedisControlPlane`, then a merge (bookkeeping) restores the layout.
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
import type { Calibration } from './live.ts';

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
  readonly direction: 'out' | 'back';
  readonly keys: number;
  readonly bytes: number;
  readonly wallMs: number;
  readonly cutoverWallMs: number;
}

export interface SizeFit {
  readonly slots: number;
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

/**
 * Weighted least squares `y = a + b·x` minimising the sum of squared *relative* errors
 * ((a + b·x − y) / y)², so that 1-slot and 1000-slot moves count alike; a ≥ 0 and b ≥ 0.
 */
export function fitLine(xs: readonly number[], ys: readonly number[]): { a: number; b: number } {
  const w = ys.map((y) => 1 / Math.max(1e-9, y) ** 2);
  const sw = w.reduce((s, v) => s + v, 0);
  const mx = xs.reduce((s, x, i) => s + w[i] * x, 0) / sw;
  const my = ys.reduce((s, y, i) => s + w[i] * y, 0) / sw;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += w[i] * (xs[i] - mx) * (ys[i] - my);
    sxx += w[i] * (xs[i] - mx) ** 2;
  }
  const b = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
  return { a: Math.max(0, my - b * mx), b };
}

/** A size in bytes/s as a scenario bandwidth (`12.5MB/s`). */
function bandwidthText(bps: number): string {
  if (bps >= 1024 * 1024) return `${Number((bps / 1024 / 1024).toPrecision(3))}MB/s`;
  if (bps >= 1024) return `${Number((bps / 1024).toPrecision(3))}KB/s`;
  return `${Math.round(bps)}B/s`;
}

export async function calibrate(o: CalibrateOptions): Promise<CalibrationResult> {
  const sizes = o.sizes ?? [1, 10, 100, 300, 1000];
  const repeats = o.repeats ?? 3;
  const keysPerSlot = o.keysPerSlot ?? 20;
  const valueBytes = o.valueBytes ?? 200;
  const scheduler = new WallClockScheduler();
  // One bucket per slot: a partition is any slot range.
  const cp = await RedisControlPlane.connect({ seeds: o.seeds, scheduler, buckets: SLOTS, initialMap: (m) => equalPartitionMap(SLOTS, Math.max(2, m), m), maxConcurrentOps: 1 });
  const maxSize = Math.max(...sizes);
  const top = cp.currentMap().boundaries[1];
  if (cp.masters.length < 2) throw new Error('calibration needs at least 2 masters');
  if (maxSize >= top) throw new Error(`the largest range (${maxSize} slots) must be smaller than node 0's partition (${top} slots)`);
  // Fill the slots that will move, on node 0.
  const n0 = cp.masters[0];
  const filler = new Redis({ host: n0.host, port: n0.port });
  filler.on('error', () => {});
  const value = 'c'.repeat(valueBytes);
  for (let s = top - maxSize; s < top; s += 100) {
    const p = filler.pipeline();
    for (let t = s; t < Math.min(top, s + 100); t++) for (let j = 0; j < keysPerSlot; j++) p.set(slotKey(t, `cal:${j}`), value);
    await p.exec();
  }
  filler.disconnect();

  // Background writes (into the moving range and elsewhere), classified by whether a move runs.
  const client = new Cluster(o.seeds.map((s) => ({ host: s.host, port: s.port })), { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => {});
  const idle = new LatencyHistogram();
  const moving = new LatencyHistogram();
  let nIdle = 0;
  let nMoving = 0;
  let inMove = false;
  let seq = 0;
  const rate = o.writeRate ?? 500;
  const writer = setInterval(() => {
    for (let k = 0; k < Math.max(1, Math.round(rate / 100)); k++) {
      const slot = seq % 2 === 0 ? top - 1 - (seq % maxSize) : (seq * 7919) % SLOTS;
      const during = inMove;
      const t0 = performance.now(); // clock-ok: client latency is the measurement
      withTimeout(client.set(slotKey(slot, `calw:${seq++}`), value), 5000, 'write').then(
        () => {
          const ms = performance.now() - t0; // clock-ok
          if (during) {
            moving.add(ms, 1);
            nMoving++;
          } else {
            idle.add(ms, 1);
            nIdle++;
          }
        },
        () => {},
      );
    }
  }, 10);

  const run = (a: PlanAction): Promise<RedisOpStats> =>
    new Promise((resolve, reject) => {
      const r = cp.submit(a, 'calibrate');
      if (!r.accepted) return reject(new Error(`calibration step refused: ${r.reason}`));
      const sub = cp.events$.subscribe((e) => {
        if (e.opId !== r.opId || e.status === 'started') return;
        sub.unsubscribe();
        if (e.status === 'failed') reject(new Error(`calibration step failed: ${e.reason}`));
        else resolve(cp.stats.find((s) => s.opId === r.opId)!);
      });
    });

  const samples: CalibrationSample[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000)); // idle latency first
    let id = 0;
    for (const n of sizes) {
      for (let i = 0; i < repeats; i++) {
        const newId = `cal${id++}`;
        inMove = true;
        const out = await run({ kind: 'create', partition: 'p0', at: top - n, node: 1, newId });
        const back = await run({ kind: 'move', partition: newId, node: 0 });
        inMove = false;
        await run({ kind: 'merge', partition: 'p0', with: newId });
        samples.push({ slots: n, direction: 'out', keys: out.keys, bytes: out.bytes, wallMs: r3(out.wallMs), cutoverWallMs: r3(out.cutoverWallMs) });
        samples.push({ slots: n, direction: 'back', keys: back.keys, bytes: back.bytes, wallMs: r3(back.wallMs), cutoverWallMs: r3(back.cutoverWallMs) });
        o.onProgress?.(`${n} slots: out ${Math.round(out.wallMs)} ms, back ${Math.round(back.wallMs)} ms (${out.bytes} B)`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    clearInterval(writer);
    await new Promise((r) => setTimeout(r, 200));
    client.disconnect();
    await cp.close();
    scheduler.close();
  }

  const { a, b } = fitLine(
    samples.map((s) => s.bytes),
    samples.map((s) => s.wallMs),
  );
  const moveBytesPerSec = b > 0 ? 1000 / b : Infinity;
  const calibration: Calibration = { moveBytesPerSec: r3(moveBytesPerSec), moveFixedMs: r3(a), cutoverMs: r3(median(samples.map((s) => s.cutoverWallMs))) };
  const fits: SizeFit[] = sizes.map((n) => {
    const mine = samples.filter((s) => s.slots === n);
    const bytes = median(mine.map((s) => s.bytes));
    const measured = median(mine.map((s) => s.wallMs));
    const sim = a + (Number.isFinite(moveBytesPerSec) ? (bytes / moveBytesPerSec) * 1000 : 0);
    return { slots: n, bytes, measuredMs: r3(measured), simulatedMs: r3(sim), relativeError: r3((sim - measured) / measured) };
  });
  const q = (h: LatencyHistogram, n: number) => ({ writes: n, p50Ms: n ? r3(h.quantile(0.5)) : 0, p99Ms: n ? r3(h.quantile(0.99)) : 0 });
  return {
    masters: cp.masters.length,
    keysPerSlot,
    valueBytes,
    samples,
    calibration,
    sizes: fits,
    latency: { idle: q(idle, nIdle), duringMoves: q(moving, nMoving) },
    scenarioFields: `cluster: { moveBandwidth: ${bandwidthText(moveBytesPerSec)}, pauses: { move: ${Math.max(1, Math.round(a))}ms } }`,
  };
}

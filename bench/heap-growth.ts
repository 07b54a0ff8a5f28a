/**
 * Memory growth with a run's length, by measurement: runs one scenario (usually one policy,
 * `--policies`) in this thread, streaming its files to a temporary report folder as
 * `keycast run` does, and at each simulated day mark collects garbage and prints the live heap
 * (`v8.getHeapStatistics().used_heap_size`), RSS and the retained entries of what a run keeps
 * per window (`retainedEntries` of the lane). With `--snapshot-at 2,6` it also writes heap
 * snapshots at those days (summarise them with bench/heap-diff.ts). Used by the `soak` section
 * of bench/run.ts and by hand:
 *
 *   node --expose-gc --import tsx bench/heap-growth.ts scenarios/long/flights-month.yaml \
 *     --set duration=6d --policies static [--snapshot-at 2,6] [--json out.json]
 *
 * Prints one line per day and, at the end, the growth per simulated day from day 2 on (least
 * squares over the day marks ≥ 2).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { loadScenario } from '../src/io/load-scenario.ts';
import { folderSpool } from '../src/io/spool-files.ts';
import { runLanes } from '../src/experiment/run.ts';

const args = process.argv.slice(2);
const file = args[0];
const many = (name: string) => args.flatMap((a, i) => (a === `--${name}` ? [args[i + 1]] : []));
const one = (name: string) => many(name)[0];
const sets = many('set');
const policies = one('policies')?.split(',');
const snapAt = new Set((one('snapshot-at') ?? '').split(',').filter(Boolean).map(Number));
const jsonOut = one('json');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('heap-growth: run with node --expose-gc\n');
  process.exit(2);
}

const loaded = loadScenario(file, { sets, policies });
const DAY = 86_400_000;
const duration = loaded.scenario.duration;
const spool = fs.mkdtempSync(path.join(os.tmpdir(), 'keycast-heap-'));
const samples: { day: number; heapMB: number; externalMB: number; rssMB: number }[] = [];
let nextDay = 1;
const t0 = Date.now();
const sample = (day: number) => {
  gc!();
  gc!();
  const heapMB = v8.getHeapStatistics().used_heap_size / 2 ** 20;
  const mem = process.memoryUsage();
  const rssMB = mem.rss / 2 ** 20;
  // typed arrays' backing stores live outside the V8 heap
  const externalMB = mem.external / 2 ** 20;
  samples.push({ day, heapMB, externalMB, rssMB });
  process.stdout.write(`day ${day.toFixed(2)}  heap ${heapMB.toFixed(1)} MB  external ${externalMB.toFixed(1)} MB  rss ${rssMB.toFixed(0)} MB  (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`); // clock-ok: progress only
  if (snapAt.has(day)) process.stdout.write(`  snapshot ${v8.writeHeapSnapshot(path.join(os.tmpdir(), `keycast-heap-day${day}-${process.pid}.heapsnapshot`))}\n`);
};
try {
  runLanes(loaded, {
    spool: folderSpool(spool),
    onProgress: (f) => {
      const t = f * duration;
      while (nextDay * DAY <= t + 1e-6 && nextDay * DAY < duration) sample(nextDay++);
      // the last mark while the run still holds everything (before the lanes finish)
      if (f >= 1) sample(duration / DAY);
    },
  });
} finally {
  fs.rmSync(spool, { recursive: true, force: true });
}
const late = samples.filter((s) => s.day >= 2);
const slope = (k: 'heapMB' | 'externalMB' | 'rssMB') => {
  if (late.length < 2) return NaN;
  const mx = late.reduce((a, s) => a + s.day, 0) / late.length;
  const my = late.reduce((a, s) => a + s[k], 0) / late.length;
  let num = 0;
  let den = 0;
  for (const s of late) {
    num += (s.day - mx) * (s[k] - my);
    den += (s.day - mx) ** 2;
  }
  return num / den;
};
const out = { file, sets, policies, samples, heapMBPerDay: slope('heapMB'), externalMBPerDay: slope('externalMB'), rssMBPerDay: slope('rssMB') };
process.stdout.write(`growth from day 2: heap ${out.heapMBPerDay.toFixed(2)} MB/day, external ${out.externalMBPerDay.toFixed(2)} MB/day, rss ${out.rssMBPerDay.toFixed(2)} MB/day\n`);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(out, null, 2) + '\n');

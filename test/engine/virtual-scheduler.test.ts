import { describe, expect, it } from 'vitest';
import { bufferTime, delay, interval, take, timer, toArray, map } from 'rxjs';
import { EventQueue } from '../../src/engine/event-queue.ts';
import { Priority, VirtualScheduler } from '../../src/engine/virtual-scheduler.ts';
import { RandomSource } from '../../src/engine/random.ts';
import { poissonFast as poisson } from '../../src/engine/poisson.ts';

describe('EventQueue', () => {
  it('pops by time, then priority, then insertion order', () => {
    const q = new EventQueue();
    const log: string[] = [];
    q.push(5, 1, () => log.push('5/1/a'));
    q.push(1, 9, () => log.push('1/9'));
    q.push(5, 0, () => log.push('5/0'));
    q.push(5, 1, () => log.push('5/1/b'));
    q.push(3, 0, () => log.push('3/0'));
    q.push(5, 1, () => log.push('5/1/c'));
    while (q.size) q.pop()!();
    expect(log).toEqual(['1/9', '3/0', '5/0', '5/1/a', '5/1/b', '5/1/c']);
  });

  it('keeps heap order over many random pushes', () => {
    const q = new EventQueue();
    const rng = new RandomSource(1).fork('t');
    for (let i = 0; i < 5000; i++) q.push(rng.int(1000), rng.int(3), () => {});
    let last = { t: -1, p: -1, s: -1 };
    while (q.size) {
      q.pop();
      const e = { timeMs: q.poppedTime, priority: q.poppedPriority, seq: q.poppedSeq };
      const ok = e.timeMs > last.t || (e.timeMs === last.t && (e.priority > last.p || (e.priority === last.p && e.seq > last.s)));
      expect(ok).toBe(true);
      last = { t: e.timeMs, p: e.priority, s: e.seq };
    }
  });

  it('cancelled events are skipped; cancelling one that already ran has no effect', () => {
    const q = new EventQueue();
    const log: number[] = [];
    const a = q.push(1, 0, () => log.push(1));
    const b = q.push(2, 0, () => log.push(2));
    q.cancel(a);
    expect(q.pop()).toBeNull(); // the cancelled one, at time 1
    expect(q.poppedTime).toBe(1);
    q.pop()!();
    q.cancel(b); // already ran
    for (let i = 0; i < 200; i++) q.cancel(q.push(10 + i, 0, () => log.push(-1)) - 1000); // stale numbers
    const c = q.push(3, 0, () => log.push(3));
    while (q.size) q.pop()?.();
    expect(log.filter((x) => x !== -1)).toEqual([2, 3]);
    expect(c).toBeGreaterThan(b);
  });

  it('grows past its initial capacity and keeps order', () => {
    const q = new EventQueue();
    for (let i = 0; i < 5000; i++) q.push(5000 - i, 0, () => {});
    const times: number[] = [];
    while (q.size) {
      q.pop();
      times.push(q.poppedTime);
    }
    expect(times).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });
});

describe('VirtualScheduler', () => {
  it('runs events in order and stops at untilMs', () => {
    const s = new VirtualScheduler();
    const log: number[] = [];
    s.at(30, () => log.push(s.now()));
    s.at(10, () => log.push(s.now()));
    s.at(20, () => s.after(5, () => log.push(s.now())));
    s.at(100, () => log.push(s.now()));
    s.run(50);
    expect(log).toEqual([10, 20 + 5, 30].sort((a, b) => a - b));
    expect(s.now()).toBe(50);
    s.run();
    expect(log.at(-1)).toBe(100);
  });

  it('orders equal times by priority: control, tick, policy', () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.at(10, () => log.push('policy'), Priority.policy);
    s.at(10, () => log.push('tick'), Priority.tick);
    s.at(10, () => log.push('control'), Priority.control);
    s.run();
    expect(log).toEqual(['control', 'tick', 'policy']);
  });

  it('cancels events', () => {
    const s = new VirtualScheduler();
    const log: number[] = [];
    const handle = s.at(10, () => log.push(10));
    s.at(20, () => log.push(20));
    s.cancel(handle);
    s.run();
    expect(log).toEqual([20]);
  });

  it('drives RxJS timer, interval, delay and bufferTime on virtual time', () => {
    const s = new VirtualScheduler();
    const got: unknown[] = [];
    timer(1000, s).subscribe(() => got.push(['timer', s.now()]));
    interval(250, s)
      .pipe(take(4), toArray())
      .subscribe((v) => got.push(['interval', v, s.now()]));
    interval(100, s)
      .pipe(take(10), delay(50, s), map(() => s.now()), toArray())
      .subscribe((times) => got.push(['delay', times]));
    interval(100, s)
      .pipe(take(10), bufferTime(300, s), take(3))
      .subscribe((b) => got.push(['buffer', b, s.now()]));
    s.run(5000);
    expect(got).toContainEqual(['timer', 1000]);
    expect(got).toContainEqual(['interval', [0, 1, 2, 3], 1000]);
    expect(got).toContainEqual(['delay', [150, 250, 350, 450, 550, 650, 750, 850, 950, 1050]]);
    expect(got).toContainEqual(['buffer', [0, 1], 300]);
    expect(got).toContainEqual(['buffer', [2, 3, 4], 600]);
    expect(got).toContainEqual(['buffer', [5, 6, 7], 900]);
  });

  it('handles 200k timers quickly (heap, not a re-sorted array)', () => {
    const s = new VirtualScheduler();
    let n = 0;
    for (let i = 0; i < 200_000; i++) s.at((i * 7919) % 100_000, () => n++);
    s.run();
    expect(n).toBe(200_000);
  });
});

describe('RandomSource', () => {
  it('gives the same stream for the same seed and name, another for another', () => {
    const a = new RandomSource(42).fork('workload');
    const b = new RandomSource(42).fork('workload');
    const c = new RandomSource(43).fork('workload');
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('forks are independent: drawing from one never shifts another', () => {
    const r1 = new RandomSource(7);
    const w1 = r1.fork('workload');
    const first = Array.from({ length: 3 }, () => w1.next());
    const r2 = new RandomSource(7);
    const f = r2.fork('faults');
    for (let i = 0; i < 100; i++) f.next();
    const w2 = r2.fork('workload');
    expect(Array.from({ length: 3 }, () => w2.next())).toEqual(first);
  });

  it('is uniform enough and poisson has the right mean and variance', () => {
    const r = new RandomSource(3).fork('p');
    for (const lambda of [0.3, 4, 50, 1000]) {
      let s = 0;
      let s2 = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) {
        const x = poisson(r, lambda);
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      const v = s2 / n - mean * mean;
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n) + 1e-9);
      expect(v / lambda).toBeGreaterThan(0.9);
      expect(v / lambda).toBeLessThan(1.1);
    }
  });
});

/**
 * Bounded memory of the simulated cluster: cohort queues compact old cohorts (latencies kept to
 * within 0.5%, counts exact, the warm-up barrier kept), thinned series keep a fixed number of
 * rows, and the operation state table.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CohortQueue, COMPACT_SPAN } from '../../src/cluster/cohort-queue.ts';
import { Thinned } from '../../src/model/thinned.ts';
import { OP_TRANSITIONS, OpTransitionError, opTransition } from '../../src/cluster/op-state.ts';

describe('cohort queue compaction', () => {
  it('a backlog of a million ticks keeps few cohorts, every record, and its latencies to 0.5%', () => {
    const q = new CohortQueue();
    const T = 1_000_000; // 1 s ticks: 11.6 days of backlog, nothing served
    for (let i = 0; i < T; i++) q.push(i * 1000, 1 + (i % 7));
    expect(q.cohorts).toBeLessThan(4000);
    let total = 0;
    for (let i = 0; i < T; i++) total += 1 + (i % 7);
    expect(q.size).toBe(total);
    // Serve everything at once at the end: merged cohorts keep the count-weighted mean arrival,
    // so the records' total latency is exact.
    const end = T * 1000;
    let count = 0;
    let latSum = 0;
    q.serve(q.size, end, 0, (_arr, lat, n) => {
      count += n;
      latSum += lat * n;
    });
    let exactSum = 0;
    for (let i = 0; i < T; i++) exactSum += (1 + (i % 7)) * (end - i * 1000);
    expect(count).toBeCloseTo(total, 6);
    expect(Math.abs(latSum - exactSum) / exactSum).toBeLessThan(1e-9);
    expect(COMPACT_SPAN).toBeLessThanOrEqual(0.005);
  });

  it('property: compaction moves no record by more than COMPACT_SPAN of its age and never across the barrier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 600, max: 5000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 5 }), (n, barrierTick, every) => {
        const barrier = barrierTick * 1000;
        const q = new CohortQueue(barrier);
        // Records carry their exact arrival in a side list (FIFO); compare the served arrival times.
        const exact: [number, number][] = [];
        for (let i = 0; i < n; i++) {
          const c = 1 + ((i * 7) % every);
          q.push(i * 1000, c);
          exact.push([i * 1000, c]);
        }
        const now = n * 1000;
        q.compact(now);
        let k = 0;
        let left = exact[0][1];
        let ok = true;
        q.forEach((t, c) => {
          let rest = c;
          while (rest > 1e-9 && k < exact.length) {
            const take = Math.min(rest, left);
            const [tx] = exact[k];
            if (Math.abs(t - tx) > COMPACT_SPAN * (now - Math.max(t, tx)) + 1e-6) ok = false;
            if ((t >= barrier) !== (tx >= barrier)) ok = false;
            rest -= take;
            left -= take;
            if (left <= 1e-9 && ++k < exact.length) left = exact[k][1];
          }
        });
        return ok && k === exact.length;
      }),
      { numRuns: 60, seed: 16 },
    );
  });
});

describe('thinned series', () => {
  it('keeps at most limit rows, evenly spaced, in the same array', () => {
    const rows: number[] = [];
    const s = new Thinned(rows, 100);
    for (let i = 0; i < 10_000; i++) s.push(i, i);
    expect(s.rows).toBe(rows);
    expect(rows.length).toBeLessThanOrEqual(100);
    expect(rows.length).toBeGreaterThan(50);
    const gaps = new Set(rows.slice(1).map((x, i) => x - rows[i]));
    expect([...gaps]).toEqual([s.stride]);
    expect(rows[0]).toBe(0);
  });

  it('hands every row to its sink (streamed to a file) while keeping the thinned ones', () => {
    const rows: number[] = [];
    const s = new Thinned(rows, 100);
    const all: number[] = [];
    s.sink = (r) => all.push(r);
    for (let i = 0; i < 10_000; i++) if (s.takes(i)) s.push(i, i);
    expect(all).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(rows.length).toBeLessThanOrEqual(100);
    expect(new Set(rows.slice(1).map((x, i) => x - rows[i]))).toEqual(new Set([s.stride]));
  });
});

describe('operation state machine', () => {
  it('allows exactly the table and throws outside it', () => {
    expect(opTransition('new', 'transfer')).toBe('transfer');
    expect(opTransition('transfer', 'cutover')).toBe('cutover');
    expect(() => opTransition('new', 'done')).toThrow(OpTransitionError);
    expect(() => opTransition('done', 'failed')).toThrow(OpTransitionError);
    expect(() => opTransition('stuck', 'done')).toThrow(OpTransitionError);
    for (const end of ['done', 'failed', 'cancelled'] as const) expect(OP_TRANSITIONS[end]).toEqual([]);
  });
});

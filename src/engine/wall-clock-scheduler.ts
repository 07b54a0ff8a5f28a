/**
 * A wall-clock `SchedulerPort`, for live runs against a real cluster only (`keycast live`,
 * `keycast calibrate`, the Redis tests): the same APM and policies that run on virtual time in
 * the simulator run here on real time, optionally compressed (`speed` scenario ms per wall ms, so
 * a day-long scenario replays in minutes). Events keep the simulator's order at equal times
 * (time, priority, insertion) through the same event queue; one Node timer waits for the
 * earliest. Never used inside a simulation: the simulator stays deterministic.
 */
import { performance } from 'node:perf_hooks';
import { EventQueue } from './event-queue.ts';
import { Priority, type SchedulerPort } from './virtual-scheduler.ts';

export interface WallClockOptions {
  /** Scenario ms per wall ms (default 1: real time). */
  readonly speed?: number;
  /** Scheduler time at creation (default 0). */
  readonly startMs?: number;
  /** Where an exception thrown by a callback goes (default: rethrown on the next tick, crashing loudly). */
  readonly onError?: (err: unknown) => void;
}

export class WallClockScheduler implements SchedulerPort {
  private readonly queue = new EventQueue();
  private readonly speed: number;
  private readonly startMs: number;
  private wall0: number;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private closed = false;

  constructor(private readonly o: WallClockOptions = {}) {
    this.speed = o.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`speed must be > 0, got ${this.speed}`);
    this.startMs = o.startMs ?? 0;
    this.wall0 = performance.now(); // clock-ok: the live scheduler reads the wall clock by design
  }

  /** Scheduler time: ms since start × speed, plus `startMs`. */
  now(): number {
    return this.startMs + (performance.now() - this.wall0) * this.speed; // clock-ok
  }

  /**
   * Restarts the clock at `startMs` (e.g. once a slow set-up is over); events already queued
   * keep their scheduler times.
   */
  reset(): void {
    this.wall0 = performance.now(); // clock-ok
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.arm();
  }

  /** Scheduler ms → wall ms. */
  toWallMs(ms: number): number {
    return ms / this.speed;
  }

  at(atMs: number, fn: () => void, priority: number = Priority.control): number {
    const h = this.queue.push(atMs, priority, fn);
    this.arm();
    return h;
  }

  after(delayMs: number, fn: () => void, priority: number = Priority.control): number {
    return this.at(this.now() + Math.max(0, delayMs), fn, priority);
  }

  cancel(handle: number): void {
    this.queue.cancel(handle);
  }

  /** Stops the timer; queued events are dropped. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves after `ms` of scheduler time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  private arm(): void {
    if (this.closed) return;
    const next = this.queue.peekTime();
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.fire(), Math.max(0, (next - this.now()) / this.speed));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.now();
    const q = this.queue;
    // Run what is due, in (time, priority, insertion) order; events they add for now run too.
    while (!this.closed && q.size > 0 && q.peekTime() <= now) {
      const fn = q.pop();
      if (fn === null) continue;
      try {
        fn();
      } catch (err) {
        if (this.o.onError) this.o.onError(err);
        else
          setImmediate(() => {
            throw err;
          });
      }
    }
    this.arm();
  }
}

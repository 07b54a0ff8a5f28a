/**
 * The virtual-time scheduler: an RxJS `SchedulerLike` over a binary-heap event queue. Time only
 * moves when `run(untilMs)` pops the next event; nothing reads the wall clock. RxJS operators
 * (`timer`, `interval`, `delay`, `bufferTime`, …) run on it when it is passed as their scheduler.
 */
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { EventQueue } from './event-queue.ts';

/** Priorities at equal time: lower runs first. */
export const Priority = {
  /** Scheduled cluster/control-plane events (operation completions, crashes). */
  control: 0,
  /** The simulation tick (workload batch, queues). */
  tick: 10,
  /** Policy decisions, after the tick of the same instant has been observed. */
  policy: 20,
  /** RxJS work scheduled through `schedule()`. */
  rx: 30,
} as const;

class VirtualAction<T> extends Subscription implements SchedulerAction<T> {
  /** Sequence number of the queued run (−1: none queued). */
  private seq = -1;
  private state: T | undefined = undefined;
  /** One callback per action, reused by every reschedule (RxJS `interval` reschedules itself). */
  private readonly fire = () => {
    this.seq = -1;
    if (this.closed) return;
    this.work.call(this, this.state);
  };
  constructor(
    private readonly scheduler: VirtualScheduler,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super(() => {
      if (this.seq >= 0) this.scheduler.queue.cancel(this.seq);
      this.seq = -1;
    });
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    const q = this.scheduler.queue;
    if (this.seq >= 0) q.cancel(this.seq);
    const d = Number.isFinite(delay) && delay > 0 ? delay : 0;
    this.state = state;
    this.seq = q.push(this.scheduler.now() + d, Priority.rx, this.fire);
    return this;
  }
}

/** What components that schedule their own work need of the clock (policies, the APM). */
export interface SchedulerPort {
  now(): number;
  /** Schedules `fn`; returns a handle for `cancel` (no object is allocated per event). */
  at(atMs: number, fn: () => void, priority?: number): number;
  after(delayMs: number, fn: () => void, priority?: number): number;
  /** Drops a scheduled callback by its handle (no effect once it ran). */
  cancel(handle: number): void;
}

/**
 * A port onto `scheduler` that adds the wall time of every callback to `account(ms)` — how a
 * run attributes `wallMs` to the policy that scheduled the work.
 */
export function timedPort(scheduler: SchedulerPort, account: (ms: number) => void, wallClock: () => number): SchedulerPort {
  const wrap = (fn: () => void) => () => {
    const t0 = wallClock();
    try {
      fn();
    } finally {
      account(wallClock() - t0);
    }
  };
  return {
    now: () => scheduler.now(),
    at: (atMs, fn, priority) => scheduler.at(atMs, wrap(fn), priority),
    after: (delayMs, fn, priority) => scheduler.after(delayMs, wrap(fn), priority),
    cancel: (handle) => scheduler.cancel(handle),
  };
}

/** A deterministic virtual-time scheduler. */
export class VirtualScheduler implements SchedulerLike, SchedulerPort {
  /** @internal */ readonly queue = new EventQueue();
  private clockMs = 0;
  private processed = 0;

  /** Current virtual time in ms. */
  now(): number {
    return this.clockMs;
  }

  /** Events executed so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** RxJS entry point: schedules `work` after `delay` virtual ms. */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new VirtualAction<T>(this, work).schedule(state, delay);
  }

  /** Runs `fn` at absolute time `atMs` (not before now) with `priority`; returns a handle for `cancel`. */
  at(atMs: number, fn: () => void, priority: number = Priority.control): number {
    return this.queue.push(atMs > this.clockMs ? atMs : this.clockMs, priority, fn);
  }

  /** Runs `fn` after `delayMs`; returns a handle for `cancel`. */
  after(delayMs: number, fn: () => void, priority: number = Priority.control): number {
    return this.queue.push(this.clockMs + (delayMs > 0 ? delayMs : 0), priority, fn);
  }

  /** Drops a callback scheduled by `at`/`after` (no effect once it ran). */
  cancel(handle: number): void {
    this.queue.cancel(handle);
  }

  /**
   * Executes events in (time, priority, sequence) order until the next event is later than
   * `untilMs` (events at exactly `untilMs` run); the clock ends at `untilMs`.
   */
  run(untilMs = Infinity): void {
    const q = this.queue;
    while (q.size > 0 && q.peekTime() <= untilMs) {
      const fn = q.pop();
      if (fn === null) continue;
      this.clockMs = q.poppedTime;
      this.processed++;
      fn();
    }
    if (Number.isFinite(untilMs) && untilMs > this.clockMs) this.clockMs = untilMs;
  }
}

/**
 * One control-plane operation of the simulated cluster and the parts of its life that do not
 * need the cluster itself: the faults it draws when submitted, and the progress of state
 * transfers over a tick (moves share each node's bandwidth equally). Its states and their table
 * are in op-state.ts; sim-cluster.ts starts, completes and fails operations.
 */
import type { RandomStream } from '../engine/random.ts';
import type { PlanAction } from '../model/plan.ts';
import type { ClusterConfig } from './config.ts';
import type { OpState } from './op-state.ts';

export interface SimOp {
  readonly id: number;
  readonly action: PlanAction;
  readonly tag?: string;
  readonly startMs: number;
  /** See op-state.ts; change it only through `opTransition`. */
  state: OpState;
  /** Duration multiplier (1, or `faults.slowFactor` for a slow operation). */
  slow: number;
  bytesTotal: number;
  bytesSent: number;
  /** Ms of the transfer still to spend on per-bucket work (`movePerBucket`, `moveDataSetup`) before bytes flow. */
  setupLeftMs?: number;
  readonly src: number;
  readonly dst: number;
  readonly range: { readonly start: number; readonly end: number };
  /** Fraction of its main phase at which it fails, or undefined. */
  failAt?: number;
  reservedId?: string;
  /** Scheduler handle of the op's pending completion or failure. */
  cancelTimer?: number;
  readonly partitions: string[];
}

/** The faults one operation drew. */
export interface OpFaults {
  /** Fraction of its main phase at which it fails, or undefined. */
  readonly failAt?: number;
  readonly stuck: boolean;
  /** Duration multiplier. */
  readonly slow: number;
}

/** Whether the scenario injects any operation fault (else nothing is drawn). */
export function drawsFaults(f: ClusterConfig['faults']): boolean {
  return f.opFailureRate > 0 || (f.stuckOpRate ?? 0) > 0 || (f.slowOpRate ?? 0) > 0;
}

/**
 * The faults of one operation from `draws`, in a fixed order (failure and where, stuck, slow),
 * each drawn only when its rate is above zero so that a scenario without it draws the same
 * numbers.
 */
export function drawFaults(f: ClusterConfig['faults'], draws: RandomStream): OpFaults {
  let failAt: number | undefined;
  if (f.opFailureRate > 0 && draws.next() < f.opFailureRate) failAt = draws.next();
  const stuck = (f.stuckOpRate ?? 0) > 0 && draws.next() < f.stuckOpRate!;
  const slow = (f.slowOpRate ?? 0) > 0 && draws.next() < f.slowOpRate! ? (f.slowFactor ?? 10) : 1;
  return { failAt, stuck, slow };
}

/** The key naming an operation's fault draws: what it does and when, so that lanes submitting the same operation at the same instant face the same faults. */
export function faultKey(nowMs: number, op: Pick<SimOp, 'action' | 'range' | 'src' | 'dst'>): string {
  return `${nowMs}|${op.action.kind}|${op.range.start}-${op.range.end}|${op.src}>${op.dst}`;
}

/** What transfer progress reports back to the cluster. */
export interface TransferHost {
  /** Whether node n is down at `t`. */
  down(node: number, t: number): boolean;
  /** Bytes sent in the tick starting at `t`. */
  moved(bytes: number, t: number): void;
  fail(op: SimOp, reason: string, code?: 'node-down'): void;
  /** Every byte is sent at `atMs`: the cut-over starts. */
  sent(op: SimOp, atMs: number): void;
}

/**
 * Advances the transfers among `ops` by one tick of `dtMs` starting at `t`: each node's
 * `bandwidth` (bytes/s) is shared equally among the moves using it, a move at the slower of
 * its two nodes' shares (and `slow` times slower). A transfer fails when a node of it is down,
 * or when it reaches its `failAt` share of the bytes. Returns the bytes/s each node sent or
 * received (sparse; empty when nothing moved).
 */
export function progressTransfers(ops: Iterable<SimOp>, t: number, dtMs: number, bandwidth: number, host: TransferHost): number[] {
  const use: number[] = [];
  const users = new Map<number, number>();
  const transfers: SimOp[] = [];
  for (const op of ops) {
    if (op.state !== 'transfer') continue;
    transfers.push(op);
    users.set(op.src, (users.get(op.src) ?? 0) + 1);
    users.set(op.dst, (users.get(op.dst) ?? 0) + 1);
  }
  for (const op of transfers) {
    if (host.down(op.src, t) || host.down(op.dst, t)) {
      host.fail(op, 'a node of the move crashed', 'node-down');
      continue;
    }
    // Per-bucket work (`movePerBucket`, `moveDataSetup`) comes first; bytes flow in what is left of the tick.
    const setup = Math.min(op.setupLeftMs ?? 0, dtMs);
    if (setup > 0) op.setupLeftMs! -= setup;
    if ((op.setupLeftMs ?? 0) > 0) continue;
    const from = t + setup;
    const rate = bandwidth / Math.max(users.get(op.src)!, users.get(op.dst)!) / op.slow; // bytes/s
    const remaining = op.bytesTotal - op.bytesSent;
    const failBytes = op.failAt !== undefined ? op.failAt * op.bytesTotal : Infinity;
    const canSend = (rate * (dtMs - setup)) / 1000;
    if (failBytes - op.bytesSent <= canSend && failBytes < op.bytesTotal + 1e-9) {
      const sent = Math.max(0, failBytes - op.bytesSent);
      op.bytesSent += sent;
      host.moved(sent, t);
      host.fail(op, 'transfer failed part-way');
      continue;
    }
    const sentNow = Math.min(remaining, canSend);
    use[op.src] = (use[op.src] ?? 0) + (sentNow * 1000) / dtMs;
    use[op.dst] = (use[op.dst] ?? 0) + (sentNow * 1000) / dtMs;
    if (remaining <= canSend) {
      const doneAt = from + (remaining / rate) * 1000;
      host.moved(remaining, t);
      op.bytesSent = op.bytesTotal;
      host.sent(op, doneAt);
    } else {
      op.bytesSent += canSend;
      host.moved(canSend, t);
    }
  }
  return use;
}

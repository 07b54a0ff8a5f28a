/**
 * The options and results of a live run (`keycast live`, live.ts), in their own file so that the
 * report side (live-report.ts, report/live-report.ts) reads them without the run's machinery.
 */
import type { RedisOpStats } from '../cluster/redis/redis-control-plane.ts';
import type { OpEvent } from '../model/control-plane.ts';
import type { PartitionMap } from '../model/partition-map.ts';
import type { PolicyReport } from '../policies/policy.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { LatencyFigures } from './live-writer.ts';

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
  /** Called with each stage of the run (connecting, running, settling, …): a debugging trace. */
  readonly onStage?: (what: string) => void;
  /**
   * Subscribes `handler` to the process's unhandled promise rejections and returns the
   * unsubscribe: ioredis can leave a timed-out write's promise unhandled inside its cluster
   * client, and such a write only failed. The shell passes `process.on('unhandledRejection')`;
   * without it a stray rejection is the host's to handle.
   */
  readonly watchStrayRejections?: (handler: (err: unknown) => void) => () => void;
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
  readonly writes: { issued: number; acknowledged: number; failed: number; skipped: number; lost: number; misplaced: number; unread: number; checked: number };
  /** Mean bytes Redis stores per write (key and value). */
  readonly bytesPerWrite: number;
  /** Slots per bucket of the key space. */
  readonly slotsPerBucket: number;
  /** Slots an earlier run left open that were closed before this one started. */
  readonly repairedAtStart: readonly number[];
  /** Operations still running when the settle time ran out, cancelled (their slots closed). */
  readonly cancelledAtEnd: number;
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

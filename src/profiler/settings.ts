/**
 * The KDP's options as a user gives them, and the settings they resolve to (every default filled
 * in, durations turned into window counts), so the profiler's parts read one settled value each.
 */
import type { RandomStream } from '../engine/random.ts';
import { ENSEMBLE_MEMBERS, type BaseModelName, type ModelName } from './forecaster.ts';
import { expandModels } from './select.ts';
import type { ShapeSettings } from './shape.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Options of the profiler; everything but `buckets` and `rng` has a default. */
export interface ProfilerOptions {
  /** Fine buckets of the key space (the batches' `counts` length). */
  readonly buckets: number;
  /** Aggregation window (default 1 minute). */
  readonly windowMs?: number;
  /** Candidate models (default `['auto']`). */
  readonly models?: readonly ModelName[];
  /** Seasonal periods in ms, primary first (default one day and one week). */
  readonly seasonsMs?: readonly number[];
  /** History kept (default 8 days). */
  readonly historyMs?: number;
  /** Seeded stream (for the LSTM's initial weights). */
  readonly rng: RandomStream;
  /** Forecast ranges (default 16, at most the micro-groups). */
  readonly ranges?: number;
  /** Micro-groups of buckets the history is kept at (default min(buckets, 256)). */
  readonly microGroups?: number;
  /** Parameter re-estimation cadence once warmed up (default 6 h of windows). */
  readonly refitEveryWindows?: number;
  /**
   * `fixed` (default): every `refitEveryWindows`; `error`: a due refit runs only when the chosen
   * models' measured error grew since the last one, and early when it ran away (kdp.ts). `error`
   * halves the refits but forecasts worse on the bench workload (docs/bench-log.md, issue 21).
   */
  readonly refitSchedule?: 'error' | 'fixed';
  /** Points of history a fit uses at most (default 4 primary seasons, at least 512). */
  readonly fitWindows?: number;
  /** Backtest origin cadence (default 10 windows) and lead (default 30 windows). */
  readonly originEveryWindows?: number;
  readonly evalHorizonWindows?: number;
  /** Anomaly score threshold (default 6) and how far back `forecast` reports flags (default 10 windows). */
  readonly anomalyThreshold?: number;
  readonly anomalyLookbackMs?: number;
}

/** `ProfilerOptions` with every default applied; counts are in windows. */
export interface ProfilerSettings {
  readonly buckets: number;
  readonly windowMs: number;
  readonly seasonsMs: readonly number[];
  readonly rng: RandomStream;
  /** Candidates the choice is among, and the models instantiated for them (ensemble members included). */
  readonly candidates: readonly BaseModelName[];
  readonly instanceModels: readonly BaseModelName[];
  readonly groups: number;
  readonly rangeCount: number;
  /** Windows the history ring keeps. */
  readonly historyWindows: number;
  /** Seasons in windows (those of at least 2 windows), primary first. */
  readonly seasonWindows: readonly number[];
  readonly refitEvery: number;
  readonly refitSchedule: 'error' | 'fixed';
  readonly fitWindows: number;
  readonly originEvery: number;
  /** Leads (windows) a backtest origin covers. */
  readonly backtestLeads: number;
  readonly anomalyThreshold: number;
  readonly lookbackMs: number;
  readonly shapes: ShapeSettings;
  /** Drift: windows per block (one hour), and blocks in the baseline ring (one primary season, at least 2). */
  readonly blockWindows: number;
  readonly blockCapacity: number;
}

/** Resolves the defaults documented on `ProfilerOptions`; throws when `buckets` < 1. */
export function resolveSettings(opts: ProfilerOptions): ProfilerSettings {
  if (!(opts.buckets >= 1)) throw new Error('buckets must be ≥ 1');
  const buckets = opts.buckets;
  const windowMs = opts.windowMs ?? MINUTE;
  const seasonsMs = opts.seasonsMs ?? [DAY, WEEK];
  const candidates = expandModels(opts.models ?? ['auto']);
  const instanceModels: BaseModelName[] = candidates.filter((c) => c !== 'ensemble');
  if (candidates.includes('ensemble')) for (const m of ENSEMBLE_MEMBERS) if (!instanceModels.includes(m)) instanceModels.push(m);
  const groups = Math.max(1, Math.min(buckets, opts.microGroups ?? 256));
  const historyWindows = Math.max(16, Math.ceil((opts.historyMs ?? 8 * DAY) / windowMs));
  const seasonWindows = seasonsMs.map((s) => Math.round(s / windowMs)).filter((s) => s >= 2);
  const backtestLeads = Math.max(1, opts.evalHorizonWindows ?? 30);
  const blockWindows = Math.max(1, Math.round(HOUR / windowMs));
  return {
    buckets,
    windowMs,
    seasonsMs,
    rng: opts.rng,
    candidates,
    instanceModels,
    groups,
    rangeCount: Math.max(1, Math.min(groups, opts.ranges ?? 16)),
    historyWindows,
    seasonWindows,
    refitEvery: Math.max(1, opts.refitEveryWindows ?? Math.round((6 * HOUR) / windowMs)),
    refitSchedule: opts.refitSchedule ?? 'fixed',
    fitWindows: Math.min(historyWindows, opts.fitWindows ?? Math.max(512, 4 * (seasonWindows[0] ?? 0))),
    originEvery: Math.max(1, opts.originEveryWindows ?? 10),
    backtestLeads,
    anomalyThreshold: opts.anomalyThreshold ?? 6,
    lookbackMs: opts.anomalyLookbackMs ?? 10 * windowMs,
    shapes: {
      recentWindows: Math.max(1, Math.round((5 * MINUTE) / windowMs)),
      seasonWindows: seasonWindows[0],
      leads: [1, Math.max(2, Math.round(backtestLeads / 2))],
    },
    blockWindows,
    blockCapacity: Math.max(2, Math.round((seasonsMs[0] ?? DAY) / (blockWindows * windowMs))),
  };
}

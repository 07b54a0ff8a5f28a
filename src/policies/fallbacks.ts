/**
 * The predictive policy's fallback detectors, as pure functions of what it observed and
 * forecast: each says whether a decision should plan from the observation instead of the
 * forecast (warm-up, an anomaly carrying enough load, a poor last forecast of the key
 * distribution) or, between decisions, whether load nobody forecast calls for a decision now (a
 * surprise). Kept apart from the policy so each rule can be read and tested on its own numbers.
 */
import type { Forecast, ForecastWindow } from '../model/forecast.ts';
import { nodeLoads, partitionLoads, type PartitionMap } from '../model/partition-map.ts';

/** Why a decision planned from the observation rather than the forecast. */
export type FallbackReason = 'warmup' | 'anomaly' | 'error' | 'surprise' | 'overload';

/** Cadence of the surprise check between decisions (ms), and the span of observation it reads. */
export const SURPRISE_CHECK_MS = 60_000;
/** Share of the observed load above the forecast's tail beyond which it is a surprise. */
export const SURPRISE_SHARE = 0.08;
/** Score from which a range's anomaly flag counts towards the anomaly share. */
export const STRONG_ANOMALY_SCORE = 10;

/** Warm-up: the policy has seen less than `minHistoryMs` of the stream, too little to trust a forecast. */
export function warmingUp(seenMs: number, minHistoryMs: number): boolean {
  return seenMs < minHistoryMs;
}

/**
 * True when an anomaly flagged since the previous forecast `prev` was issued is big enough to
 * distrust `f`: one on the total rate (no range), or strong flags (score ≥ STRONG_ANOMALY_SCORE)
 * on ranges that together carry at least `anomalyShare` of `f`'s first window. Small ranges flag
 * often on moving hot spots; falling back on each of them would make the policy reactive most of
 * the time.
 */
export function anomalous(f: Forecast, prev: Forecast | null, anomalyShare: number): boolean {
  const fresh = f.anomalies.filter((a) => prev === null || a.timeMs > prev.issuedAtMs);
  if (fresh.some((a) => !a.range)) return true;
  const w = f.windows[0];
  if (!w) return false;
  const flagged = new Set(fresh.filter((a) => a.score >= STRONG_ANOMALY_SCORE && a.range).map((a) => `${a.range!.start}-${a.range!.end}`));
  let share = 0;
  for (const r of w.ranges) if (flagged.has(`${r.range.start}-${r.range.end}`)) share += r.probability;
  return share >= anomalyShare;
}

/**
 * Index of `prev`'s window that forecast the window observed up to `nowMs` (`windowMs` long),
 * clamped to the windows it has: the lead at which that window was forecast.
 */
export function observedLead(prev: Forecast, nowMs: number, windowMs: number): number {
  return Math.min(prev.windows.length - 1, Math.max(0, Math.floor((nowMs - windowMs - (prev.windows[0]?.startMs ?? prev.issuedAtMs)) / prev.windowMs)));
}

/**
 * Total-variation distance between a forecast window's range shares and the shares of the
 * observed per-bucket load; null without a window or without observed load.
 */
export function shapeError(w: ForecastWindow | undefined, observed: Float64Array): number | null {
  if (!w) return null;
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i];
  if (total <= 0) return null;
  let tv = 0;
  for (const r of w.ranges) {
    let s = 0;
    for (let b = r.range.start; b < r.range.end; b++) s += observed[b];
    tv += Math.abs(s / total - r.probability);
  }
  return tv / 2;
}

/**
 * Forecast-error fallback: the previous forecast's window for the window just observed (at its
 * lead, `observedLead`) got the key distribution wrong by more than `maxError` (total-variation
 * distance, `shapeError`). False without a previous forecast or anything to score.
 */
export function forecastErrorFallback(prev: Forecast | null, nowMs: number, windowMs: number, observed: Float64Array, maxError: number): boolean {
  if (!prev) return false;
  const err = shapeError(prev.windows[observedLead(prev, nowMs, windowMs)], observed);
  return err !== null && err > maxError;
}

/** The window of `f` holding the middle of the last SURPRISE_CHECK_MS before `nowMs`, if any. */
export function surpriseWindow(f: Forecast | null, nowMs: number): ForecastWindow | undefined {
  if (!f || f.windows.length === 0) return undefined;
  const t = nowMs - SURPRISE_CHECK_MS / 2;
  return f.windows.find((x) => t >= x.startMs && t < x.startMs + f.windowMs);
}

/**
 * Share of the `observed` per-bucket load that lies above the forecast window's tail (its p90
 * per bucket with tick headroom, or the expected load without one): load nobody forecast. 0
 * when nothing was observed.
 */
export function unforecastShare(w: ForecastWindow, observed: Float64Array): number {
  const up = w.upperLoad ?? w.expectedLoad;
  let total = 0;
  let above = 0;
  for (let b = 0; b < observed.length; b++) {
    total += observed[b];
    if (observed[b] > up[b]) above += observed[b] - up[b];
  }
  return total > 0 ? above / total : 0;
}

/** The surprise test: more than SURPRISE_SHARE of the observed load was not forecast. */
export function isSurprise(share: number): boolean {
  return share > SURPRISE_SHARE;
}

/**
 * Whether the check between decisions at `nowMs` may look for a surprise: not at an instant a
 * regular decision is due (every `everyMs` from `startMs`), not within SURPRISE_CHECK_MS of the
 * last decision, and not during warm-up.
 */
export function surpriseCheckDue(nowMs: number, startMs: number, everyMs: number, lastDecisionMs: number, seenMs: number, minHistoryMs: number): boolean {
  if ((nowMs - startMs) % everyMs === 0) return false;
  return !(nowMs - lastDecisionMs < SURPRISE_CHECK_MS || warmingUp(seenMs, minHistoryMs));
}

/**
 * Longest a partition's state may take to move for an overloaded node to get a decision at once
 * (`quickOverload`): where moves land within it, reacting to the last minute pays at once; where
 * they take tens of minutes and load both ends, the next regular decision, with its forecast, is
 * the better judge (measured: docs/study.md, "Overloaded nodes between decisions").
 */
export const QUICK_MOVE_MS = 60_000;

/**
 * True when the per-bucket `load` (records/s, the last minute) puts a node of `map` over
 * `capacity` and its partitions' mean state (`state`, bytes per bucket) moves within
 * QUICK_MOVE_MS at `bandwidth` bytes/s.
 */
export function quickOverload(map: PartitionMap, load: Float64Array, state: Float64Array, capacity: number, bandwidth: number): boolean {
  const N = map.nodes.reduce((m, n) => Math.max(m, n + 1), 0);
  const nodeLoad = nodeLoads(map, partitionLoads(map, load), N);
  const nodeState = nodeLoads(map, partitionLoads(map, state), N);
  const parts = nodeLoads(map, new Float64Array(map.nodes.length).fill(1), N);
  for (let n = 0; n < N; n++) if (nodeLoad[n] > capacity && (nodeState[n] / parts[n] / bandwidth) * 1000 <= QUICK_MOVE_MS) return true;
  return false;
}

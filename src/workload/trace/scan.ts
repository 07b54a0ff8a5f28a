/**
 * The first pass over a trace: checks every row (so bad input is exit 2 before anything runs),
 * and finds what replay needs before it starts: the first and last timestamps (the default
 * duration is their span ÷ speed), the typical gap between distinct timestamps (the default
 * `spread`), and the distinct keys with their total weights (`range` keyspaces order them;
 * `generate --format records` picks key strings by them). Memory: one entry per distinct key.
 * Results are cached per process by file identity and trace options.
 */
import { InputError, type Problem } from '../../model/errors.ts';
import type { TraceSpec } from '../spec.ts';
import { displayName, fileIdentity } from './byte-source.ts';
import { RowStatus, TraceRowReader } from './rows.ts';

export { displayName } from './byte-source.ts';

/** Distinct timestamps the typical gap is measured on (from the start of the trace). */
export const GAP_SAMPLE = 10_000;
/** Bad rows named individually in an error; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 10;

/** What the first pass found. */
export interface TraceScan {
  readonly format: 'csv' | 'jsonl';
  /** Epoch ms of the first and last good rows. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** Good rows and their total weight (before `scale`). */
  readonly rows: number;
  readonly totalWeight: number;
  /** Rows skipped (only with skipBadRows; otherwise any bad row throws). */
  readonly badRows: number;
  /** Median gap between consecutive distinct timestamps among the first GAP_SAMPLE (ms; 0 if one timestamp). */
  readonly typicalGapMs: number;
  /** Distinct keys in string order (UTF-16 code units) and their total weights. */
  readonly keys: readonly string[];
  readonly keyWeights: Float64Array;
}

const cache = new Map<string, TraceScan>();

/**
 * Scans `absFile`. Throws InputError naming file and line of each bad row (at most
 * MAX_LISTED_PROBLEMS, then a count) unless `skipBadRows`, in which case they are counted.
 * A row is bad when it is malformed (fields, time, weight, key pattern) or earlier than the
 * row before it (rows must be in non-decreasing time order).
 */
export function scanTrace(absFile: string, spec: TraceSpec, skipBadRows: boolean): TraceScan {
  const id = JSON.stringify([fileIdentity(absFile), spec.time, spec.key, spec.weight, spec.keyPattern, spec.timezone, skipBadRows]);
  const hit = cache.get(id);
  if (hit) return hit;
  const file = displayName(absFile);
  const reader = new TraceRowReader(absFile, spec, file);
  const problems: Problem[] = [];
  let bad = 0;
  let rows = 0;
  let totalWeight = 0;
  let firstMs = NaN;
  let lastMs = NaN;
  const gaps: number[] = [];
  const weights = new Map<string, number>();
  try {
    for (;;) {
      const s = reader.next();
      if (s === RowStatus.End) break;
      let problem = s === RowStatus.Bad ? reader.problem : '';
      if (s === RowStatus.Ok && reader.timeMs < lastMs) {
        problem = `time ${new Date(reader.timeMs).toISOString()} is before the previous row's ${new Date(lastMs).toISOString()}: rows must be in non-decreasing time order`;
      }
      if (problem) {
        bad++;
        if (!skipBadRows && problems.length < MAX_LISTED_PROBLEMS) problems.push({ file, line: reader.line, col: 1, path: 'workload.trace', message: `row ${problem}` });
        continue;
      }
      if (rows === 0) firstMs = reader.timeMs;
      else if (reader.timeMs > lastMs && gaps.length < GAP_SAMPLE) gaps.push(reader.timeMs - lastMs);
      lastMs = reader.timeMs;
      rows++;
      totalWeight += reader.weight;
      weights.set(reader.key, (weights.get(reader.key) ?? 0) + reader.weight);
    }
  } finally {
    reader.close();
  }
  if (bad > 0 && !skipBadRows) {
    if (bad > problems.length) problems.push({ file, path: 'workload.trace', message: `… and ${bad - problems.length} more bad rows (${bad} in all; --skip-bad-rows skips them)` });
    throw new InputError(problems);
  }
  if (rows === 0) throw new InputError([{ file, path: 'workload.trace', message: bad ? `no good rows (${bad} bad rows skipped)` : 'the trace has no rows' }]);
  gaps.sort((a, b) => a - b);
  const { keys, keyWeights } = keyTable(weights);
  const scan: TraceScan = {
    format: reader.format,
    firstMs,
    lastMs,
    rows,
    totalWeight,
    badRows: bad,
    typicalGapMs: gaps.length ? gaps[Math.floor((gaps.length - 1) / 2)] : 0,
    keys,
    keyWeights,
  };
  if (cache.size > 16) cache.clear();
  cache.set(id, scan);
  return scan;
}

/** Distinct keys in string order (UTF-16 code units) and their total weights. */
function keyTable(weights: ReadonlyMap<string, number>): { keys: string[]; keyWeights: Float64Array } {
  const keys = [...weights.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const keyWeights = new Float64Array(keys.length);
  keys.forEach((k, i) => (keyWeights[i] = weights.get(k)!));
  return { keys, keyWeights };
}

/**
 * How a row of the report's CSV files is written: one formatter shared by the report writer
 * (whole files) and the run's streaming spool (row by row as the run goes), so both write the
 * same bytes. Numbers keep 6 decimals; text is quoted when it holds a comma, quote or newline.
 */
import type { OpEvent } from '../model/control-plane.ts';
import type { ForecastLogRow } from './rows.ts';

/** One CSV cell. */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (no newline) of a flat record's `columns`. */
export function csvLine<T extends object>(row: T, columns: readonly (keyof T & string)[]): string {
  return columns.map((c) => csvCell(row[c])).join(',');
}

export const OPERATION_COLUMNS = ['timeMs', 'plan', 'action', 'partition', 'range', 'from', 'to', 'bytes', 'durationMs', 'status', 'reason'] as const;

/** One line (no newline) of `operations.csv`: a finished operation (done or failed). */
export function operationLine(e: OpEvent): string {
  const a = e.action;
  const to = a.kind === 'move' || a.kind === 'create' ? a.node : e.fromNode;
  const range = e.range ? `${e.range.start}-${e.range.end}` : '';
  return [e.timeMs, e.tag ?? '', a.kind, a.partition, range, e.fromNode ?? '', to ?? '', e.bytes ?? 0, e.durationMs ?? 0, e.status, e.reason ?? ''].map(csvCell).join(',');
}

/** The header of `forecast.csv` (long format: a `total` line and a line per key range for each window). */
export const FORECAST_HEADER = 'timeMs,windowMs,issuedAtMs,series,forecast,p10,p90,observed';

/** The lines (no newlines) of `forecast.csv` for one scored forecast window. */
export function forecastLines(r: ForecastLogRow): string[] {
  const n = csvCell;
  const out = [[r.timeMs, r.windowMs, r.issuedAtMs, 'total', n(r.rate.mean), n(r.rate.p10), n(r.rate.p90), n(r.rate.actual)].join(',')];
  for (const g of r.ranges) out.push([r.timeMs, r.windowMs, r.issuedAtMs, `buckets ${g.range}`, n(g.share), '', '', n(g.actual)].join(','));
  return out;
}

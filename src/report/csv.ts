/** CSV writers: the per-policy time series and operations log. */
import { NODE_COLUMNS, PARTITION_COLUMNS, WINDOW_COLUMNS, type WindowRow } from '../model/rows.ts';
import type { OpEvent } from '../model/control-plane.ts';
import { OPERATION_COLUMNS, csvLine, operationLine } from '../model/row-format.ts';

export { NODE_COLUMNS, OPERATION_COLUMNS, PARTITION_COLUMNS };

/** `timeseries.csv`: one row per metrics window. */
export function timeseriesCsv(rows: readonly WindowRow[]): string {
  return rowsCsv(rows, WINDOW_COLUMNS);
}

/** `operations.csv`: one row per finished operation (done or failed). */
export function operationsCsv(ops: readonly OpEvent[]): string {
  const out = [OPERATION_COLUMNS.join(',')];
  for (const e of ops) out.push(operationLine(e));
  return out.join('\n') + '\n';
}

/** Any list of flat records as CSV with the given columns. */
export function rowsCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const out = [columns.join(',')];
  for (const r of rows) out.push(csvLine(r, columns));
  return out.join('\n') + '\n';
}


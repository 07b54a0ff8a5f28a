/** CSV writers: the per-policy time series and operations log. */
import { WINDOW_COLUMNS, type NodeRow, type PartitionRow, type WindowRow } from '../model/rows.ts';
import type { OpEvent } from '../model/control-plane.ts';

const cell = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** `timeseries.csv`: one row per metrics window. */
export function timeseriesCsv(rows: readonly WindowRow[]): string {
  return rowsCsv(rows, WINDOW_COLUMNS);
}

export const OPERATION_COLUMNS = ['timeMs', 'plan', 'action', 'partition', 'range', 'from', 'to', 'bytes', 'durationMs', 'status', 'reason'] as const;

/** `operations.csv`: one row per finished operation (done or failed). */
export function operationsCsv(ops: readonly OpEvent[]): string {
  const out = [OPERATION_COLUMNS.join(',')];
  for (const e of ops) {
    const a = e.action;
    const to = a.kind === 'move' || a.kind === 'create' ? a.node : e.fromNode;
    const range = e.range ? `${e.range.start}-${e.range.end}` : '';
    out.push(
      [e.timeMs, e.tag ?? '', a.kind, a.partition, range, e.fromNode ?? '', to ?? '', e.bytes ?? 0, e.durationMs ?? 0, e.status, e.reason ?? '']
        .map(cell)
        .join(','),
    );
  }
  return out.join('\n') + '\n';
}

/** Any list of flat records as CSV with the given columns. */
export function rowsCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const out = [columns.join(',')];
  for (const r of rows) out.push(columns.map((c) => cell(r[c])).join(','));
  return out.join('\n') + '\n';
}

export const NODE_COLUMNS: readonly (keyof NodeRow & string)[] = ['timeMs', 'node', 'rate', 'utilization', 'partitions', 'backlog', 'up'];
export const PARTITION_COLUMNS: readonly (keyof PartitionRow & string)[] = ['timeMs', 'partition', 'start', 'end', 'node', 'rate', 'backlog'];

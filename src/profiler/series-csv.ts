/**
 * Reading and writing the series files of `keycast forecast` and `keycast anomalies`.
 *
 * Forecast input: a header `id,time,value` means long format (rows grouped by id in order of first
 * appearance, values in row order; each time must parse and, within a series, come after the one
 * before it, since a forecast continues the series from its last point); any other header means
 * the M4 wide format (first column the id, then the values in time order; rows may be ragged,
 * trailing empty fields are ignored; fields may be double-quoted). Problems are collected with
 * file, line and column (1-based) and thrown together as one `InputError` (exit 2), up to
 * `MAX_PROBLEMS` and a line counting the rest.
 */
import { InputError, type Problem } from '../model/errors.ts';

/** One named series. */
export interface NamedSeries {
  readonly id: string;
  readonly values: Float64Array;
  /** 1-based line of the series' first row. */
  readonly line: number;
  /** Long format: each value's time as written in the input. */
  readonly times?: readonly string[];
}

/** Splits one CSV line into fields with their 1-based start columns (RFC 4180 quotes). */
export function splitCsvLine(line: string): { value: string; col: number }[] {
  const out: { value: string; col: number }[] = [];
  let i = 0;
  for (;;) {
    const col = i + 1;
    let value = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) break;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      while (i < line.length && line[i] !== ',') i++;
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      value = line.slice(i, end);
      i = end;
    }
    out.push({ value: value.trim(), col });
    if (i >= line.length) break;
    i++; // skip the comma
    if (i === line.length) {
      out.push({ value: '', col: i + 1 });
      break;
    }
  }
  return out;
}

function lines(text: string): string[] {
  const ls = text.split(/\r?\n/);
  if (ls.length && ls[ls.length - 1] === '') ls.pop();
  return ls;
}

function num(s: string): number {
  return s === '' ? NaN : Number(s);
}

/** Parses a forecast input file's text (see the module comment). */
export function parseSeriesCsv(text: string, file: string): NamedSeries[] {
  const ls = lines(text.replace(/^\uFEFF/, ''));
  const problems: Problem[] = [];
  if (ls.length === 0) throw new InputError([{ file, path: '', message: 'empty file: expected a header row and series' }]);
  const header = splitCsvLine(ls[0]).map((f) => f.value.toLowerCase());
  const out: NamedSeries[] = [];
  const long = header.length === 3 && header[0] === 'id' && header[1] === 'time' && header[2] === 'value';
  if (long) out.push(...parseLong(ls, file, problems));
  else {
    for (let li = 1; li < ls.length; li++) {
      if (ls[li].trim() === '') continue;
      const f = splitCsvLine(ls[li]);
      let end = f.length;
      while (end > 1 && f[end - 1].value === '') end--;
      const vals: number[] = [];
      for (let k = 1; k < end; k++) {
        const v = num(f[k].value);
        if (!Number.isFinite(v)) {
          problems.push({ file, line: li + 1, col: f[k].col, path: `${f[0].value || `row${li + 1}`}[${k}]`, message: f[k].value === '' ? 'missing value inside the series' : `not a number: '${f[k].value}'` });
          break;
        }
        vals.push(v);
      }
      if (f[0].value === '') problems.push({ file, line: li + 1, col: 1, path: 'id', message: 'empty id' });
      else if (vals.length === 0) problems.push({ file, line: li + 1, col: 1, path: f[0].value, message: 'series has no values' });
      out.push({ id: f[0].value, values: Float64Array.from(vals), line: li + 1 });
    }
  }
  if (!problems.length && out.length === 0) problems.push({ file, path: '', message: 'no series found' });
  if (problems.length) throw new InputError(capped(problems, file));
  return out;
}

/** Most problems reported at once; a last line counts the rest. */
export const MAX_PROBLEMS = 50;

function capped(problems: readonly Problem[], file: string): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return [...problems];
  return [...problems.slice(0, MAX_PROBLEMS), { file, path: '', message: `… and ${problems.length - MAX_PROBLEMS} more problem(s) not shown` }];
}

/** The series of a long-format file (`id,time,value`), its problems added to `problems`. */
function parseLong(ls: readonly string[], file: string, problems: Problem[]): NamedSeries[] {
  const groups = new Map<string, { vals: number[]; times: string[]; line: number; last?: { t: number; stamp: string; line: number } }>();
  for (let li = 1; li < ls.length; li++) {
    if (ls[li].trim() === '') continue;
    const f = splitCsvLine(ls[li]);
    if (f.length !== 3) {
      problems.push({ file, line: li + 1, col: 1, path: '', message: `expected 3 fields (id,time,value), found ${f.length}` });
      continue;
    }
    const [id, time, value] = f;
    let g = groups.get(id.value);
    if (!g) groups.set(id.value, (g = { vals: [], times: [], line: li + 1 }));
    const at = { file, line: li + 1, col: time.col, path: 'time' };
    const t = parseTime(time.value);
    if (!Number.isFinite(t)) problems.push({ ...at, message: `not a time: '${time.value}' (expected an ISO date-time, or epoch seconds or ms)` });
    else if (g.last && t <= g.last.t) {
      const how = t === g.last.t ? 'repeats the time' : `is before the time '${g.last.stamp}'`;
      problems.push({ ...at, message: `'${time.value}' ${how} of line ${g.last.line} (series '${id.value}'): times must increase within a series` });
    } else g.last = { t, stamp: time.value, line: li + 1 };
    const v = num(value.value);
    if (!Number.isFinite(v)) problems.push({ file, line: li + 1, col: value.col, path: 'value', message: `not a number: '${value.value}'` });
    if (id.value === '') problems.push({ file, line: li + 1, col: 1, path: 'id', message: 'empty id' });
    g.vals.push(v);
    g.times.push(time.value);
  }
  return [...groups].map(([id, g]) => ({ id, values: Float64Array.from(g.vals), line: g.line, times: g.times }));
}

/** A number for CSV output: up to 6 significant decimals, no exponent for ordinary magnitudes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  const a = Math.abs(v);
  const s = a >= 1e15 || (a > 0 && a < 1e-6) ? v.toExponential(6) : String(Number(v.toFixed(a >= 1000 ? 2 : 6)));
  return s === '-0' ? '0' : s;
}

/** One timestamped row of `keycast anomalies` input. */
export interface TimedValue {
  readonly stamp: string;
  readonly timeMs: number;
  readonly value: number;
}

/**
 * The step (ms) of a series' times when every one parses and each comes one same step after the
 * one before (to a microsecond); null otherwise (unparseable, fewer than two, not increasing, or
 * irregular): only such times can be continued.
 */
export function regularStep(times: readonly string[]): number | null {
  if (times.length < 2) return null;
  const t = times.map(parseTime);
  const step = t[1] - t[0];
  if (!(step > 0)) return null;
  const tolerance = Math.max(step * 1e-6, 1e-3);
  for (let i = 2; i < t.length; i++) if (!(Math.abs(t[i] - t[i - 1] - step) <= tolerance)) return null;
  return step;
}

/**
 * The `n` times after a series' last one, at its step, written like the input (epoch seconds
 * or ms as numbers, ISO with the input's separator); null unless the times are regular
 * (`regularStep`).
 */
export function nextTimes(times: readonly string[], n: number): string[] | null {
  const step = regularStep(times);
  if (step === null) return null;
  const b = parseTime(times[times.length - 1]);
  const last = times[times.length - 1];
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const t = b + i * step;
    if (/^-?\d+(\.\d+)?$/.test(last)) out.push(String(Math.abs(Number(last)) < 1e11 ? t / 1000 : t));
    else {
      const iso = new Date(t).toISOString();
      const plain = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(last);
      const sep = last.includes(' ') ? ' ' : 'T';
      out.push(plain ? iso.slice(0, last.length).replace('T', sep) : iso.replace('T', sep));
    }
  }
  return out;
}

/** Parses a time: ISO (zone-less = UTC, space or T), or epoch seconds (< 1e11) / ms. NaN if neither. */
export function parseTime(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const v = Number(s);
    return Math.abs(v) < 1e11 ? v * 1000 : v;
  }
  let iso = s.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
  return Date.parse(iso);
}

/** Parses `keycast anomalies` input: columns `timeCol` and `valueCol` of a headed CSV. */
export function parseTimedCsv(text: string, file: string, timeCol: string, valueCol: string): TimedValue[] {
  const ls = lines(text.replace(/^\uFEFF/, ''));
  if (ls.length === 0) throw new InputError([{ file, path: '', message: 'empty file: expected a header row' }]);
  const header = splitCsvLine(ls[0]).map((f) => f.value);
  const ti = header.indexOf(timeCol);
  const vi = header.indexOf(valueCol);
  const problems: Problem[] = [];
  if (ti < 0) problems.push({ file, line: 1, col: 1, path: timeCol, message: `no column '${timeCol}' (columns: ${header.join(', ')})` });
  if (vi < 0) problems.push({ file, line: 1, col: 1, path: valueCol, message: `no column '${valueCol}' (columns: ${header.join(', ')})` });
  if (problems.length) throw new InputError(problems);
  const out: TimedValue[] = [];
  let prev = -Infinity;
  for (let li = 1; li < ls.length; li++) {
    if (ls[li].trim() === '') continue;
    const f = splitCsvLine(ls[li]);
    const ts = f[ti];
    const vs = f[vi];
    if (!ts || !vs) {
      problems.push({ file, line: li + 1, col: 1, path: '', message: `expected ${header.length} fields, found ${f.length}` });
      continue;
    }
    const t = parseTime(ts.value);
    const v = num(vs.value);
    if (!Number.isFinite(t)) problems.push({ file, line: li + 1, col: ts.col, path: timeCol, message: `not a time: '${ts.value}'` });
    else if (t < prev) problems.push({ file, line: li + 1, col: ts.col, path: timeCol, message: 'rows must be in non-decreasing time order' });
    if (!Number.isFinite(v)) problems.push({ file, line: li + 1, col: vs.col, path: valueCol, message: `not a number: '${vs.value}'` });
    if (Number.isFinite(t)) prev = Math.max(prev, t);
    out.push({ stamp: ts.value, timeMs: t, value: v });
    if (problems.length >= 50) break;
  }
  if (problems.length) throw new InputError(problems);
  return out;
}

/**
 * Rows of a trace, streamed: CSV with a header row (fields may be double-quoted, no embedded
 * newlines) or JSON Lines (one object per line; detected by a first line starting with `{`).
 * The reader keeps one row in mutable fields (no object per row). Rows are checked here; time
 * order is checked by the caller (it knows whether a row is the first good one).
 */
import { InputError } from '../../model/errors.ts';
import type { TraceSpec } from '../spec.ts';
import { openByteSource, type ByteSource } from './byte-source.ts';
import { TimeParser } from './time.ts';
import { splitCsv } from '../../model/csv-line.ts';

/** What `next()` found. */
/**
 * The most records one row may carry: weights far beyond any real count (1e300) would overflow
 * the run's totals to Infinity, and every count downstream with them.
 */
export const MAX_WEIGHT = 1e12;

export const RowStatus = { End: 0, Ok: 1, Bad: 2 } as const;
export type RowStatus = (typeof RowStatus)[keyof typeof RowStatus];

/** Streams the rows of one trace file. */
export class TraceRowReader {
  /** 1-based line of the current row in the (decompressed) file. */
  line = 0;
  /** The current row (valid after `next()` returned Ok). */
  timeMs = 0;
  key = '';
  weight = 1;
  /** Why the current row is bad (after `next()` returned Bad). */
  problem = '';
  /** `csv` or `jsonl`. */
  readonly format: 'csv' | 'jsonl';

  private readonly src: ByteSource;
  private readonly decoder = new TextDecoder('utf-8');
  private lines: string[] = [];
  private li = 0;
  private rest = '';
  private eof = false;
  private readonly times: TimeParser;
  private readonly pattern: RegExp | null;
  private timeCol = -1;
  private keyCol = -1;
  private weightCol = -1;
  private need = 0;

  /**
   * Opens `absFile`; `displayFile` names it in messages. Throws InputError when the header lacks
   * a named column (or the file is empty).
   */
  constructor(
    absFile: string,
    private readonly spec: TraceSpec,
    private readonly displayFile: string,
  ) {
    this.src = openByteSource(absFile);
    this.times = new TimeParser(spec.timezone);
    this.pattern = spec.keyPattern !== undefined ? new RegExp(spec.keyPattern) : null;
    const first = this.nextLine();
    if (first === null) {
      this.close();
      throw new InputError([{ file: displayFile, path: 'workload.trace.file', message: 'the trace is empty' }]);
    }
    if (first.trimStart().startsWith('{')) {
      this.format = 'jsonl';
      this.li--; // the first line is a row
      this.line--;
      return;
    }
    this.format = 'csv';
    const cols = splitCsv(first).map((c) => c.trim());
    const find = (name: string, field: string): number => {
      const i = cols.indexOf(name);
      if (i < 0) {
        this.close();
        throw new InputError([
          { file: displayFile, line: 1, col: 1, path: `workload.trace.${field}`, message: `no column '${name}' in the header (columns: ${cols.join(', ')})` },
        ]);
      }
      return i;
    };
    this.timeCol = find(spec.time, 'time');
    this.keyCol = find(spec.key, 'key');
    this.weightCol = spec.weight !== undefined ? find(spec.weight, 'weight') : -1;
    this.need = Math.max(this.timeCol, this.keyCol, this.weightCol) + 1;
  }

  /** Reads the next row into the fields; skips blank lines. */
  next(): RowStatus {
    for (;;) {
      const text = this.nextLine();
      if (text === null) return RowStatus.End;
      if (text.length === 0 || (text.length < 3 && text.trim() === '')) continue;
      return this.format === 'csv' ? this.parseCsv(text) : this.parseJson(text);
    }
  }

  close(): void {
    this.src.close();
  }

  private bad(problem: string): RowStatus {
    this.problem = problem;
    return RowStatus.Bad;
  }

  private parseCsv(text: string): RowStatus {
    const cells = text.indexOf('"') < 0 ? text.split(',') : splitCsv(text);
    if (cells.length < this.need) return this.bad(`has ${cells.length} fields, the header has at least ${this.need}`);
    const t = this.times.parse(cells[this.timeCol]);
    if (Number.isNaN(t)) return this.bad(`time '${clip(cells[this.timeCol])}' is neither ISO 8601 nor an epoch number`);
    let w = 1;
    if (this.weightCol >= 0) {
      const wt = cells[this.weightCol].trim();
      w = wt === '' ? NaN : Number(wt);
      if (!(w >= 0) || !Number.isFinite(w)) return this.bad(`weight '${clip(wt)}' is not a number ≥ 0`);
      if (w > MAX_WEIGHT) return this.bad(`weight '${clip(wt)}' is above ${MAX_WEIGHT} records in one row`);
    }
    return this.setRow(t, cells[this.keyCol].trim(), w);
  }

  private parseJson(text: string): RowStatus {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      return this.bad('is not valid JSON');
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return this.bad('is not a JSON object');
    const rec = o as Record<string, unknown>;
    const tv = rec[this.spec.time];
    const t = typeof tv === 'number' ? this.times.fromNumber(tv) : typeof tv === 'string' ? this.times.parse(tv) : NaN;
    if (Number.isNaN(t)) return this.bad(tv === undefined ? `has no field '${this.spec.time}'` : `time ${clip(JSON.stringify(tv))} is neither ISO 8601 nor an epoch number`);
    const kv = rec[this.spec.key];
    if (typeof kv !== 'string' && typeof kv !== 'number') return this.bad(kv === undefined ? `has no field '${this.spec.key}'` : 'key is not a string or number');
    let w = 1;
    if (this.spec.weight !== undefined) {
      const wv = rec[this.spec.weight];
      w = typeof wv === 'number' ? wv : typeof wv === 'string' && wv.trim() !== '' ? Number(wv) : NaN;
      if (!(w >= 0) || !Number.isFinite(w)) return this.bad(`weight ${clip(String(JSON.stringify(wv)))} is not a number ≥ 0`);
      if (w > MAX_WEIGHT) return this.bad(`weight ${clip(String(JSON.stringify(wv)))} is above ${MAX_WEIGHT} records in one row`);
    }
    return this.setRow(t, String(kv).trim(), w);
  }

  private setRow(t: number, rawKey: string, w: number): RowStatus {
    let key = rawKey;
    if (this.pattern) {
      const m = this.pattern.exec(rawKey);
      if (!m) return this.bad(`key '${clip(rawKey)}' does not match keyPattern`);
      key = m.length > 1 && m[1] !== undefined ? m[1] : m[0];
    }
    if (key === '') return this.bad('empty key');
    this.timeMs = t;
    this.key = key;
    this.weight = w;
    return RowStatus.Ok;
  }

  private nextLine(): string | null {
    while (this.li >= this.lines.length) {
      if (this.eof) return null;
      const chunk = this.src.read();
      let text: string;
      if (chunk === null) {
        this.eof = true;
        text = this.rest + this.decoder.decode();
        this.rest = '';
        this.lines = text.length ? [text] : [];
      } else {
        text = this.rest + this.decoder.decode(chunk, { stream: true });
        const cut = text.lastIndexOf('\n');
        if (cut < 0) {
          this.rest = text;
          continue;
        }
        this.rest = text.slice(cut + 1);
        this.lines = text.slice(0, cut).split('\n');
      }
      this.li = 0;
    }
    this.line++;
    const l = this.lines[this.li++];
    return l.length && l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l;
  }

  /** For messages: the file as the user named it. */
  get file(): string {
    return this.displayFile;
  }
}


function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

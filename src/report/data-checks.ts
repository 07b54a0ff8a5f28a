/**
 * Checks on a run folder's own data files as `keycast report` reads them back: a CSV has its
 * header with the columns the pages draw from, each row has the header's number of fields, and
 * the columns that hold numbers do. A problem names the file, the line and the column (one line
 * per problem, at most `MAX_PER_FILE` per file and a line counting the rest), so an edited or
 * truncated file is bad input (exit 2) rather than a chart that quietly loses its points.
 * No file system here: the readers (run-data.ts, rerender.ts) hand over the text.
 */
import type { Problem } from '../model/errors.ts';
import { splitCsv } from '../model/csv-line.ts';

/** Most problems reported per file; a last line counts the rest. */
export const MAX_PER_FILE = 20;

/** What a CSV's columns must hold; columns not named are only counted. */
export interface CsvColumns {
  /** Columns that must hold a (finite) number. */
  readonly numbers?: readonly string[];
  /** Columns that hold a number or nothing. */
  readonly numbersOrEmpty?: readonly string[];
  /** Columns that hold a number, nothing or `NaN` (what keycast writes for an undefined share). */
  readonly measured?: readonly string[];
  /** Columns that must not be empty. */
  readonly texts?: readonly string[];
}

/** Collects the problems of one file, up to `MAX_PER_FILE`; `close` adds the count of the rest. */
export class FileProblems {
  private count = 0;

  constructor(
    private readonly into: Problem[],
    readonly file: string,
  ) {}

  /** Adds a problem at `line` (1-based; none for the whole file), in column `path` at character `col`. */
  add(line: number | undefined, path: string, message: string, col?: number): void {
    if (++this.count <= MAX_PER_FILE) this.into.push({ file: this.file, line, col, path, message });
  }

  /** Whether any problem was found. */
  get any(): boolean {
    return this.count > 0;
  }

  /** Adds the line counting the problems not shown. */
  close(): void {
    if (this.count > MAX_PER_FILE) this.into.push({ file: this.file, path: '', message: `… and ${this.count - MAX_PER_FILE} more problem(s) in this file not shown` });
  }
}

/** Whether a CSV cell holds a finite number (an empty cell does not). */
export function isNumber(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

/** What is wrong with `cell` of column `col` under `cols`, or undefined when nothing is. */
function cellProblem(cols: CsvColumns, col: string, cell: string): string | undefined {
  if (cols.numbers?.includes(col)) return isNumber(cell) ? undefined : `not a number: '${cell}'`;
  if (cols.numbersOrEmpty?.includes(col)) return cell === '' || isNumber(cell) ? undefined : `not a number: '${cell}'`;
  if (cols.measured?.includes(col)) return cell === '' || cell === 'NaN' || isNumber(cell) ? undefined : `not a number: '${cell}'`;
  if (cols.texts?.includes(col)) return cell === '' ? 'empty' : undefined;
  return undefined;
}

/**
 * The rows of a headed CSV's `text` as records of strings, checked against `cols`; problems go
 * to `problems` (then the rows returned are only the good ones, for nothing is drawn from them).
 */
export function checkedCsv(text: string, file: string, cols: CsvColumns, problems: Problem[]): Record<string, string>[] {
  const found = new FileProblems(problems, file);
  const lines = text.replace(/(\r?\n)+$/, '').split(/\r?\n/);
  const head = splitCsv(lines[0]);
  const wanted = [...(cols.numbers ?? []), ...(cols.numbersOrEmpty ?? []), ...(cols.measured ?? []), ...(cols.texts ?? [])];
  const missing = wanted.filter((c) => !head.includes(c));
  if (text.trim() === '') found.add(undefined, '', 'empty file: expected a header line');
  else if (missing.length) found.add(1, '', `missing columns: ${missing.join(', ')} (header: ${lines[0]})`);
  if (found.any) {
    found.close();
    return [];
  }
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    const c = splitCsv(lines[i]);
    if (c.length !== head.length) {
      found.add(i + 1, '', `expected ${head.length} fields (${head.join(',')}), found ${c.length}`);
      continue;
    }
    let ok = true;
    // Where each cell starts (when no cell is quoted, so the cells are the line's own text).
    let at = 1;
    head.forEach((col, k) => {
      const p = cellProblem(cols, col, c[k]);
      if (p) {
        found.add(i + 1, col, p, lines[i].includes('"') ? undefined : at);
        ok = false;
      }
      at += c[k].length + 1;
    });
    if (ok) rows.push(Object.fromEntries(head.map((h, k) => [h, c[k]])));
  }
  found.close();
  return rows;
}

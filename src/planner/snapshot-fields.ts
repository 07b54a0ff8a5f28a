/**
 * Reading the fields of a parsed JSON document while collecting every problem at once, each with
 * the `FILE:LINE:COL` of the value it is about (from `parseJsonWithPositions`). The `keycast plan`
 * snapshot parser is written with it; each reader returns undefined for a missing or bad value
 * and records why.
 */
import { didYouMean } from '../model/did-you-mean.ts';
import type { Problem } from '../model/errors.ts';
import type { Position } from './json-positions.ts';

/** Edits a misspelt snapshot field may be from its suggestion, at least (a third of its length above that). */
const SUGGEST_WITHIN = 2;

/** Options of a number field. */
export interface NumberRule {
  readonly required?: boolean;
  readonly int?: boolean;
  readonly min?: number;
}

/** Bad elements of one array reported one by one; the rest are counted in one line. */
const MAX_REPORTED = 10;

export class FieldReader {
  readonly problems: Problem[] = [];

  /**
   * @param file the file as the user named it
   * @param positions where each value starts, by dotted path (`key#key` for an object key itself)
   * @param fields the known fields of each object, by the object's path ('' for the root)
   */
  constructor(
    readonly file: string,
    private readonly positions: ReadonlyMap<string, Position>,
    private readonly fields: Readonly<Record<string, readonly string[]>>,
  ) {}

  /** Records a problem at the deepest recorded position on `path`. */
  add(path: string, message: string): void {
    let p = path;
    let at = this.positions.get(p);
    while (!at && p) {
      p = p.replace(/(\[\d+\]|\.[^.[\]]+|^[^.[\]]+)$/, '');
      at = this.positions.get(p);
    }
    this.problems.push({ file: this.file, path, message, line: at?.line, col: at?.col });
  }

  /** An object whose keys are all known fields of `path` (unknown ones are problems, with a did-you-mean). */
  object(v: unknown, path: string): Record<string, unknown> | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.add(path, 'must be an object');
      return undefined;
    }
    const o = v as Record<string, unknown>;
    const known = this.fields[path] ?? [];
    for (const key of Object.keys(o)) {
      if (known.includes(key)) continue;
      const sub = path ? `${path}.${key}` : key;
      const close = didYouMean(key, known, SUGGEST_WITHIN);
      const at = this.positions.get(`${sub}#key`);
      this.problems.push({ file: this.file, path: sub, message: `unknown field${close ? ` (did you mean ${close}?)` : ''}`, line: at?.line, col: at?.col });
    }
    return o;
  }

  /** A finite number obeying `rule`. */
  number(v: unknown, path: string, rule: NumberRule = {}): number | undefined {
    if (v === undefined) {
      if (rule.required) this.add(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(path, 'must be a number');
    if (rule.int && !Number.isInteger(v)) return this.fail(path, 'must be an integer');
    if (rule.min !== undefined && v < rule.min) return this.fail(path, `must be ≥ ${rule.min}`);
    return v;
  }

  /** An array of numbers ≥ 0, of length `len` when given (the bucket count). */
  vector(v: unknown, path: string, len: number | undefined): Float64Array | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.fail(path, 'must be an array of numbers');
    if (len !== undefined && v.length !== len) return this.fail(path, `has ${v.length} values, want buckets = ${len}`);
    const out = new Float64Array(v.length);
    let bad = 0;
    let sum = 0;
    for (let j = 0; j < v.length; j++) {
      const x = v[j];
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
        if (++bad <= MAX_REPORTED) this.add(`${path}[${j}]`, 'must be a number ≥ 0');
        continue;
      }
      out[j] = x;
      sum += x;
    }
    if (bad > MAX_REPORTED) this.add(path, `${bad - MAX_REPORTED} more values are not numbers ≥ 0`);
    if (bad > 0) return undefined;
    // Loads are summed (prefix sums, totals): values whose sum overflows would give the search no layout to compare.
    if (!Number.isFinite(sum)) return this.fail(path, 'values too large: their sum is not a finite number');
    return out;
  }

  /** A non-empty array of windows, each a `vector` of length `len`. */
  windows(v: unknown, path: string, len: number | undefined): Float64Array[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0) return this.fail(path, 'must be a non-empty array of windows (arrays of numbers)');
    const out: Float64Array[] = [];
    v.forEach((w, i) => {
      const r = this.vector(w, `${path}[${i}]`, len);
      if (r) out.push(r);
    });
    return out.length === v.length ? out : undefined;
  }

  /** A required array of integers ≥ 0 (each bad element reported, up to MAX_REPORTED). */
  integers(v: unknown, path: string): number[] | undefined {
    if (!Array.isArray(v)) return this.fail(path, v === undefined ? 'is required' : 'must be an array of integers');
    const bad = v.flatMap((x, j) => (typeof x !== 'number' || !Number.isInteger(x) || x < 0 ? [j] : []));
    for (const j of bad.slice(0, MAX_REPORTED)) this.add(`${path}[${j}]`, 'must be an integer ≥ 0');
    if (bad.length > MAX_REPORTED) this.add(path, `${bad.length - MAX_REPORTED} more values are not integers ≥ 0`);
    return bad.length ? undefined : (v as number[]);
  }

  private fail(path: string, message: string): undefined {
    this.add(path, message);
    return undefined;
  }
}

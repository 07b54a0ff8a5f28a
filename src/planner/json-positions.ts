/**
 * A small JSON parser that also records where each value starts (1-based line and column by
 * dotted path, `a.b[2].c`), so snapshot errors can point at `FILE:LINE:COL`. Syntax errors are
 * thrown as `JsonSyntaxError` with their position.
 */
import { KeycastError } from '../model/errors.ts';

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** A JSON syntax error at a 1-based line and column. */
export class JsonSyntaxError extends KeycastError {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super('JSON_SYNTAX', message);
    this.name = 'JsonSyntaxError';
  }
}

/** Parses `text`; `positions` maps each value's path ('' for the root) to where it starts. */
export function parseJsonWithPositions(text: string): { value: unknown; positions: Map<string, Position> } {
  const p = new Cursor(text);
  const v = p.value('');
  p.ws();
  if (p.i < text.length) p.fail('unexpected text after the JSON value');
  return { value: v, positions: p.positions };
}

/** The parser's cursor (offset, line, line start) and the positions recorded so far; one method per JSON production. */
class Cursor {
  readonly positions = new Map<string, Position>();
  i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  pos(): Position {
    return { line: this.line, col: this.i - this.lineStart + 1 };
  }

  fail(msg: string): never {
    const p = this.pos();
    throw new JsonSyntaxError(msg, p.line, p.col);
  }

  /** Skips whitespace, counting lines. */
  ws(): void {
    for (;;) {
      const ch = this.text.charCodeAt(this.i);
      if (ch === 10) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else if (ch === 32 || ch === 9 || ch === 13) this.i++;
      else break;
    }
  }

  /** A quoted string (the cursor on its opening quote), unescaped by JSON.parse. */
  str(): string {
    const text = this.text;
    const start = this.i;
    this.i++;
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string');
      const ch = text[this.i];
      if (ch === '"') break;
      if (ch === '\\') this.i++;
      else if (ch === '\n') this.fail('line break inside a string');
      this.i++;
    }
    this.i++;
    try {
      return JSON.parse(text.slice(start, this.i)) as string;
    } catch {
      return this.fail('invalid string escape');
    }
  }

  /** One JSON value at `path`, recording where it starts. */
  value(path: string): unknown {
    this.ws();
    this.positions.set(path, this.pos());
    const ch = this.text[this.i];
    if (ch === '{') return this.object(path);
    if (ch === '[') return this.array(path);
    if (ch === '"') return this.str();
    return this.scalar(ch);
  }

  /** Consumes `close` when it is next (after whitespace). */
  private closes(close: string): boolean {
    if (this.text[this.i] !== close) return false;
    this.i++;
    return true;
  }

  /** After an element: true at the closing bracket, false after a comma; anything else fails. */
  private endOrComma(close: string): boolean {
    this.ws();
    if (this.text[this.i] === ',') {
      this.i++;
      return false;
    }
    if (this.closes(close)) return true;
    return this.fail(`expected ',' or '${close}'`);
  }

  private object(path: string): Record<string, unknown> {
    this.i++;
    const obj: Record<string, unknown> = {};
    this.ws();
    if (this.closes('}')) return obj;
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') this.fail('expected a quoted field name');
      const keyPos = this.pos();
      const key = this.str();
      const sub = path ? `${path}.${key}` : key;
      this.ws();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after "${key}"`);
      this.i++;
      obj[key] = this.value(sub);
      if (!this.positions.has(`${sub}#key`)) this.positions.set(`${sub}#key`, keyPos);
      if (this.endOrComma('}')) return obj;
    }
  }

  private array(path: string): unknown[] {
    this.i++;
    const arr: unknown[] = [];
    this.ws();
    if (this.closes(']')) return arr;
    for (;;) {
      arr.push(this.value(`${path}[${arr.length}]`));
      if (this.endOrComma(']')) return arr;
    }
  }

  /** A number or a literal (true, false, null); `ch` is the character under the cursor. */
  private scalar(ch: string | undefined): unknown {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.i, this.i + 64));
    if (m) {
      this.i += m[0].length;
      return Number(m[0]);
    }
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(lit, this.i)) {
        this.i += lit.length;
        return v;
      }
    }
    return this.fail(this.i >= this.text.length ? 'unexpected end of input' : `unexpected character '${ch}'`);
  }
}

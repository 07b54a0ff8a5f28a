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

/**
 * Parses `text`; `positions` maps each value's path ('' for the root) to where it starts.
 *
 * Longer than 60 lines on purpose: one recursive-descent parser whose small closures (value,
 * string, number, whitespace) share one cursor (`i`, `line`, `lineStart`); split into functions
 * they would pass that cursor around on every character.
 */
export function parseJsonWithPositions(text: string): { value: unknown; positions: Map<string, Position> } {
  const positions = new Map<string, Position>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (): Position => ({ line, col: i - lineStart + 1 });
  const fail = (msg: string): never => {
    const p = pos();
    throw new JsonSyntaxError(msg, p.line, p.col);
  };
  const ws = () => {
    for (;;) {
      const ch = text.charCodeAt(i);
      if (ch === 10) {
        i++;
        line++;
        lineStart = i;
      } else if (ch === 32 || ch === 9 || ch === 13) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text[i];
      if (ch === '"') break;
      if (ch === '\\') i++;
      else if (ch === '\n') fail('line break inside a string');
      i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('invalid string escape');
    }
  };
  const value = (path: string): unknown => {
    ws();
    positions.set(path, pos());
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a quoted field name');
        const keyPos = pos();
        const key = str();
        const sub = path ? `${path}.${key}` : key;
        ws();
        if (text[i] !== ':') fail(`expected ':' after "${key}"`);
        i++;
        obj[key] = value(sub);
        if (!positions.has(`${sub}#key`)) positions.set(`${sub}#key`, keyPos);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (ch === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(`${path}[${arr.length}]`));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (ch === '"') return str();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    return fail(i >= text.length ? 'unexpected end of input' : `unexpected character '${ch}'`);
  };
  const v = value('');
  ws();
  if (i < text.length) fail('unexpected text after the JSON value');
  return { value: v, positions };
}

/**
 * Expectations (`expect:` lines): `<policy>.<metric>[.<field>] <op> <expression>` with
 * `< <= > >= == !=`; the right side uses numbers, other policies' metrics, `+ - * /` and
 * parentheses. Parsed once at load time (syntax errors name the line), evaluated after a run.
 *
 * Over seeds (`run --seeds N`, `seeds:`): a plain expectation must hold at every seed (also
 * written `all(seed): …`, quoted in YAML); one whose metrics are written `mean(<policy>.<metric>)`
 * (all of them), or `mean: …` (quoted), is evaluated once on the per-seed means; `interval: a.m
 * <= b.m` (quoted; one metric each side, `< <= > >=`) fails only when the paired per-seed ratio
 * a/b is on the wrong side of 1 beyond its 95% interval (a bound checked as the study checks it).
 * With one seed every form is the plain one.
 */

export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** An expression tree. */
export type Expr =
  | { type: 'num'; value: number }
  | { type: 'ref'; policy: string; path: string[]; mean?: boolean }
  | { type: 'bin'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr }
  | { type: 'neg'; arg: Expr };

/** A parsed expectation. */
export interface Expectation {
  readonly expr: string;
  readonly left: Extract<Expr, { type: 'ref' }>;
  readonly op: Op;
  readonly right: Expr;
  /** Over seeds: at every seed (the default), on the means, or on the paired ratio's interval. */
  readonly over: 'all' | 'mean' | 'interval';
}

type Tok = { t: 'num' | 'id' | 'op' | 'punc'; v: string; pos: number };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?%?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(<=|>=|==|!=|<|>)|([-+*/()]))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new Error(`unexpected '${src.slice(pos).trim()[0]}' at column ${pos + 1}`);
    if (m[1] !== undefined) toks.push({ t: 'num', v: m[1], pos });
    else if (m[2] !== undefined) toks.push({ t: 'id', v: m[2], pos });
    else if (m[3] !== undefined) toks.push({ t: 'op', v: m[3], pos });
    else toks.push({ t: 'punc', v: m[4], pos });
    pos = re.lastIndex;
  }
  return toks;
}

/** Parses one expectation; throws an Error whose message says what is wrong. */
export function parseExpectation(src: string): Expectation {
  const form = /^\s*(mean|all\(seed\)|interval)\s*:/.exec(src);
  const over = form?.[1] === 'mean' ? 'mean' : form?.[1] === 'interval' ? 'interval' : 'all';
  if (!form && /^\s*[A-Za-z_(]+[^:<>=!]*:/.test(src)) throw new Error("a form before ':' must be 'mean', 'all(seed)' or 'interval'");
  const p = new ExprParser(tokenize(form ? src.slice(form[0].length) : src));
  const first = p.next();
  if (!first || first.t !== 'id') throw new Error('should start with <policy>.<metric>');
  const left = first.v === 'mean' && p.peek()?.v === '(' ? (p.meanRef() as Extract<Expr, { type: 'ref' }>) : ref(first.v);
  const opTok = p.next();
  if (!opTok || opTok.t !== 'op') throw new Error('needs a comparison (< <= > >= == !=) after the metric');
  const right = p.sum();
  p.end();
  const e: Expectation = { expr: src.trim(), left, op: opTok.v as Op, right, over };
  if (over === 'interval') {
    if (right.type !== 'ref' || left.mean || right.mean) throw new Error("'interval:' compares one metric with one other: interval: <policy>.<metric> <= <policy>.<metric>");
    if (e.op === '==' || e.op === '!=') throw new Error("'interval:' takes < <= > or >=");
    return e;
  }
  const means = references(e).map((r) => r.mean === true);
  if (means.some(Boolean)) {
    if (!means.every(Boolean)) throw new Error('write mean(…) around every metric of the expectation, or around none');
    if (form?.[1] === 'all(seed)') throw new Error("'all(seed):' with mean(…) metrics: use one or the other");
    return { ...e, over: 'mean' };
  }
  return e;
}

/** `<policy>.<metric…>` as a reference. */
function ref(v: string): Extract<Expr, { type: 'ref' }> {
  const parts = v.split('.');
  if (parts.length < 2) throw new Error(`'${v}' should be <policy>.<metric>`);
  return { type: 'ref', policy: parts[0], path: parts.slice(1) };
}

/** Recursive descent over the tokens of an expression: sum of products of primaries. */
class ExprParser {
  private i = 0;
  constructor(private readonly toks: readonly Tok[]) {}

  peek(): Tok | undefined {
    return this.toks[this.i];
  }

  next(): Tok | undefined {
    return this.toks[this.i++];
  }

  /** Throws on tokens left over. */
  end(): void {
    const t = this.toks[this.i];
    if (t) throw new Error(`unexpected '${t.v}' at column ${t.pos + 1}`);
  }

  sum(): Expr {
    let e = this.product();
    while (this.peek() && (this.peek()!.v === '+' || this.peek()!.v === '-')) {
      const op = this.next()!.v as '+' | '-';
      e = { type: 'bin', op, left: e, right: this.product() };
    }
    return e;
  }

  private product(): Expr {
    let e = this.primary();
    while (this.peek() && (this.peek()!.v === '*' || this.peek()!.v === '/')) {
      const op = this.next()!.v as '*' | '/';
      e = { type: 'bin', op, left: e, right: this.primary() };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.next();
    if (!t) throw new Error('expression ends too early');
    if (t.t === 'num') {
      const pct = t.v.endsWith('%');
      const n = Number(pct ? t.v.slice(0, -1) : t.v);
      return { type: 'num', value: pct ? n / 100 : n };
    }
    if (t.t === 'id' && t.v === 'mean' && this.peek()?.v === '(') return this.meanRef();
    if (t.t === 'id') return ref(t.v);
    if (t.v === '(') {
      const e = this.sum();
      if (this.peek()?.v !== ')') throw new Error('missing )');
      this.i++;
      return e;
    }
    if (t.v === '-') return { type: 'neg', arg: this.primary() };
    throw new Error(`unexpected '${t.v}'`);
  }

  /** `mean(` already read up to the name: `( <policy>.<metric> )`. */
  meanRef(): Expr {
    this.i++; // (
    const t = this.next();
    if (!t || t.t !== 'id') throw new Error('mean( needs <policy>.<metric>');
    if (this.next()?.v !== ')') throw new Error('missing ) after mean(<policy>.<metric>');
    return { ...ref(t.v), mean: true };
  }
}

/** Every metric reference of an expectation (left side first). */
export function references(e: Expectation): Extract<Expr, { type: 'ref' }>[] {
  const out: Extract<Expr, { type: 'ref' }>[] = [e.left];
  const walk = (x: Expr): void => {
    if (x.type === 'ref') out.push(x);
    else if (x.type === 'bin') {
      walk(x.left);
      walk(x.right);
    } else if (x.type === 'neg') walk(x.arg);
  };
  walk(e.right);
  return out;
}

/** Evaluates an expression with `lookup` resolving metric references (throws on unknown ones). */
export function evaluate(x: Expr, lookup: (policy: string, path: string[]) => number): number {
  switch (x.type) {
    case 'num':
      return x.value;
    case 'ref':
      return lookup(x.policy, x.path);
    case 'neg':
      return -evaluate(x.arg, lookup);
    case 'bin': {
      const a = evaluate(x.left, lookup);
      const b = evaluate(x.right, lookup);
      return x.op === '+' ? a + b : x.op === '-' ? a - b : x.op === '*' ? a * b : a / b;
    }
  }
}

/** Compares with the expectation's operator. */
export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

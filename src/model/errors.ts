/**
 * The error base class (a stable `code` and a `cause`) and the input-problem error the CLI turns
 * into exit code 2 with one `FILE:LINE:COL field.path: message` line per problem.
 */

/** Base of keycast's own errors. */
export class KeycastError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeycastError';
  }
}

/** One problem in a user's input (scenario, trace, snapshot, series, CLI flag). */
export interface Problem {
  /** File as the user named it (or `<cli>` for flags). */
  readonly file: string;
  /** 1-based line and column, where a position applies. */
  readonly line?: number;
  readonly col?: number;
  /** Dotted field path (`workload.rate`, `keys[1].share`); may be empty. */
  readonly path: string;
  readonly message: string;
}

/** `FILE:LINE:COL field.path: message`, or `FILE: field.path: message` without a position. */
export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col ?? 1}` : `${p.file}:`;
  const path = p.path ? ` ${p.path}:` : '';
  return `${where}${path} ${p.message}`;
}

/** Bad input: exit code 2. Carries every problem found, not just the first. */
export class InputError extends KeycastError {
  constructor(
    readonly problems: readonly Problem[],
    options?: { cause?: unknown },
  ) {
    super('INPUT', problems.map(formatProblem).join('\n'), options);
    this.name = 'InputError';
  }
}

/** Runs `f`; an InputError's problems go into `problems` (and undefined is returned), anything else is thrown. */
export function gather<T>(problems: Problem[], f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/**
 * Runs each check and throws one InputError with the problems of all of them (a user fixing
 * input sees every bad one at once, not one per try); returns their results when none failed.
 */
export function allProblems<T extends unknown[]>(...checks: { [K in keyof T]: () => T[K] }): T {
  const problems: Problem[] = [];
  const out = checks.map((c) => gather(problems, c));
  if (problems.length) throw new InputError(problems);
  return out as T;
}

/** Shorthand for a single-problem input error. */
export function inputError(file: string, path: string, message: string, line?: number, col?: number): InputError {
  return new InputError([{ file, path, message, line, col }]);
}

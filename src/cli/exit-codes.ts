/** Exit codes of the CLI (DESIGN.md): 0 success, 1 expectation failed, 2 bad input, 3 invariant violated. */
export const ExitCode = {
  ok: 0,
  expectationFailed: 1,
  badInput: 2,
  invariantViolated: 3,
  /** An unexpected internal error (a bug): reported in one line, no stack unless KEYCAST_DEBUG is set. */
  internal: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

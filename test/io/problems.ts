/** The `FILE:LINE:COL field: message` lines of the `InputError` a call throws (none when it returns). */
import { InputError, formatProblem } from '../../src/model/errors.ts';

export function problems(f: () => unknown): string[] {
  try {
    f();
    return [];
  } catch (err) {
    if (err instanceof InputError) return err.problems.map(formatProblem);
    throw err;
  }
}

/**
 * Scenarios shipped with keycast, found by name: `keycast run follow-the-sun` runs the bundled
 * `scenarios/follow-the-sun.yaml` when no such file is in the working directory, so an installed
 * package (`npx keycast run follow-the-sun`) works from an empty folder. The rule: an argument
 * that names an existing file or folder is that path; otherwise a bare name (no `/`), with or
 * without `.yaml`, is looked up in the package's `scenarios/` folder (`long/NAME` reaches the
 * longer variants); anything else is reported as missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own `scenarios/` folder (absolute). */
export const BUNDLED_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The path to read for a scenario argument: `arg` itself if it exists, else a bundled scenario of that name, else `arg`. */
export function resolveScenarioArg(arg: string): string {
  if (fs.existsSync(arg)) return arg;
  const name = arg.replace(/\.ya?ml$/, '');
  if (!/^(long\/)?[A-Za-z0-9][\w.-]*$/.test(name)) return arg;
  const bundled = path.join(BUNDLED_SCENARIOS, `${name}.yaml`);
  return fs.existsSync(bundled) ? bundled : arg;
}

/** Names of the bundled scenarios (for messages). */
export function bundledScenarioNames(): string[] {
  try {
    return fs.readdirSync(BUNDLED_SCENARIOS).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

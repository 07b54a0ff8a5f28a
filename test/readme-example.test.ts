/**
 * The README's library example ("Library API", between the `library-example` markers) runs as it
 * stands: its import line is bound to `src/index.ts`, the rest is executed unchanged.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import * as keycast from '../src/index.ts';

/** The example's code, with `import { a, b } from 'keycast';` turned into `const { a, b } = lib;`. */
function example(): string {
  const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');
  const m = /<!-- library-example -->\s*```ts\n([\s\S]*?)```\s*<!-- \/library-example -->/.exec(readme);
  if (!m) throw new Error('README has no library example between the markers');
  const ts = m[1].replace(/^import\s*\{([^}]*)\}\s*from\s*'keycast';$/m, 'const {$1} = lib;');
  return transformSync(ts, { loader: 'ts' }).code;
}

describe('README library example', () => {
  it('imports only what src/index.ts exports, and runs the KDP, the PRE and the APM schedule', () => {
    const code = example();
    const names = /const \{([^}]*)\} = lib;/.exec(code)![1].split(',').map((s) => s.trim());
    for (const n of names) expect(keycast, n).toHaveProperty(n);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const run = new Function('lib', `${code}\nreturn { forecast, result, schedule };`);
      const { forecast, result, schedule } = run(keycast) as {
        forecast: keycast.Forecast;
        result: keycast.PlanResult;
        schedule: keycast.Schedule;
      };
      expect(forecast.windows).toHaveLength(15);
      // 4 hot buckets × 300/s + 60 × 15/s, ±20 %
      expect(forecast.windows[0].totalRate.mean).toBeGreaterThan(0.7 * 2100);
      expect(forecast.windows[0].totalRate.mean).toBeLessThan(1.3 * 2100);
      expect(result.proposed).toBe(true);
      expect(result.plan.actions.length).toBeGreaterThan(0);
      expect(schedule.actions).toHaveLength(result.plan.actions.length);
      expect(schedule.makespanMs).toBeGreaterThan(0);
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      log.mockRestore();
    }
  });
});

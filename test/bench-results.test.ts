/**
 * bench/results.json merging (bench/results-file.ts): a bench run with `--only` replaces the
 * figures it measured and keeps the others with when they were measured.
 */
import { describe, expect, it } from 'vitest';
import { mergedResults } from '../bench/results-file.ts';

describe('bench results merging', () => {
  const runs = { date: 'd1', node: 'v20', bareLoopUpdatesPerSec: 1.2e9, samples: { engine: [1, 2] }, fourPolicyRun: { seconds: 92.9 } };
  const start = { date: 'd2', node: 'v20', bareLoopUpdatesPerSec: 1.6e9, samples: {}, npmStart: { seconds: 15.9 } };

  it('keeps the figures a later --only run did not measure, with their date and bare loop', () => {
    const m = mergedResults(mergedResults({}, runs), start);
    expect(m.fourPolicyRun).toEqual({ seconds: 92.9 });
    expect(m.npmStart).toEqual({ seconds: 15.9 });
    expect(m.samples).toEqual({ engine: [1, 2] });
    expect(m.date).toBe('d2');
    expect(m.measuredAt).toEqual({
      fourPolicyRun: { date: 'd1', bareLoopUpdatesPerSec: 1.2e9 },
      npmStart: { date: 'd2', bareLoopUpdatesPerSec: 1.6e9 },
    });
  });

  it('replaces a figure measured again, samples included', () => {
    const again = { ...runs, date: 'd3', samples: { engine: [3] }, fourPolicyRun: { seconds: 90 } };
    const m = mergedResults(mergedResults(runs, start), again);
    expect(m.fourPolicyRun).toEqual({ seconds: 90 });
    expect(m.samples).toEqual({ engine: [3] });
    expect((m.measuredAt as Record<string, { date: string }>).fourPolicyRun.date).toBe('d3');
    expect((m.measuredAt as Record<string, { date: string }>).npmStart.date).toBe('d2');
  });
});

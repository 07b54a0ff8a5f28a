import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bootstrapMean, paretoChart, paretoFront, sensitivityChart, sweepCells, sweepTableText } from '../../src/report/sweep-report.ts';
import type { ResultRow } from '../../src/experiment/sweep.ts';

const FIELDS = ['policies.predictive.threshold', 'policies.predictive.horizon'];
function rows(): ResultRow[] {
  const out: ResultRow[] = [];
  let run = 0;
  for (const th of ['0.02', '0.1']) for (const hz of ['30m', '15m']) for (const seed of [1, 2, 3]) {
    for (const policy of ['reactive', 'predictive']) {
      const p99 = policy === 'reactive' ? 9000 + seed * 500 : 2 + seed + Number(th) * 10;
      out.push({ run, point: [th, hz], seed, policy, values: { sloViolationRate: policy === 'reactive' ? 0.05 : 0.001 * seed, p99LatencyMs: p99, movedBytes: seed === 3 ? 0 : 2 ** 30 * seed } });
    }
    run++;
  }
  return out;
}

describe('sweep page', () => {
  it('bootstrap intervals stay within the values (never below 0 for non-negative metrics), fixed seed', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 8 }), (xs) => {
        const b = bootstrapMean(xs);
        expect(b.lo).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(b.hi).toBeLessThanOrEqual(Math.max(...xs));
        expect(b.lo).toBeLessThanOrEqual(b.mean);
        expect(b.hi).toBeGreaterThanOrEqual(b.mean);
        expect(bootstrapMean(xs)).toEqual(b);
      }),
      { seed: 18, numRuns: 100 },
    );
  });

  it('names dotted grid fields safely in chart data and titles the axis with the path', () => {
    const spec = sensitivityChart(FIELDS, rows(), 1, 'p99LatencyMs') as { data: { values: Record<string, unknown>[] }; layer: { encoding: { x: { field: string; title: string; sort: string[] } } }[] };
    for (const v of spec.data.values) for (const k of Object.keys(v)) expect(k).not.toContain('.');
    expect(spec.layer[1].encoding.x.field).toBe('g');
    expect(spec.layer[1].encoding.x.title).toBe('policies.predictive.horizon');
    expect(spec.layer[1].encoding.x.sort).toEqual(['15m', '30m']);
    expect(spec.data.values.every((v) => typeof v.g === 'string' && (v.v_lo as number) >= 0)).toBe(true);
  });

  it('draws the Pareto front on log axes with every point tooltipped by its grid point', () => {
    expect(paretoFront([{ x: 1, y: 5 }, { x: 2, y: 2 }, { x: 3, y: 3 }, { x: 1, y: 6 }])).toEqual([{ x: 1, y: 5 }, { x: 2, y: 2 }]);
    const spec = paretoChart(FIELDS, rows()) as { layer: { data: { values: Record<string, unknown>[] }; encoding: { x: { scale: { type: string } }; y: { scale: { type: string } }; tooltip?: { field: string }[] } }[] };
    expect(spec.layer[0].encoding.x.scale.type).toBe('log');
    expect(spec.layer[0].encoding.y.scale.type).toBe('log');
    expect(spec.layer[0].encoding.tooltip!.map((t) => t.field)).toContain('point');
    expect(spec.layer[1].data.values.length).toBeGreaterThan(0);
    for (const p of spec.layer[0].data.values) expect(p.x as number).toBeGreaterThan(0);
  });

  it('prints an aligned table of grid points × policies with means and intervals', () => {
    const text = sweepTableText(FIELDS, rows());
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^predictive\.threshold\s+predictive\.horizon\s+policy\s+seeds\s+records over the SLO\s+p99 latency\s+data moved$/);
    expect(lines.slice(2, 10).every((l) => l.length === lines[2].length || l.trimEnd() === l)).toBe(true);
    expect(text).toMatch(/0\.02\s+30m\s+reactive\s+3\s+5\.00%\s+10 s \[9\.5 s – 10\.5 s\]/);
    expect(text).toMatch(/means over 3 seeds \[95% bootstrap interval\]/);
    expect(sweepCells(FIELDS, rows())).toHaveLength(8);
  });
});

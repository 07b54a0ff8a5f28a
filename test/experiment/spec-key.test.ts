/** A policy's random streams are keyed by what its spec changes from the defaults, not by its name or field order. */
import { describe, expect, it } from 'vitest';
import { specDelta, specKey } from '../../src/experiment/spec-key.ts';
import { policyDefaults, type PolicySpec } from '../../src/scenario/schema.ts';

const spec = (x: Record<string, unknown>) => x as unknown as PolicySpec;

describe('specKey', () => {
  it('ignores fields written at their default, and field order', () => {
    const full = spec(policyDefaults('predictive'));
    expect(specDelta(full)).toEqual({ kind: 'predictive' });
    expect(specKey(full)).toBe(specKey(spec({ kind: 'predictive' })));
    const a = spec({ ...policyDefaults('predictive'), every: 120_000, threshold: 0.1 });
    const b = spec(Object.fromEntries(Object.entries(a).reverse()));
    expect(specKey(a)).toBe(specKey(b));
  });
  it('changes with any field that differs from the default, and with the kind', () => {
    const base = policyDefaults('oracle');
    const k0 = specKey(spec(base));
    expect(specKey(spec({ ...base, tailQuantile: 0.9 }))).not.toBe(k0);
    expect(specKey(spec({ ...base, goals: { ...(base.goals as object), movement: 0.5 } }))).not.toBe(k0);
    expect(specKey(spec({ ...policyDefaults('perfect-forecast') }))).not.toBe(k0);
  });
});

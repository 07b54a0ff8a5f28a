import { describe, expect, it } from 'vitest';
import { friendly, partialScenario, schemaProblems } from '../../src/scenario/schema-problems.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';

describe('schema problems in words', () => {
  it('says what a value should be', () => {
    expect(friendly({ code: 'invalid_type', expected: 'number', input: 'fast', message: '' })).toBe("should be a number, not 'fast'");
    expect(friendly({ code: 'invalid_type', expected: 'number', input: undefined, message: '' })).toBe('is required');
    expect(friendly({ code: 'too_small', minimum: 1, inclusive: true, origin: 'array', message: '' })).toBe('must be at least 1 entries');
  });

  it('an unknown field gets a did-you-mean from the schema, at its key', () => {
    const raw = { name: 't', clustr: { nodes: 2 } };
    const parsed = scenarioSchema.safeParse(raw);
    expect(parsed.success).toBe(false);
    const out: string[] = [];
    schemaProblems(parsed.error!.issues, raw, (p) => ({ line: p.length }), (p) => out.push(`${p.path}@${p.line}: ${p.message}`));
    expect(out).toContain("clustr@2: unknown field (did you mean 'cluster'?)");
  });

  it('keeps the sections valid on their own', () => {
    const part = partialScenario({ name: 't', tick: 'never', cluster: { nodes: 2, nodeCapacity: 100, partitions: 2, maxPartitions: 8 } });
    expect(part.name).toBe('t');
    expect(part.tick).toBeUndefined();
    expect(part.cluster?.nodes).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { compare, evaluate, parseExpectation, references } from '../../src/scenario/expect.ts';

const VALUES: Record<string, number> = { 'a.x': 2, 'b.x': 8, 'a.y.z': 0.5 };
const lookup = (policy: string, path: string[]) => VALUES[`${policy}.${path.join('.')}`] ?? NaN;

describe('the expectation grammar', () => {
  it('parses sums of products with parentheses, percentages and negation', () => {
    const e = parseExpectation('a.x < b.x * 50% - (1 + -2) / 4');
    expect(e.left).toEqual({ type: 'ref', policy: 'a', path: ['x'] });
    expect(e.op).toBe('<');
    expect(evaluate(e.right, lookup)).toBe(8 * 0.5 - (1 - 2) / 4);
    expect(compare(2, e.op, evaluate(e.right, lookup))).toBe(true);
    expect(references(parseExpectation('a.y.z >= a.x')).map((r) => `${r.policy}:${r.path.join('.')}`)).toEqual(['a:y.z', 'a:x']);
  });

  it('mean(…) around every metric makes it an expectation over the seeds’ means', () => {
    expect(parseExpectation('mean(a.x) < mean(b.x)').over).toBe('mean');
    expect(parseExpectation('mean: a.x < b.x').over).toBe('mean');
    expect(parseExpectation('a.x < b.x').over).toBe('all');
    expect(() => parseExpectation('mean(a.x) < b.x')).toThrow(/around every metric/);
    expect(() => parseExpectation('all(seed): mean(a.x) < mean(b.x)')).toThrow(/use one or the other/);
  });

  it('says what is wrong', () => {
    expect(() => parseExpectation('3 < a.x')).toThrow(/should start with <policy>\.<metric>/);
    expect(() => parseExpectation('a.x b.x')).toThrow(/needs a comparison/);
    expect(() => parseExpectation('a.x < (b.x')).toThrow(/missing \)/);
    expect(() => parseExpectation('a.x < b.x )')).toThrow(/unexpected '\)' at column/);
    expect(() => parseExpectation('a < 1')).toThrow(/should be <policy>\.<metric>/);
    expect(() => parseExpectation('a.x <')).toThrow(/ends too early/);
    expect(() => parseExpectation('some: a.x < 1')).toThrow(/must be 'mean', 'all\(seed\)' or 'interval'/);
  });
});

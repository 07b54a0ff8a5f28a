import { describe, expect, it } from 'vitest';
import { parseJsonWithPositions } from '../../src/planner/json-positions.ts';
import { FieldReader } from '../../src/planner/snapshot-fields.ts';

const FIELDS = { '': ['rate', 'list', 'grid', 'ints', 'sub'], sub: ['alpha'] };

function reader(text: string) {
  const { value, positions } = parseJsonWithPositions(text);
  return { r: new FieldReader('f.json', positions, FIELDS), root: value as Record<string, unknown> };
}
const lines = (r: FieldReader) => r.problems.map((p) => `${p.line ?? '-'}:${p.col ?? '-'} ${p.path}: ${p.message}`);

describe('FieldReader', () => {
  it('reports unknown fields at their key, with a did-you-mean within two edits or a third of the name', () => {
    const { r, root } = reader('{\n  "rat": 1,\n  "sub": { "alpah": 2, "zzz": 3 }\n}');
    r.object(root, '');
    r.object(root.sub, 'sub');
    expect(lines(r)).toEqual(['2:3 rat: unknown field (did you mean rate?)', '3:12 sub.alpah: unknown field (did you mean alpha?)', '3:24 sub.zzz: unknown field']);
  });

  it('points a problem in an array element at the element, else at the nearest enclosing value', () => {
    const { r, root } = reader('{\n  "list": [1,\n    -2],\n  "rate": "x"\n}');
    expect(r.vector(root.list, 'list', 2)).toBeUndefined();
    expect(r.number(root.rate, 'rate')).toBeUndefined();
    r.add('rate.deeper[3]', 'somewhere inside');
    expect(lines(r)).toEqual(['3:5 list[1]: must be a number ≥ 0', '4:11 rate: must be a number', '4:11 rate.deeper[3]: somewhere inside']);
  });

  it('checks number rules, vector lengths, window lists and integer lists', () => {
    const { r, root } = reader('{ "rate": 2.5, "list": [1, 2, 3], "grid": [[1, 2], [3]], "ints": [0, 1, 2.5, -1] }');
    expect(r.number(root.rate, 'rate', { int: true })).toBeUndefined();
    expect(r.number(root.rate, 'rate', { min: 3 })).toBeUndefined();
    expect(r.number(root.rate, 'rate', { min: 1 })).toBe(2.5);
    expect(r.number(undefined, 'missing', { required: true })).toBeUndefined();
    expect(r.vector(root.list, 'list', 2)).toBeUndefined();
    expect(Array.from(r.vector(root.list, 'list', undefined)!)).toEqual([1, 2, 3]);
    expect(r.windows(root.grid, 'grid', 2)).toBeUndefined();
    expect(r.windows([], 'grid', 2)).toBeUndefined();
    expect(r.integers(root.ints, 'ints')).toBeUndefined();
    expect(r.integers(undefined, 'none')).toBeUndefined();
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'rate: must be an integer',
      'rate: must be ≥ 3',
      'missing: is required',
      'list: has 3 values, want buckets = 2',
      'grid[1]: has 1 values, want buckets = 2',
      'grid: must be a non-empty array of windows (arrays of numbers)',
      'ints[2]: must be an integer ≥ 0',
      'ints[3]: must be an integer ≥ 0',
      'none: is required',
    ]);
  });
});

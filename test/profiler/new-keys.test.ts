import { describe, expect, it } from 'vitest';
import { NewKeyDetector } from '../../src/profiler/new-keys.ts';

describe('NewKeyDetector', () => {
  it('reports first-seen buckets only when armed, and each bucket only once', () => {
    const d = new NewKeyDetector(6);
    expect(d.check([1, 1, 0, 0, 0, 0], false)).toBeNull(); // seen while not armed: not new later
    expect(d.check([1, 1, 0, 5, 0, 2], true)).toEqual({ records: 7, start: 3, end: 6 });
    expect(d.check([1, 1, 0, 5, 0, 2], true)).toBeNull();
    expect(d.check([0, 0, 4, 0, 0, 0], true)).toEqual({ records: 4, start: 2, end: 3 });
  });
});

import { describe, expect, it } from 'vitest';
import { splitCsv } from '../../src/model/csv-line.ts';

describe('one CSV line', () => {
  it('splits on commas, honouring double quotes and doubled quotes inside them', () => {
    expect(splitCsv('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsv('"a,b","say ""hi""",3')).toEqual(['a,b', 'say "hi"', '3']);
    expect(splitCsv('')).toEqual(['']);
  });
});

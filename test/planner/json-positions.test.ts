/** The position-keeping JSON parser reads what JSON.parse reads, escapes included, and says where a problem is. */
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonWithPositions } from '../../src/planner/json-positions.ts';

describe('parseJsonWithPositions', () => {
  it('reads strings ending in an escaped backslash and other escapes as JSON.parse does', () => {
    for (const text of ['{"k": "\\\\"}', '{"path": "C:\\\\data\\\\snap.json", "q": "a\\"b", "u": "\\u00e9"}', '["\\\\", "x"]']) {
      expect(parseJsonWithPositions(text).value).toEqual(JSON.parse(text));
    }
  });
  it('still refuses an unterminated string and a raw line break in one', () => {
    expect(() => parseJsonWithPositions('{"k": "abc}')).toThrow(JsonSyntaxError);
    expect(() => parseJsonWithPositions('{"k": "a\nb"}')).toThrow(/line break/);
  });
});

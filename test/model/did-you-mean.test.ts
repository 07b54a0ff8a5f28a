import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/model/did-you-mean.ts';

describe('did you mean', () => {
  it('edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the closest candidate within a third of the word, case-insensitive, first of equals', () => {
    expect(didYouMean('treshold', ['threshold', 'thresholds'])).toBe('threshold');
    expect(didYouMean('RATE', ['rate'])).toBe('rate');
    expect(didYouMean('xyzzy', ['rate', 'nodes'])).toBeUndefined();
    expect(didYouMean('ab', ['ax', 'ay'])).toBe('ax');
    expect(didYouMean('nods', ['nodes'])).toBe('nodes');
    // a short word two edits away: only with a minimum distance of 2 (the snapshot's rule)
    expect(didYouMean('gaols', ['goals'])).toBeUndefined();
    expect(didYouMean('gaols', ['goals'], 2)).toBe('goals');
  });
});

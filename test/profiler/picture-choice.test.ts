import { describe, expect, it } from 'vitest';
import { PictureChoice } from '../../src/profiler/picture-choice.ts';

const f = (...v: number[]) => Float64Array.from(v);

describe('PictureChoice', () => {
  it('prefers the drift picture at a lead only after 10 scores show it better', () => {
    const p = new PictureChoice();
    const actual = f(0.5, 0.5, 0);
    for (let i = 0; i < 10; i++) {
      expect(p.prefersDrift(2)).toBe(false);
      p.record(i, 2, f(0, 0.5, 0.5), f(0.5, 0.4, 0.1)); // ranges TV 0.5, drift TV 0.1
      p.record(i, 3, f(0.5, 0.5, 0), f(0, 0, 1)); // at lead 3 the ranges are right
      expect(p.has(i)).toBe(true);
      p.score(i, actual);
      expect(p.has(i)).toBe(false);
    }
    expect(p.prefersDrift(2)).toBe(true);
    expect(p.prefersDrift(3)).toBe(false);
    expect(p.prefersDrift(0)).toBe(false);
  });

  it('forgets pictures of a window with no actual shares', () => {
    const p = new PictureChoice();
    p.record(5, 0, f(1, 0), f(0, 1));
    p.score(5, null);
    expect(p.has(5)).toBe(false);
  });
});

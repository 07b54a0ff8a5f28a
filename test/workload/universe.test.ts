import { describe, expect, it } from 'vitest';
import { firstRankOfBucket, fmix32, fmix32Inverse, fnv1a32, keyUniverse } from '../../src/workload/universe.ts';

describe('key universes', () => {
  it.each(['user-id', 'geo', 'time-series'] as const)('%s: string order is rank order, strings are distinct', (kind) => {
    const u = keyUniverse({ kind, keys: 50_000 }, 42);
    const ranks = [0, 1, 2, 17, 255, 256, 257, 1023, 1024, 9_999, 10_000, 49_998, 49_999];
    const keys = ranks.map((r) => u.keyAt(r));
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    for (let r = 0; r < 2000; r++) expect(u.keyAt(r) < u.keyAt(r + 1)).toBe(true);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = keyUniverse({ kind: 'user-id', keys: 1000 }, 1);
    const b = keyUniverse({ kind: 'user-id', keys: 1000 }, 1);
    const c = keyUniverse({ kind: 'user-id', keys: 1000 }, 2);
    expect(a.keyAt(5)).toBe(b.keyAt(5));
    expect([0, 1, 2, 3].map((r) => a.keyAt(r))).not.toEqual([0, 1, 2, 3].map((r) => c.keyAt(r)));
    expect(a.keyAt(7)).toMatch(/^u007\./);
  });

  it('geo runs from east to west', () => {
    const u = keyUniverse({ kind: 'geo', keys: 360 }, 3);
    const lon = (k: string) => {
      const m = /:([EW])(\d+\.\d+):/.exec(k)!;
      return (m[1] === 'E' ? 1 : -1) * Number(m[2]);
    };
    expect(lon(u.keyAt(0))).toBeCloseTo(179.5, 6);
    expect(lon(u.keyAt(359))).toBeCloseTo(-179.5, 6);
    for (let r = 0; r < 359; r++) expect(lon(u.keyAt(r))).toBeGreaterThan(lon(u.keyAt(r + 1)));
  });

  it('time-series keys put the newest time slots at the top', () => {
    const u = keyUniverse({ kind: 'time-series', keys: 100_000 }, 5);
    const t = (k: string) => Date.parse(k.slice(0, 17).replace('Z', ':00Z'));
    expect(t(u.keyAt(99_999))).toBeGreaterThan(t(u.keyAt(0)));
    expect(u.keyAt(0)).toMatch(/^2024-01-01T00:00Z\/sensor-/);
  });

  it('hashed keys land at their rank position: fmix32(id) is the position on the 32-bit ring', () => {
    for (const x of [0, 1, 2, 0xdeadbeef, 0xffffffff, 123456789]) expect(fmix32(fmix32Inverse(x))).toBe(x >>> 0);
    const K = 10_007;
    const B = 4096;
    const u = keyUniverse({ kind: 'hashed', keys: K }, 9);
    for (let r = 0; r < K; r += 37) {
      const id = Number(u.keyAt(r).split('#')[1]);
      const bucket = Math.floor((fmix32(id) * B) / 2 ** 32);
      expect(bucket).toBe(Math.floor((r * B) / K));
    }
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
  });

  it('bucket b holds ranks [first(b), first(b+1))', () => {
    for (const [K, B] of [[100, 7], [7, 100], [4096, 4096], [10_000, 256]]) {
      for (let r = 0; r < K; r++) {
        const b = Math.floor((r * B) / K);
        expect(r >= firstRankOfBucket(b, K, B) && r < firstRankOfBucket(b + 1, K, B)).toBe(true);
      }
    }
  });
});
